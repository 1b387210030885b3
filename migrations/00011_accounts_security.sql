-- Accounts, hardened: the app role can no longer read password hashes (login gets one hash, for one email,
-- through login_account) nor write them (a new password goes through account_set_password, which also ends the
-- account's other sessions); single-use links for verifying a sign-up's email and resetting a password; and every
-- definer function resolves names in pg_catalog and public only, with pg_temp last, so no temporary object can
-- stand in for a table or function.

-- +goose Up
revoke select, update on accounts from fieldops_app;
grant select (id, email, name, created_at) on accounts to fieldops_app;
grant update (name) on accounts to fieldops_app;

-- session_epoch: bumped when the password changes, so a login that has not yet picked its company (no
-- membership in the session yet) ends too.
alter table accounts add column session_epoch int not null default 1;

-- Emailed single-use links of an account: 'verify' (the sign-up's email, for its company) and 'reset' (a new
-- password). Only sha256(token) is stored. Global like accounts; the app reaches it only through the functions.
create table account_tokens (
    id         bigint generated always as identity primary key,
    account_id bigint not null references accounts (id) on delete cascade,
    purpose    text not null check (purpose in ('verify', 'reset')),
    company_id bigint references companies (id),
    token_hash bytea not null unique,
    expires_at timestamptz not null,
    used_at    timestamptz,
    created_at timestamptz not null default now(),
    check ((purpose = 'verify') = (company_id is not null))
);
create index account_tokens_account_idx on account_tokens (account_id, purpose);

-- account_verification_new: a new link (7 days) to verify the company's admin's email; earlier unused ones die.
-- +goose StatementBegin
create function account_verification_new(p_account_id bigint, p_company_id bigint, p_token_hash bytea)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    update account_tokens set used_at = now()
     where account_id = p_account_id and purpose = 'verify' and company_id = p_company_id and used_at is null;
    insert into account_tokens (account_id, purpose, company_id, token_hash, expires_at)
    select p_account_id, 'verify', p_company_id, p_token_hash, now() + interval '7 days'
     where exists (select from memberships m
                    where m.account_id = p_account_id and m.company_id = p_company_id and m.role = 'admin' and m.active);
$$;
-- +goose StatementEnd

-- account_verify: uses a verification link; the company is verified (it may now email anyone, within its
-- limits). Returns the company, or nothing for an unknown, used or expired link.
-- +goose StatementBegin
create function account_verify(p_token_hash bytea)
    returns bigint
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    with t as (
        update account_tokens set used_at = now()
         where token_hash = p_token_hash and purpose = 'verify' and used_at is null and expires_at > now()
        returning company_id
    )
    update companies c set verified_at = coalesce(c.verified_at, now())
      from t where c.id = t.company_id
    returning c.id
$$;
-- +goose StatementEnd

-- account_reset_new: a password-reset link (one hour) for the account with this email, if there is one; earlier
-- unused ones die. Returns the account's own address (never the one typed: another spelling may match it under
-- the database's collation), its name, and the company whose outbox sends the email — its oldest active
-- membership in a company that is not suspended; nothing for an unknown email or an account with none.
-- +goose StatementBegin
create function account_reset_new(p_email text, p_token_hash bytea)
    returns table (account_id bigint, email text, name text, company_id bigint)
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    a accounts%rowtype;
    co bigint;
begin
    select * into a from accounts acc where acc.email = p_email::citext;
    if not found then
        return;
    end if;
    select m.company_id into co from memberships m join companies c on c.id = m.company_id
     where m.account_id = a.id and m.active and c.suspended_at is null
     order by m.created_at, m.company_id limit 1;
    if co is null then
        return;
    end if;
    update account_tokens set used_at = now() where account_tokens.account_id = a.id and purpose = 'reset' and used_at is null;
    insert into account_tokens (account_id, purpose, token_hash, expires_at) values (a.id, 'reset', p_token_hash, now() + interval '1 hour');
    return query select a.id, a.email::text, a.name, co;
end
$$;
-- +goose StatementEnd

-- account_reset_check: whether a reset link is live (for the form), and whose.
-- +goose StatementBegin
create function account_reset_check(p_token_hash bytea)
    returns table (account_id bigint, email text)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select a.id, a.email::text from account_tokens t join accounts a on a.id = t.account_id
     where t.token_hash = p_token_hash and t.purpose = 'reset' and t.used_at is null and t.expires_at > now()
$$;
-- +goose StatementEnd

-- account_reset_use: uses a reset link to set a new password hash; every session of the account ends. Returns
-- the account, or nothing for an unknown, used or expired link.
-- +goose StatementBegin
create function account_reset_use(p_token_hash bytea, p_password_hash text)
    returns bigint
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    with t as (
        update account_tokens set used_at = now()
         where token_hash = p_token_hash and purpose = 'reset' and used_at is null and expires_at > now()
        returning account_id
    ), a as (
        update accounts set password_hash = p_password_hash, session_epoch = session_epoch + 1
          from t where accounts.id = t.account_id
        returning accounts.id
    ), m as (
        update memberships set session_version = session_version + 1
          from a where memberships.account_id = a.id
        returning 1
    )
    select id from a
$$;
-- +goose StatementEnd

-- account_set_password: a new password for an account of the current company (app.company_id; the caller
-- checked the current password); every session of the account ends, the caller starts a fresh one for itself.
-- Returns whether it changed it.
-- +goose StatementBegin
create function account_set_password(p_account_id bigint, p_password_hash text)
    returns boolean
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    with a as (
        update accounts set password_hash = p_password_hash, session_epoch = session_epoch + 1
         where id = p_account_id
           and exists (select from memberships m
                        where m.account_id = p_account_id and m.active
                          and m.company_id = nullif(current_setting('app.company_id', true), '')::bigint)
        returning id
    ), m as (
        update memberships set session_version = session_version + 1 from a where memberships.account_id = a.id
        returning 1
    )
    select exists (select from a)
$$;
-- +goose StatementEnd

-- login_account, again: with the account's session epoch at the moment its hash is read, so a login whose
-- password check straddles a reset is refused (the epoch has moved on by the time the session would start).
drop function login_account(text);
-- +goose StatementBegin
create function login_account(p_email text)
    returns table (account_id bigint, password_hash text, session_epoch int)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select id, password_hash, session_epoch from accounts where email = p_email::citext
$$;
-- +goose StatementEnd
revoke all on function login_account(text) from public;
grant execute on function login_account(text) to fieldops_app;

-- account_session_epoch: the account's current epoch, for a login that has not yet picked its company.
-- +goose StatementBegin
create function account_session_epoch(p_account_id bigint)
    returns int
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select session_epoch from accounts where id = p_account_id
$$;
-- +goose StatementEnd

-- account_elsewhere: whether the account also belongs to a company other than the current one (app.company_id),
-- so a company's admin does not rename a person in every company they work for.
-- +goose StatementBegin
create function account_elsewhere(p_account_id bigint)
    returns boolean
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select exists (select from memberships m
                    where m.account_id = p_account_id
                      and m.company_id is distinct from nullif(current_setting('app.company_id', true), '')::bigint)
$$;
-- +goose StatementEnd

revoke all on function account_elsewhere(bigint) from public;
grant execute on function account_elsewhere(bigint) to fieldops_app;

revoke all on function account_verification_new(bigint, bigint, bytea), account_verify(bytea),
    account_reset_new(text, bytea), account_reset_check(bytea), account_reset_use(bytea, text),
    account_set_password(bigint, text), account_session_epoch(bigint) from public;
grant execute on function account_verification_new(bigint, bigint, bytea), account_verify(bytea),
    account_reset_new(text, bytea), account_reset_check(bytea), account_reset_use(bytea, text),
    account_set_password(bigint, text), account_session_epoch(bigint) to fieldops_app;

-- Older definer functions: pg_temp last in their search path.
alter function account_memberships(bigint) set search_path = pg_catalog, public, pg_temp;
alter function signup(text, text, text, text) set search_path = pg_catalog, public, pg_temp;
alter function invitation_by_token(bytea) set search_path = pg_catalog, public, pg_temp;
alter function create_account(text, text, text) set search_path = pg_catalog, public, pg_temp;
alter function share_open(bytea, boolean) set search_path = pg_catalog, public, pg_temp;

-- +goose Down
alter function share_open(bytea, boolean) set search_path = pg_catalog, public;
alter function create_account(text, text, text) set search_path = pg_catalog, public;
alter function invitation_by_token(bytea) set search_path = pg_catalog, public;
alter function signup(text, text, text, text) set search_path = pg_catalog, public;
alter function account_memberships(bigint) set search_path = pg_catalog, public;
drop function login_account(text);
-- +goose StatementBegin
create function login_account(p_email text)
    returns table (account_id bigint, password_hash text)
    language sql stable security definer set search_path = pg_catalog, public
as $$
    select id, password_hash from accounts where email = p_email::citext
$$;
-- +goose StatementEnd
revoke all on function login_account(text) from public;
grant execute on function login_account(text) to fieldops_app;
drop function account_session_epoch(bigint);
drop function account_elsewhere(bigint);
drop function account_set_password(bigint, text);
drop function account_reset_use(bytea, text);
drop function account_reset_check(bytea);
drop function account_reset_new(text, bytea);
drop function account_verify(bytea);
drop function account_verification_new(bigint, bigint, bytea);
drop table account_tokens;
alter table accounts drop column session_epoch;
revoke select, update on accounts from fieldops_app;
grant select, update (name, password_hash) on accounts to fieldops_app;
