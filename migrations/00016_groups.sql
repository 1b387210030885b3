-- Groups (co-working seed): a named set of co-workers and guests with at most one client, made by an admin, for
-- tasks and chat; admins may subscribe to a group's activity (Push on) as to a client's. Notifications may come
-- from a group's activity. A co-worker unassigned from a client forgets that client's notifications (delete).

-- +goose Up
create table groups (
    company_id bigint not null references companies (id),
    id         bigint generated always as identity,
    name       text not null check (length(name) between 1 and 200),
    client_id  bigint,
    created_at timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id)
);
create unique index groups_name_idx on groups (company_id, lower(name));
alter table groups enable row level security;
create policy company_isolation on groups
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (name, client_id) on groups to fieldops_app;

create table group_members (
    company_id    bigint not null references companies (id),
    group_id      bigint not null,
    membership_id bigint not null,
    added_at      timestamptz not null default now(),
    primary key (company_id, group_id, membership_id),
    foreign key (company_id, group_id) references groups (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
create index group_members_member_idx on group_members (company_id, membership_id);
alter table group_members enable row level security;
create policy company_isolation on group_members
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on group_members to fieldops_app;

alter table push_subscriptions drop constraint push_subscriptions_pkey;
alter table push_subscriptions
    alter column client_id drop not null,
    add column id bigint generated always as identity,
    add primary key (company_id, id),
    add column group_id bigint,
    add foreign key (company_id, group_id) references groups (company_id, id),
    add constraint push_subscriptions_one_target check (num_nonnulls(client_id, group_id) = 1);
create unique index push_subscriptions_client_idx on push_subscriptions (company_id, client_id, area, membership_id) where client_id is not null;
create unique index push_subscriptions_group_idx on push_subscriptions (company_id, group_id, area, membership_id) where group_id is not null;

alter table notifications
    add column group_id bigint,
    add foreign key (company_id, group_id) references groups (company_id, id);
grant delete on notifications to fieldops_app;

-- +goose Down
revoke delete on notifications from fieldops_app;
alter table notifications drop column group_id;
drop index push_subscriptions_group_idx;
drop index push_subscriptions_client_idx;
delete from push_subscriptions where group_id is not null;
alter table push_subscriptions drop constraint push_subscriptions_one_target, drop column group_id,
    drop constraint push_subscriptions_pkey, drop column id, alter column client_id set not null;
alter table push_subscriptions add primary key (company_id, client_id, area, membership_id);
drop table group_members;
drop table groups;
