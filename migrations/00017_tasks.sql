-- Tasks (co-working seed): a requester (the creator, never changed), the people Added to it, an optional client
-- or group (a group's client is the task's client), an optional job, a due date, open or done; comments that
-- everyone on the task sees from its creation on. Who may see a task is decided in internal/tasks: admins all,
-- everyone else the tasks they are on.

-- +goose Up
create table tasks (
    company_id   bigint not null references companies (id),
    id           bigint generated always as identity,
    title        text not null check (length(title) between 1 and 200),
    description  text not null default '' check (length(description) <= 10000),
    client_id    bigint,
    group_id     bigint,
    job_id       bigint,
    due_on       date,
    status       text not null default 'open' check (status in ('open', 'done')),
    requester_id bigint not null,
    created_at   timestamptz not null default now(),
    done_at      timestamptz,
    primary key (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, group_id) references groups (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id),
    foreign key (company_id, requester_id) references memberships (company_id, id)
);
create index tasks_list_idx on tasks (company_id, id desc);
create index tasks_job_idx on tasks (company_id, job_id) where job_id is not null;
alter table tasks enable row level security;
create policy company_isolation on tasks
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (title, description, due_on, status, done_at) on tasks to fieldops_app;

create table task_people (
    company_id    bigint not null references companies (id),
    task_id       bigint not null,
    membership_id bigint not null,
    added_by      bigint,
    added_at      timestamptz not null default now(),
    primary key (company_id, task_id, membership_id),
    foreign key (company_id, task_id) references tasks (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id),
    foreign key (company_id, added_by) references memberships (company_id, id)
);
-- A person's tasks, newest first: the list of everyone but admins.
create index task_people_member_idx on task_people (company_id, membership_id, task_id desc);
alter table task_people enable row level security;
create policy company_isolation on task_people
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on task_people to fieldops_app;

create table task_comments (
    company_id  bigint not null references companies (id),
    id          bigint generated always as identity,
    task_id     bigint not null,
    author_id   bigint,
    author_name text not null check (length(author_name) between 1 and 200),
    body        text not null check (length(body) between 1 and 5000),
    created_at  timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, task_id) references tasks (company_id, id),
    foreign key (company_id, author_id) references memberships (company_id, id)
);
create index task_comments_task_idx on task_comments (company_id, task_id, id);
alter table task_comments enable row level security;
create policy company_isolation on task_comments
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on task_comments to fieldops_app;

-- +goose Down
drop table task_comments;
drop table task_people;
drop table tasks;
