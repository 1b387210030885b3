-- A dashboard link's opens, counted per link and day: a script opening a link in a loop bumps one row a day
-- instead of growing the table without bound. The server counts opens in memory and adds them every few seconds
-- (share.Opens), so opening a dashboard is a read, never a write transaction; History shows the total and the
-- last open, as before.

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

-- share_open: the dashboard's one lookup before any company is known — a read. A live link returns its company,
-- job and id; a revoked or unknown one nothing (the same 404); an expired one the company only, for the 410 page.
drop function share_open(bytea, boolean);
-- +goose StatementBegin
create function share_open(p_token_hash bytea)
    returns table (company_id bigint, company_name text, job_id bigint, expired boolean, link_id bigint)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select l.company_id, c.name,
           case when l.expires_at is null or l.expires_at > now() then l.job_id end,
           l.expires_at is not null and l.expires_at <= now(),
           case when l.expires_at is null or l.expires_at > now() then l.id end
      from share_links l join companies c on c.id = l.company_id
     where l.token_hash = p_token_hash and l.revoked_at is null
$$;
-- +goose StatementEnd

-- share_opens_add: the opens a server counted since its last flush, added to each link's day.
-- +goose StatementBegin
create function share_opens_add(p_company_ids bigint[], p_link_ids bigint[], p_days date[], p_opens int[], p_last timestamptz[])
    returns void
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    insert into share_link_days as d (company_id, link_id, day, opens, last_opened_at)
    select o.company_id, o.link_id, o.day, o.opens, o.last
      from unnest(p_company_ids, p_link_ids, p_days, p_opens, p_last) as o (company_id, link_id, day, opens, last)
     where exists (select from share_links l where l.company_id = o.company_id and l.id = o.link_id)
    on conflict (company_id, link_id, day) do update
       set opens = d.opens + excluded.opens, last_opened_at = greatest(d.last_opened_at, excluded.last_opened_at)
$$;
-- +goose StatementEnd
revoke all on function share_open(bytea), share_opens_add(bigint[], bigint[], date[], int[], timestamptz[]) from public;
grant execute on function share_open(bytea), share_opens_add(bigint[], bigint[], date[], int[], timestamptz[]) to fieldops_app;

-- +goose Down
drop function share_opens_add(bigint[], bigint[], date[], int[], timestamptz[]);
drop function share_open(bytea);
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
create function share_open(p_token_hash bytea, p_record boolean)
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
revoke all on function share_open(bytea, boolean) from public;
grant execute on function share_open(bytea, boolean) to fieldops_app;
drop table share_link_days;
