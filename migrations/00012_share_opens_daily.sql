-- A dashboard link's opens, counted per link and day: a script opening a link in a loop bumps one row a day
-- instead of growing the table without bound. History shows the total and the last open, as before.

-- +goose Up
create table share_link_days (
    company_id     bigint not null,
    link_id        bigint not null,
    day            date not null,
    opens          int not null,
    last_opened_at timestamptz not null,
    primary key (company_id, link_id, day),
    foreign key (company_id, link_id) references share_links (company_id, id) on delete cascade
);
alter table share_link_days enable row level security;
create policy company_isolation on share_link_days
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select on share_link_days to fieldops_app;

insert into share_link_days (company_id, link_id, day, opens, last_opened_at)
select company_id, link_id, (opened_at at time zone 'UTC')::date, count(*), max(opened_at)
  from share_opens group by 1, 2, 3;
drop table share_opens;

-- +goose StatementBegin
create or replace function share_open(p_token_hash bytea, p_record boolean)
    returns table (company_id bigint, company_name text, job_id bigint, expired boolean)
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
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
        insert into share_link_days as d (company_id, link_id, day, opens, last_opened_at)
        values (l.company_id, l.id, (now() at time zone 'UTC')::date, 1, now())
        on conflict on constraint share_link_days_pkey do update set opens = d.opens + 1, last_opened_at = now();
    end if;
    return query select l.company_id, c.name, l.job_id, false from companies c where c.id = l.company_id;
end
$$;
-- +goose StatementEnd

-- +goose Down
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
-- +goose StatementBegin
create or replace function share_open(p_token_hash bytea, p_record boolean)
    returns table (company_id bigint, company_name text, job_id bigint, expired boolean)
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
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
drop table share_link_days;
