-- Clients with their sites, the co-workers assigned to serve each client, and invitations to join a company.
-- Also narrows the app's grant on companies: the plan (seats) is the operator's, never a company admin's.

-- +goose Up
create extension if not exists pg_trgm;
create extension if not exists btree_gin;

revoke update on companies from fieldops_app;
-- Only the name is the company's to change; the column grant also allows `select … for update`, the lock that
-- serialises seat counting and the last-admin rule.
grant update (name) on companies to fieldops_app;

create table clients (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    name            text not null check (length(name) between 1 and 200),
    email           citext check (email is null or length(email) between 3 and 254),
    phone           text check (phone is null or length(phone) <= 40),
    billing_address text not null default '' check (length(billing_address) <= 1000),
    notes           text not null default '' check (length(notes) <= 5000),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    primary key (company_id, id)
);
-- The list: by name, keyset on (name, id).
create index clients_name_idx on clients (company_id, name, id);
-- Search on name, email and phone; btree_gin lets the trigram index lead with company_id.
create index clients_search_idx on clients using gin (
    company_id, (name || ' ' || coalesce(email::text, '') || ' ' || coalesce(phone, '')) gin_trgm_ops);

alter table clients enable row level security;
create policy company_isolation on clients
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on clients to fieldops_app;

create table sites (
    company_id bigint not null,
    id         bigint generated always as identity,
    client_id  bigint not null,
    name       text not null check (length(name) between 1 and 200),
    address    text not null check (length(address) between 1 and 1000),
    created_at timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id) on delete cascade
);
create index sites_client_idx on sites (company_id, client_id, id);

alter table sites enable row level security;
create policy company_isolation on sites
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on sites to fieldops_app;

-- The co-workers who serve a client: a co-worker sees only the clients listed here for them.
create table client_coworkers (
    company_id    bigint not null,
    client_id     bigint not null,
    membership_id bigint not null,
    created_at    timestamptz not null default now(),
    primary key (company_id, client_id, membership_id),
    foreign key (company_id, client_id) references clients (company_id, id) on delete cascade,
    foreign key (company_id, membership_id) references memberships (company_id, id) on delete cascade
);
create index client_coworkers_member_idx on client_coworkers (company_id, membership_id, client_id);

alter table client_coworkers enable row level security;
create policy company_isolation on client_coworkers
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on client_coworkers to fieldops_app;

-- An invitation is pending until accepted (registered), cancelled, or past expires_at. Only sha256(token) is
-- stored; Resend replaces it, so the old link dies.
create table invitations (
    company_id    bigint not null references companies (id),
    id            bigint generated always as identity,
    email         citext not null check (length(email) between 3 and 254),
    role          text not null check (role in ('admin', 'co-worker', 'subcontractor', 'client', 'guest')),
    token_hash    bytea not null unique check (length(token_hash) = 32),
    invited_by    bigint,
    expires_at    timestamptz not null,
    accepted_at   timestamptz,
    cancelled_at  timestamptz,
    membership_id bigint,
    created_at    timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, invited_by) references memberships (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
create index invitations_email_idx on invitations (company_id, email);
create index invitations_open_idx on invitations (company_id, id desc) where accepted_at is null and cancelled_at is null;

alter table invitations enable row level security;
create policy company_isolation on invitations
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (token_hash, expires_at, accepted_at, cancelled_at, membership_id) on invitations to fieldops_app;

-- invitation_by_token: which company's invitation a link is for (the link arrives before any company is known).
-- It returns only the ids; the invitation itself is then read inside that company, under RLS.
create function invitation_by_token(p_token_hash bytea)
    returns table (company_id bigint, invitation_id bigint)
    language sql stable security definer set search_path = pg_catalog, public
as $$
    select company_id, id from invitations where token_hash = p_token_hash and cancelled_at is null
$$;

-- create_account: a new global account for an accepted invitation. The caller inserts the membership in the same
-- transaction; an email that already has an account fails with a unique violation.
create function create_account(p_email text, p_name text, p_password_hash text)
    returns bigint
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    insert into accounts (email, name, password_hash) values (p_email, p_name, p_password_hash) returning id
$$;

revoke all on function invitation_by_token(bytea), create_account(text, text, text) from public;
grant execute on function invitation_by_token(bytea), create_account(text, text, text) to fieldops_app;

-- +goose Down
drop function create_account(text, text, text);
drop function invitation_by_token(bytea);
drop table invitations;
drop table client_coworkers;
drop table sites;
drop table clients;
revoke update (name) on companies from fieldops_app;
grant update on companies to fieldops_app;
