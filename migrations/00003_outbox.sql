-- Every email is a row, written in the transaction of the change that caused it, and delivered by the worker
-- inside `fieldops serve`. The worker works across companies, through the owner's definer functions below.

-- +goose Up
create table outbox_emails (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    kind            text not null check (kind ~ '^[a-z][a-z_]{0,39}$'),
    recipients      text[] not null check (cardinality(recipients) between 1 and 50),
    subject         text not null check (length(subject) between 1 and 998),
    text_body       text not null,
    html_body       text not null,
    -- The body holds a secret (a share or invitation link): replace it once sent, so the token lives only in
    -- the recipient's mailbox.
    redact          boolean not null default false,
    status          text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts        int not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- While sending: when the claim lapses and the row is rescued (its sender died mid-send).
    lease_until     timestamptz,
    last_error      text,
    -- Set at the first claim from the row's own keys, so every resend of it carries the same Message-ID.
    message_id      text,
    created_at      timestamptz not null default now(),
    sent_at         timestamptz,
    primary key (company_id, id)
);
-- The Outbox page: newest first, by status.
create index outbox_emails_company_status_idx on outbox_emails (company_id, status, id desc);
-- The worker's queue spans companies, so these two lead with the time, not company_id; both stay small
-- (partial: only rows waiting or in flight).
create index outbox_emails_due_idx on outbox_emails (next_attempt_at) where status = 'pending';
create index outbox_emails_lease_idx on outbox_emails (lease_until) where status = 'sending';

alter table outbox_emails enable row level security;
create policy company_isolation on outbox_emails
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on outbox_emails to fieldops_app;
grant update (status, attempts, next_attempt_at, last_error) on outbox_emails to fieldops_app;

-- outbox_claim: up to p_limit due emails, leased to the caller until now() + p_lease. SKIP LOCKED lets several
-- workers (and instances) claim side by side, never the same row.
create function outbox_claim(p_limit int, p_lease interval, p_domain text)
    returns table (company_id bigint, id bigint, recipients text[], subject text, text_body text, html_body text,
                   message_id text, attempts int)
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    with due as (
        select o.company_id, o.id
          from outbox_emails o
         where o.status = 'pending' and o.next_attempt_at <= now()
         order by o.next_attempt_at
         limit p_limit
           for update skip locked
    )
    update outbox_emails o
       set status = 'sending',
           attempts = o.attempts + 1,
           lease_until = now() + p_lease,
           message_id = coalesce(o.message_id, format('outbox.%s.%s@%s', o.company_id, o.id, p_domain))
      from due
     where o.company_id = due.company_id and o.id = due.id
    returning o.company_id, o.id, o.recipients, o.subject, o.text_body, o.html_body, o.message_id, o.attempts
$$;

-- outbox_sent: delivered; a body holding a secret is replaced now.
create function outbox_sent(p_company_id bigint, p_id bigint)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    update outbox_emails
       set status = 'sent', sent_at = now(), lease_until = null, last_error = null,
           text_body = case when redact then '[This email held a private link. It was removed once sent.]' else text_body end,
           html_body = case when redact then '<p>[This email held a private link. It was removed once sent.]</p>' else html_body end
     where company_id = p_company_id and id = p_id and status = 'sending'
$$;

-- outbox_failed: not delivered; try again at p_retry_at, or give up (status failed) when p_retry_at is null.
create function outbox_failed(p_company_id bigint, p_id bigint, p_error text, p_retry_at timestamptz)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    update outbox_emails
       set status = case when p_retry_at is null then 'failed' else 'pending' end,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           last_error = left(p_error, 2000), lease_until = null
     where company_id = p_company_id and id = p_id and status = 'sending'
$$;

-- outbox_release: hand back an email claimed but not attempted (the worker is shutting down).
create function outbox_release(p_company_id bigint, p_id bigint)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    update outbox_emails
       set status = 'pending', attempts = greatest(attempts - 1, 0), lease_until = null
     where company_id = p_company_id and id = p_id and status = 'sending'
$$;

-- outbox_rescue: emails whose lease ran out (their sender died mid-send) go back in the queue; returns how many.
create function outbox_rescue()
    returns int
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    with rescued as (
        update outbox_emails
           set status = 'pending', lease_until = null, next_attempt_at = now(),
               last_error = 'Sending was interrupted (the server stopped mid-send); it will be tried again.'
         where status = 'sending' and lease_until < now()
        returning 1
    )
    select count(*)::int from rescued
$$;

revoke all on function outbox_claim(int, interval, text), outbox_sent(bigint, bigint),
    outbox_failed(bigint, bigint, text, timestamptz), outbox_release(bigint, bigint), outbox_rescue() from public;
grant execute on function outbox_claim(int, interval, text), outbox_sent(bigint, bigint),
    outbox_failed(bigint, bigint, text, timestamptz), outbox_release(bigint, bigint), outbox_rescue() to fieldops_app;

-- +goose Down
drop function outbox_rescue();
drop function outbox_release(bigint, bigint);
drop function outbox_failed(bigint, bigint, text, timestamptz);
drop function outbox_sent(bigint, bigint);
drop function outbox_claim(int, interval, text);
drop table outbox_emails;
