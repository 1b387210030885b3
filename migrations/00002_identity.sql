-- Accounts are global (one login, several companies); memberships tie an account to a company with a role.
-- Sessions are scs's table. Login and the company picker read across companies, so they go through the owner's
-- definer functions below, each returning the least it can.

-- +goose Up
create extension if not exists citext;

create table accounts (
    id            bigint generated always as identity primary key,
    email         citext not null unique check (length(email) between 3 and 254),
    name          text not null check (length(name) between 1 and 200),
    password_hash text not null,
    created_at    timestamptz not null default now()
);

create table memberships (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    account_id      bigint not null references accounts (id),
    role            text not null check (role in ('admin', 'co-worker', 'subcontractor', 'client', 'guest')),
    active          boolean not null default true,
    session_version int not null default 1,
    created_at      timestamptz not null default now(),
    primary key (company_id, id),
    unique (company_id, account_id)
);
-- Leads with account_id, not company_id: it serves the cross-company lookups of login and the company picker.
create index memberships_account_idx on memberships (account_id);

alter table memberships enable row level security;
create policy company_isolation on memberships
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on memberships to fieldops_app;

-- The app role sees an account only through a membership in the current company.
alter table accounts enable row level security;
create policy member_of_company on accounts
    using (exists (select from memberships m
                    where m.account_id = accounts.id
                      and m.company_id = nullif(current_setting('app.company_id', true), '')::bigint));
grant select, update (name, password_hash) on accounts to fieldops_app;

create table sessions (
    token  text primary key,
    data   bytea not null,
    expiry timestamptz not null
);
create index sessions_expiry_idx on sessions (expiry);
grant select, insert, update, delete on sessions to fieldops_app;

-- login_account: the account id and password hash for an email, for the password check.
create function login_account(p_email text)
    returns table (account_id bigint, password_hash text)
    language sql stable security definer set search_path = pg_catalog, public
as $$
    select id, password_hash from accounts where email = p_email::citext
$$;

-- account_memberships: the active memberships of one account, with company names, for login and /switch.
create function account_memberships(p_account_id bigint)
    returns table (membership_id bigint, company_id bigint, company_name text, role text, session_version int)
    language sql stable security definer set search_path = pg_catalog, public
as $$
    select m.id, m.company_id, c.name, m.role, m.session_version
      from memberships m
      join companies c on c.id = m.company_id
     where m.account_id = p_account_id and m.active
     order by c.name, m.company_id
$$;

-- signup: a new company, its first account and that account's admin membership, in one statement.
create function signup(p_company text, p_name text, p_email text, p_password_hash text)
    returns table (company_id bigint, account_id bigint, membership_id bigint)
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    with c as (insert into companies (name) values (p_company) returning id),
         a as (insert into accounts (email, name, password_hash) values (p_email, p_name, p_password_hash) returning id),
         m as (insert into memberships (company_id, account_id, role)
               select c.id, a.id, 'admin' from c, a
               returning memberships.company_id, memberships.account_id, memberships.id)
    select m.company_id, m.account_id, m.id from m
$$;

revoke all on function login_account(text), account_memberships(bigint), signup(text, text, text, text) from public;
grant execute on function login_account(text), account_memberships(bigint), signup(text, text, text, text) to fieldops_app;

-- +goose Down
drop function signup(text, text, text, text);
drop function account_memberships(bigint);
drop function login_account(text);
drop table sessions;
drop table memberships;
drop table accounts;
