-- Text messages (jobs seed): queued in the transaction that sends them, like emails, and delivered by a worker
-- through a provider. Consent is recorded per company and number before a number is first texted. A number that
-- replies STOP to the app's provider number is never texted again by anyone: the opt-outs are the app's, read and
-- written only through the functions below.

-- +goose Up
create table sms_outbox (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    to_phone        text not null check (to_phone ~ '^\+[1-9][0-9]{6,14}$'),
    body            text not null check (length(body) between 1 and 160),
    job_id          bigint,
    sent_by         bigint,
    status          text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'blocked')),
    attempts        int not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_until     timestamptz,
    last_error      text,
    provider_id     text,
    created_at      timestamptz not null default now(),
    sent_at         timestamptz,
    primary key (company_id, id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete set null (job_id),
    foreign key (company_id, sent_by) references memberships (company_id, id)
);
-- The SMS page, newest first; the worker's queue spans companies, so it leads with the time.
create index sms_outbox_company_idx on sms_outbox (company_id, id desc);
create index sms_outbox_due_idx on sms_outbox (next_attempt_at) where status in ('pending', 'sending');
alter table sms_outbox enable row level security;
create policy company_isolation on sms_outbox
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on sms_outbox to fieldops_app;

create table sms_consents (
    company_id bigint not null references companies (id),
    phone      text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    given_at   timestamptz not null default now(),
    given_by   bigint,
    primary key (company_id, phone),
    foreign key (company_id, given_by) references memberships (company_id, id)
);
alter table sms_consents enable row level security;
create policy company_isolation on sms_consents
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on sms_consents to fieldops_app;

-- The app's, not a company's: no grant; only the functions below read and write it.
create table sms_optouts (
    phone        text primary key check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    opted_out_at timestamptz not null default now()
);

-- +goose StatementBegin
create function sms_opted_out(p_phones text[])
    returns table (phone text, opted_out_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select o.phone, o.opted_out_at from sms_optouts o where o.phone = any(p_phones)
$$;

create function sms_opt_out(p_phone text)
    returns void
    language sql security definer set search_path = pg_catalog, public, pg_temp
as $$
    insert into sms_optouts (phone) values (p_phone) on conflict (phone) do nothing
$$;

-- sms_claim: up to p_limit due texts of every company, leased until now() + p_lease (a sender that died lets its
-- lease lapse and the text is claimed again). SKIP LOCKED lets several workers share the queue.
create function sms_claim(p_limit int, p_lease interval)
    returns table (company_id bigint, id bigint, to_phone text, body text, attempts int, created_at timestamptz)
    language sql security definer set search_path = pg_catalog, public, pg_temp
as $$
    update sms_outbox s set status = 'sending', attempts = s.attempts + 1, lease_until = now() + p_lease
      from (select q.company_id, q.id from sms_outbox q join companies c on c.id = q.company_id and c.suspended_at is null
             where (q.status = 'pending' and q.next_attempt_at <= now()) or (q.status = 'sending' and q.lease_until < now())
             order by q.next_attempt_at limit p_limit for update of q skip locked) due
     where s.company_id = due.company_id and s.id = due.id
    returning s.company_id, s.id, s.to_phone, s.body, s.attempts, s.created_at
$$;

-- sms_done: a claimed text's end, by the claim that holds it (p_attempts, so a lapsed claim settles nothing another
-- took over): sent (with the provider's id), blocked (its number opted out), failed (p_error), or back to pending
-- until p_retry_at.
create function sms_done(p_company_id bigint, p_id bigint, p_attempts int, p_status text, p_provider_id text, p_error text, p_retry_at timestamptz)
    returns void
    language sql security definer set search_path = pg_catalog, public, pg_temp
as $$
    update sms_outbox set status = p_status, provider_id = p_provider_id, last_error = p_error, lease_until = null,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           sent_at = case when p_status = 'sent' then now() end
     where company_id = p_company_id and id = p_id and status = 'sending' and attempts = p_attempts
       and p_status in ('sent', 'blocked', 'failed', 'pending')
$$;
-- +goose StatementEnd
revoke all on function sms_opted_out(text[]), sms_opt_out(text), sms_claim(int, interval),
    sms_done(bigint, bigint, int, text, text, text, timestamptz) from public;
grant execute on function sms_opted_out(text[]), sms_opt_out(text), sms_claim(int, interval),
    sms_done(bigint, bigint, int, text, text, text, timestamptz) to fieldops_app;

-- +goose Down
drop function sms_done(bigint, bigint, int, text, text, text, timestamptz);
drop function sms_claim(int, interval);
drop function sms_opt_out(text);
drop function sms_opted_out(text[]);
drop table sms_optouts;
drop table sms_consents;
drop table sms_outbox;
