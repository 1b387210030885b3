-- Calendars: reminders of three kinds on a person's, a client's, a group's or the company's calendar, with the people they
-- notify and, for a call reminder, the list of whom to call. The company's country reads phone numbers typed
-- without their country code.

-- +goose Up
alter table companies add column country text not null default '' check (country ~ '^([A-Z]{2})?$');
grant update (country) on companies to fieldops_app;

create table reminders (
    company_id    bigint not null references companies (id),
    id            bigint generated always as identity,
    kind          text not null check (kind in ('appointment', 'call', 'reminder')),
    title         text not null check (length(title) between 1 and 200),
    starts_at     timestamptz not null,
    ends_at       timestamptz not null,
    all_day       boolean not null default false,
    notes         text not null default '' check (length(notes) <= 2000),
    -- Whose calendar: a person's, a client's, a group's, or the company's (all null).
    membership_id bigint,
    client_id     bigint,
    group_id      bigint,
    created_by    bigint,
    created_at    timestamptz not null default now(),
    -- Set once the reminder has notified its people (the reminders worker).
    fired_at      timestamptz,
    primary key (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, group_id) references groups (company_id, id) on delete cascade,
    foreign key (company_id, created_by) references memberships (company_id, id),
    check (num_nonnulls(membership_id, client_id, group_id) <= 1),
    check (ends_at > starts_at and ends_at <= starts_at + interval '31 days')
);
-- A calendar's days: by start, the span bounded by the 31 days a reminder may last.
create index reminders_start_idx on reminders (company_id, starts_at);
-- The worker's queue spans companies: only reminders not yet fired.
create index reminders_due_idx on reminders (starts_at) where fired_at is null;

create table reminder_people (
    company_id    bigint not null,
    reminder_id   bigint not null,
    membership_id bigint not null,
    primary key (company_id, reminder_id, membership_id),
    foreign key (company_id, reminder_id) references reminders (company_id, id) on delete cascade,
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
create index reminder_people_member_idx on reminder_people (company_id, membership_id);

create table reminder_calls (
    company_id  bigint not null,
    reminder_id bigint not null,
    position    int not null check (position >= 0),
    name        text not null check (length(name) between 1 and 100),
    phone       text not null check (phone ~ '^\+[0-9]{4,15}$'),
    primary key (company_id, reminder_id, position),
    foreign key (company_id, reminder_id) references reminders (company_id, id) on delete cascade
);

alter table reminders enable row level security;
alter table reminder_people enable row level security;
alter table reminder_calls enable row level security;
create policy company_isolation on reminders
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
create policy company_isolation on reminder_people
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
create policy company_isolation on reminder_calls
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on reminders, reminder_people, reminder_calls to fieldops_app;

-- reminders_due: reminders across companies whose time has come and that have not notified their people yet —
-- for the reminders worker, which then fires each in its company under RLS, claiming it by setting fired_at.
-- +goose StatementBegin
create function reminders_due(p_limit int)
    returns table (company_id bigint, id bigint)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select r.company_id, r.id from reminders r
     where r.fired_at is null and r.starts_at <= now()
     order by r.starts_at
     limit p_limit
$$;
-- +goose StatementEnd
revoke all on function reminders_due(int) from public;
grant execute on function reminders_due(int) to fieldops_app;

-- +goose Down
drop function reminders_due(int);
drop table reminder_calls;
drop table reminder_people;
drop table reminders;
revoke update (country) on companies from fieldops_app;
alter table companies drop column country;
