-- Jobs and what hangs off them: visits, time & parts lines, files (on jobs and on sites), messages and history.
-- Company settings the job pages need: time zone and currency.

-- +goose Up
alter table companies
    add column time_zone text not null default 'UTC' check (length(time_zone) between 1 and 64),
    add column currency  text not null default 'USD' check (currency ~ '^[A-Z]{3}$');
grant update (name, time_zone, currency) on companies to fieldops_app;

-- The next job number of each company. One row per company, bumped in the job's own transaction: numbers are
-- never reused (a rolled-back insert gives its number back, a committed one never), and concurrent inserts queue
-- on the row.
create table job_numbers (
    company_id  bigint primary key references companies (id),
    next_number bigint not null
);
alter table job_numbers enable row level security;
create policy company_isolation on job_numbers
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on job_numbers to fieldops_app;

create table jobs (
    company_id        bigint not null references companies (id),
    id                bigint generated always as identity,
    number            bigint not null,
    client_id         bigint not null,
    billing_client_id bigint not null,
    site_id           bigint,
    address           text not null default '' check (length(address) <= 1000),
    title             text not null check (length(title) between 1 and 200),
    description       text not null default '' check (length(description) <= 10000),
    status            text not null default 'open-dispatch' check (status in ('open-dispatch', 'in-progress',
                          'awaiting-quality-check', 'awaiting-billing', 'awaiting-payment', 'completed', 'deferred')),
    -- The workflow status a deferred job returns to when the deferral is undone.
    deferred_from     text check (deferred_from in ('open-dispatch', 'in-progress', 'awaiting-quality-check',
                          'awaiting-billing', 'awaiting-payment', 'completed')),
    parent_id         bigint,
    recall_of         bigint,
    source            text not null default 'office' check (source in ('office', 'portal')),
    created_by        bigint,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    primary key (company_id, id),
    unique (company_id, number),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, billing_client_id) references clients (company_id, id),
    foreign key (company_id, site_id) references sites (company_id, id),
    foreign key (company_id, parent_id) references jobs (company_id, id),
    foreign key (company_id, recall_of) references jobs (company_id, id),
    foreign key (company_id, created_by) references memberships (company_id, id),
    check (parent_id is null or parent_id <> id),
    check (recall_of is null or recall_of <> id),
    check ((status = 'deferred') = (deferred_from is not null))
);
create index jobs_client_idx on jobs (company_id, client_id, id desc);
create index jobs_billing_client_idx on jobs (company_id, billing_client_id, id desc);
create index jobs_site_idx on jobs (company_id, site_id) where site_id is not null;
create index jobs_parent_idx on jobs (company_id, parent_id) where parent_id is not null;
create index jobs_recall_idx on jobs (company_id, recall_of) where recall_of is not null;

alter table jobs enable row level security;
create policy company_isolation on jobs
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on jobs to fieldops_app;

-- A visit: a staff member (or none: unassigned) at a time (or none: unscheduled). Times are UTC.
create table visits (
    company_id  bigint not null,
    id          bigint generated always as identity,
    job_id      bigint not null,
    assignee_id bigint,
    starts_at   timestamptz,
    ends_at     timestamptz,
    notes       text not null default '' check (length(notes) <= 2000),
    created_at  timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, assignee_id) references memberships (company_id, id),
    check ((starts_at is null) = (ends_at is null)),
    check (ends_at > starts_at)
);
create index visits_job_idx on visits (company_id, job_id, starts_at);
create index visits_assignee_idx on visits (company_id, assignee_id, starts_at) where assignee_id is not null;

alter table visits enable row level security;
create policy company_isolation on visits
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on visits to fieldops_app;

-- Time & parts. Quantities in thousandths (1.5 hours = 1500), money in integer cents of the company's currency.
create table job_lines (
    company_id       bigint not null,
    id               bigint generated always as identity,
    job_id           bigint not null,
    description      text not null check (length(description) between 1 and 500),
    quantity_milli   bigint not null check (quantity_milli between 0 and 100000000),
    unit_cost_cents  bigint not null default 0 check (unit_cost_cents between 0 and 10000000000),
    unit_price_cents bigint not null default 0 check (unit_price_cents between 0 and 10000000000),
    created_at       timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade
);
create index job_lines_job_idx on job_lines (company_id, job_id, id);

alter table job_lines enable row level security;
create policy company_isolation on job_lines
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on job_lines to fieldops_app;

-- Files on a job or on a client's site. The bytes live apart (file_blobs) so lists never read them.
create table files (
    company_id        bigint not null,
    id                bigint generated always as identity,
    job_id            bigint,
    site_id           bigint,
    name              text not null check (length(name) between 1 and 255),
    content_type      text not null,
    size              bigint not null check (size > 0),
    has_thumbnail     boolean not null default false,
    visible_to_client boolean not null default false,
    uploaded_by       bigint,
    created_at        timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, site_id) references sites (company_id, id) on delete cascade,
    foreign key (company_id, uploaded_by) references memberships (company_id, id),
    check ((job_id is null) <> (site_id is null))
);
create index files_job_idx on files (company_id, job_id, id) where job_id is not null;
create index files_site_idx on files (company_id, site_id, id) where site_id is not null;

alter table files enable row level security;
create policy company_isolation on files
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on files to fieldops_app;

create table file_blobs (
    company_id bigint not null,
    file_id    bigint not null,
    variant    text not null check (variant in ('original', 'thumbnail')),
    data       bytea not null,
    primary key (company_id, file_id, variant),
    foreign key (company_id, file_id) references files (company_id, id) on delete cascade
);
alter table file_blobs enable row level security;
create policy company_isolation on file_blobs
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on file_blobs to fieldops_app;

-- Notes on a job: internal (the default) or visible to the client.
create table job_messages (
    company_id        bigint not null,
    id                bigint generated always as identity,
    job_id            bigint not null,
    author_id         bigint,
    author_name       text not null,
    body              text not null check (length(body) between 1 and 10000),
    visible_to_client boolean not null default false,
    created_at        timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, author_id) references memberships (company_id, id)
);
create index job_messages_job_idx on job_messages (company_id, job_id, id desc);

alter table job_messages enable row level security;
create policy company_isolation on job_messages
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on job_messages to fieldops_app;

-- Every change to a job, written in the change's own transaction. Append-only: the app may not update or delete.
create table job_history (
    company_id bigint not null,
    id         bigint generated always as identity,
    job_id     bigint not null,
    actor_id   bigint,
    actor_name text not null,
    what       text not null,
    created_at timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, actor_id) references memberships (company_id, id)
);
create index job_history_job_idx on job_history (company_id, job_id, id desc);

alter table job_history enable row level security;
create policy company_isolation on job_history
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on job_history to fieldops_app;

-- +goose Down
drop table job_history;
drop table job_messages;
drop table file_blobs;
drop table files;
drop table job_lines;
drop table visits;
drop table jobs;
drop table job_numbers;
revoke update (time_zone, currency) on companies from fieldops_app;
alter table companies drop column currency, drop column time_zone;
