-- The tenant root. Row-Level Security applies to it as to every tenant table: the app role sees only the company
-- whose id is in app.company_id (set by internal/db), and nothing when the setting is missing.

-- +goose Up
grant usage on schema public to fieldops_app;

create table companies (
    id         bigint generated always as identity primary key,
    name       text not null check (length(name) between 1 and 200),
    seats      int not null default 5 check (seats >= 0),
    created_at timestamptz not null default now()
);

alter table companies enable row level security;
create policy company_isolation on companies
    using (id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, update on companies to fieldops_app;

-- +goose Down
drop table companies;
