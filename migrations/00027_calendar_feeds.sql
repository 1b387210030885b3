-- A person's private iCalendar feed: one link each, only its sha256 kept; a new link replaces the old, which then
-- answers 404.

-- +goose Up
create table calendar_feeds (
    company_id    bigint not null,
    membership_id bigint not null,
    token_hash    bytea not null unique,
    created_at    timestamptz not null default now(),
    primary key (company_id, membership_id),
    foreign key (company_id, membership_id) references memberships (company_id, id) on delete cascade
);
alter table calendar_feeds enable row level security;
create policy company_isolation on calendar_feeds
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on calendar_feeds to fieldops_app;

-- calendar_feed_open: the feed's one lookup before any company is known — whose it is, while they are active.
-- +goose StatementBegin
create function calendar_feed_open(p_token_hash bytea)
    returns table (company_id bigint, membership_id bigint, role text, client_id bigint, time_zone text, company_name text)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select f.company_id, f.membership_id, m.role, m.client_id, c.time_zone, c.name
      from calendar_feeds f
      join memberships m on m.company_id = f.company_id and m.id = f.membership_id
      join companies c on c.id = f.company_id
     where f.token_hash = p_token_hash and m.active
$$;
-- +goose StatementEnd
revoke all on function calendar_feed_open(bytea) from public;
grant execute on function calendar_feed_open(bytea) to fieldops_app;

-- +goose Down
drop function calendar_feed_open(bytea);
drop table calendar_feeds;
