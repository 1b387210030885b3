-- Job Share: clients who get emailed links to a live, read-only dashboard of their jobs; the links, and who
-- opened them.

-- +goose Up
alter table companies
    add column job_share_default boolean not null default false,
    add column share_link_days int check (share_link_days between 1 and 3650);
grant update (job_share_default, share_link_days) on companies to fieldops_app;

alter table clients add column job_share boolean not null default false;

-- Emails sent from a job are kept on its Messages: room for a 20,000-character body and its header.
alter table job_messages drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) between 1 and 25000);

-- A link to one job's dashboard, minted for one recipient when an email carries it. Only sha256(token) is kept.
create table share_links (
    company_id bigint not null,
    id         bigint generated always as identity,
    job_id     bigint not null,
    token_hash bytea not null unique check (length(token_hash) = 32),
    recipient  citext not null check (length(recipient) between 3 and 254),
    sent_by    bigint,
    sent_at    timestamptz not null default now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, sent_by) references memberships (company_id, id)
);
create index share_links_job_idx on share_links (company_id, job_id, id);
create index share_links_live_idx on share_links (company_id, job_id) where revoked_at is null;

alter table share_links enable row level security;
create policy company_isolation on share_links
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (revoked_at) on share_links to fieldops_app;

-- Every open of a dashboard: appended, never updated, so a busy link is not a hot row.
create table share_opens (
    company_id bigint not null,
    id         bigint generated always as identity,
    link_id    bigint not null,
    opened_at  timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, link_id) references share_links (company_id, id) on delete cascade
);
create index share_opens_link_idx on share_opens (company_id, link_id, opened_at);

alter table share_opens enable row level security;
create policy company_isolation on share_opens
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select on share_opens to fieldops_app;

-- share_open: the dashboard's one lookup before any company is known. For a live link it records the open (when
-- p_record: the page, not the files it links to) and returns the company and job; for a revoked or unknown one it returns nothing (the same 404); for an expired
-- one it returns the company only, so the 410 page can name it.
-- +goose StatementBegin
create function share_open(p_token_hash bytea, p_record boolean)
    returns table (company_id bigint, company_name text, job_id bigint, expired boolean)
    language plpgsql volatile security definer set search_path = pg_catalog, public
as $$
declare
    l share_links%rowtype;
begin
    select * into l from share_links where token_hash = p_token_hash and revoked_at is null;
    if not found then
        return;
    end if;
    if l.expires_at is not null and l.expires_at <= now() then
        return query select l.company_id, c.name, null::bigint, true from companies c where c.id = l.company_id;
        return;
    end if;
    if p_record then
        insert into share_opens (company_id, link_id) values (l.company_id, l.id);
    end if;
    return query select l.company_id, c.name, l.job_id, false from companies c where c.id = l.company_id;
end
$$;
-- +goose StatementEnd
revoke all on function share_open(bytea, boolean) from public;
grant execute on function share_open(bytea, boolean) to fieldops_app;

-- +goose Down
drop function share_open(bytea, boolean);
drop table share_opens;
drop table share_links;
alter table job_messages drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) between 1 and 10000);
alter table clients drop column job_share;
revoke update (job_share_default, share_link_days) on companies from fieldops_app;
alter table companies drop column share_link_days, drop column job_share_default;
