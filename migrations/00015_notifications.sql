-- Notifications (co-working seed): one row per recipient, written in the transaction of the event that causes it;
-- the nav's counters read the unread ones with the viewer. Push on: an admin's subscription to one client's
-- activity in one area (off by default: an admin gets nothing without it). Notification settings: per person and
-- area, in-app only (no row) or in-app plus an email digest, at most one email per 15 minutes.

-- +goose Up
create table notifications (
    company_id    bigint not null references companies (id),
    id            bigint generated always as identity,
    membership_id bigint not null,
    area          text not null check (area in ('jobs', 'tasks', 'calendar', 'chat')),
    client_id     bigint,
    title         text not null check (length(title) between 1 and 300),
    link          text not null check (link ~ '^/[^/\\]'),
    actor_name    text not null default '' check (length(actor_name) <= 200),
    created_at    timestamptz not null default now(),
    read_at       timestamptz,
    emailed_at    timestamptz,
    primary key (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id)
);
-- The list, newest first; and the counters and digests: a person's unread ones by area.
create index notifications_recipient_idx on notifications (company_id, membership_id, id desc);
create index notifications_unread_idx on notifications (company_id, membership_id, area) where read_at is null;
-- The digest worker's scan spans companies (like the outbox's queue), so it leads with the time; it stays small:
-- a notification leaves it once read or emailed.
create index notifications_digest_idx on notifications (created_at) where read_at is null and emailed_at is null;
alter table notifications enable row level security;
create policy company_isolation on notifications
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (read_at, emailed_at) on notifications to fieldops_app;

create table push_subscriptions (
    company_id    bigint not null references companies (id),
    membership_id bigint not null,
    client_id     bigint not null,
    area          text not null check (area in ('jobs', 'tasks', 'calendar', 'chat')),
    created_at    timestamptz not null default now(),
    primary key (company_id, client_id, area, membership_id),
    foreign key (company_id, membership_id) references memberships (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id)
);
alter table push_subscriptions enable row level security;
create policy company_isolation on push_subscriptions
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on push_subscriptions to fieldops_app;

create table notification_settings (
    company_id    bigint not null references companies (id),
    membership_id bigint not null,
    area          text not null check (area in ('jobs', 'tasks', 'calendar', 'chat')),
    email_digest  boolean not null,
    primary key (company_id, membership_id, area),
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
alter table notification_settings enable row level security;
create policy company_isolation on notification_settings
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on notification_settings to fieldops_app;

-- When a person's last digest email was queued: the next waits 15 minutes.
alter table memberships add column digest_sent_at timestamptz;

-- notification_digests_due: the people, across companies, with unread notifications not yet emailed in an area
-- whose setting asks for a digest, and no digest in the last 15 minutes — for the digest worker, which then works
-- in each company under RLS.
-- +goose StatementBegin
create function notification_digests_due(p_limit int)
    returns table (company_id bigint, membership_id bigint)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select distinct n.company_id, n.membership_id
      from notifications n
      join notification_settings s
        on s.company_id = n.company_id and s.membership_id = n.membership_id and s.area = n.area and s.email_digest
      join memberships m on m.company_id = n.company_id and m.id = n.membership_id
     where n.read_at is null and n.emailed_at is null and m.active
       and (m.digest_sent_at is null or m.digest_sent_at < now() - interval '15 minutes')
     limit p_limit
$$;
-- +goose StatementEnd
revoke all on function notification_digests_due(int) from public;
grant execute on function notification_digests_due(int) to fieldops_app;

-- +goose Down
drop function notification_digests_due(int);
alter table memberships drop column digest_sent_at;
drop table notification_settings;
drop table push_subscriptions;
drop table notifications;
