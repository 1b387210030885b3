-- The outbox outlasts a long SMTP outage and delivers fairly across companies:
-- - a failed try is retried for days, counted from queued_at (creation, or the admin's last Retry);
-- - a sender renews its leases while a slow server works through its batch, so the rescue never hands a row that
--   is still being sent to another sender (outbox_renew; attempts is the fencing token: every claim bumps it);
-- - the claim serves companies in turns (least recently served first, a share of the batch each), so one company's
--   10,000 queued emails delay another's invitation by seconds, and it skips suspended companies;
-- - each email gets a random Message-ID at its first claim, never one built from the company or row id;
-- - an email with a private link that fails for good has its bodies redacted, as a sent one does.

-- +goose Up
alter table outbox_emails
    -- When the current run of tries began: the worker gives up (status failed) a set time after it.
    add column queued_at timestamptz not null default now();
update outbox_emails set queued_at = created_at;
-- Retry and Retry all failed (the admin, in the company's transaction) start a new run of tries.
grant update (queued_at) on outbox_emails to fieldops_app;

-- Message-IDs that carried the company and row id: emails not yet sent get a random one at their next claim.
update outbox_emails set message_id = null where status in ('pending', 'failed');
-- Emails that failed before this change lose their private links now, as those that fail from now on do.
update outbox_emails
   set text_body = '[This email held a private link. It was removed when sending failed.]',
       html_body = '<p>[This email held a private link. It was removed when sending failed.]</p>'
 where status = 'failed' and redact;

-- The claim walks the companies with pending emails (one index probe each) and reads each one's oldest due email,
-- so it leads with company_id; it replaces the time-only queue index.
drop index outbox_emails_due_idx;
create index outbox_emails_company_due_idx on outbox_emails (company_id, next_attempt_at) where status = 'pending';

-- When each company last had emails claimed: the claim serves the least recently served first. Ordering by each
-- company's oldest due email instead would fall back to first-in-first-out as soon as more companies have a
-- backlog than a batch has room for. Only the owner's claim reads and writes it; the app role has no grant.
create table outbox_turns (
    company_id bigint primary key references companies (id),
    served_at  timestamptz not null
);
alter table outbox_turns enable row level security;
create policy company_isolation on outbox_turns
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);

-- outbox_claim: up to p_limit due emails, leased to the caller until now() + p_lease, taken in turns across
-- companies: the p_limit least recently served companies with an email due (suspended ones wait), each given an
-- equal share of the batch, and the batch ordered round-robin (every company's first email, then every second…).
-- SKIP LOCKED lets several workers (and instances) claim side by side, never the same row. The return type grows
-- (queued_at), so the function is dropped and made anew; callers name the columns they read.
drop function outbox_claim(int, interval, text);
create function outbox_claim(p_limit int, p_lease interval, p_domain text)
    returns table (company_id bigint, id bigint, recipients text[], subject text, text_body text, html_body text,
                   message_id text, attempts int, queued_at timestamptz)
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    with recursive waiting (company_id) as (
        -- A loose index scan: each step jumps to the next company with a pending email, so the cost grows with
        -- the number of companies waiting, not with the number of emails.
        (select o.company_id
           from outbox_emails o
          where o.status = 'pending'
          order by o.company_id
          limit 1)
        union all
        select (select o.company_id
                  from outbox_emails o
                 where o.status = 'pending' and o.company_id > w.company_id
                 order by o.company_id
                 limit 1)
          from waiting w
         where w.company_id is not null
    ),
    turns as (
        select w.company_id, row_number() over (order by t.served_at nulls first, oldest.due) as turn
          from waiting w
          join companies c on c.id = w.company_id and c.suspended_at is null
          left join outbox_turns t on t.company_id = w.company_id
         cross join lateral (
                select o.next_attempt_at as due
                  from outbox_emails o
                 where o.company_id = w.company_id and o.status = 'pending'
                 order by o.next_attempt_at
                 limit 1
               ) oldest
         where oldest.due <= now()
         order by turn
         limit p_limit
    ),
    share as (
        select greatest(1, ceil(p_limit::numeric / count(*)))::int as per_company from turns
    ),
    picked as (
        select e.company_id, e.id
          from turns t
         cross join lateral (
                select o.company_id, o.id, o.next_attempt_at
                  from outbox_emails o
                 where o.company_id = t.company_id and o.status = 'pending' and o.next_attempt_at <= now()
                 order by o.next_attempt_at
                 limit (select per_company from share)
                   for update of o skip locked
               ) e
         order by row_number() over (partition by t.company_id order by e.next_attempt_at), t.turn
         limit p_limit
    ),
    claimed as (
        update outbox_emails o
           set status = 'sending',
               attempts = o.attempts + 1,
               lease_until = now() + p_lease,
               message_id = coalesce(o.message_id, encode(uuid_send(gen_random_uuid()), 'hex') || '@' || p_domain)
          from picked
         where o.company_id = picked.company_id and o.id = picked.id
        returning o.company_id, o.id, o.recipients, o.subject, o.text_body, o.html_body, o.message_id, o.attempts,
                  o.queued_at
    ),
    served as (
        -- In company order, so two claims serving the same companies take these row locks in the same order.
        insert into outbox_turns (company_id, served_at)
        select distinct c.company_id, now()
          from claimed c
         order by c.company_id
            on conflict (company_id) do update set served_at = excluded.served_at
    )
    select c.company_id, c.id, c.recipients, c.subject, c.text_body, c.html_body, c.message_id, c.attempts,
           c.queued_at
      from claimed c
$$;

-- outbox_renew: extends the leases of the caller's emails (company_ids[i], ids[i], claimed at attempts[i]) and
-- returns those it still holds. A row rescued meanwhile is pending, or claimed again with a higher attempts: the
-- caller must not send it.
create function outbox_renew(p_company_ids bigint[], p_ids bigint[], p_attempts int[], p_lease interval)
    returns table (company_id bigint, id bigint)
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    update outbox_emails o
       set lease_until = now() + p_lease
      from unnest(p_company_ids, p_ids, p_attempts) as held (company_id, id, attempts)
     where o.company_id = held.company_id and o.id = held.id and o.attempts = held.attempts
       and o.status = 'sending'
    returning o.company_id, o.id
$$;

-- outbox_failed: not delivered; try again at p_retry_at, or give up (status failed) when p_retry_at is null. A
-- body holding a secret is replaced when the email fails for good, as when it is sent.
create or replace function outbox_failed(p_company_id bigint, p_id bigint, p_error text, p_retry_at timestamptz)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
    update outbox_emails
       set status = case when p_retry_at is null then 'failed' else 'pending' end,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           last_error = left(p_error, 2000), lease_until = null,
           text_body = case when p_retry_at is null and redact
                            then '[This email held a private link. It was removed when sending failed.]'
                            else text_body end,
           html_body = case when p_retry_at is null and redact
                            then '<p>[This email held a private link. It was removed when sending failed.]</p>'
                            else html_body end
     where company_id = p_company_id and id = p_id and status = 'sending'
$$;

-- The outbox's other definer functions get the same search_path, pg_temp last.
alter function outbox_sent(bigint, bigint) set search_path = pg_catalog, public, pg_temp;
alter function outbox_release(bigint, bigint) set search_path = pg_catalog, public, pg_temp;
alter function outbox_rescue() set search_path = pg_catalog, public, pg_temp;

revoke all on function outbox_claim(int, interval, text), outbox_renew(bigint[], bigint[], int[], interval)
    from public;
grant execute on function outbox_claim(int, interval, text), outbox_renew(bigint[], bigint[], int[], interval)
    to fieldops_app;

-- +goose Down
alter function outbox_rescue() set search_path = pg_catalog, public;
alter function outbox_release(bigint, bigint) set search_path = pg_catalog, public;
alter function outbox_sent(bigint, bigint) set search_path = pg_catalog, public;

create or replace function outbox_failed(p_company_id bigint, p_id bigint, p_error text, p_retry_at timestamptz)
    returns void
    language sql volatile security definer set search_path = pg_catalog, public
as $$
    update outbox_emails
       set status = case when p_retry_at is null then 'failed' else 'pending' end,
           next_attempt_at = coalesce(p_retry_at, next_attempt_at),
           last_error = left(p_error, 2000), lease_until = null
     where company_id = p_company_id and id = p_id and status = 'sending'
$$;

drop function outbox_renew(bigint[], bigint[], int[], interval);

drop function outbox_claim(int, interval, text);
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
revoke all on function outbox_claim(int, interval, text) from public;
grant execute on function outbox_claim(int, interval, text) to fieldops_app;

drop table outbox_turns;
drop index outbox_emails_company_due_idx;
create index outbox_emails_due_idx on outbox_emails (next_attempt_at) where status = 'pending';
revoke update (queued_at) on outbox_emails from fieldops_app;
alter table outbox_emails drop column queued_at;
