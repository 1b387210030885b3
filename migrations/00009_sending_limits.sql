-- Email abuse: a company signed up by anyone may email only its own admin until that admin has verified their
-- address; every company sends within hourly and daily limits counted at enqueue; the operator can raise the
-- limits or suspend a company (then nothing of its is sent). All of it is the operator's: the app role may read
-- these columns, never write them (its update grant on companies stays column by column).

-- +goose Up
alter table companies
    add column verified_at        timestamptz,
    add column suspended_at       timestamptz,
    add column suspended_reason   text not null default '' check (length(suspended_reason) <= 500),
    -- null: the defaults in internal/mail (stricter in a company's first days).
    add column email_hourly_limit int check (email_hourly_limit >= 0),
    add column email_daily_limit  int check (email_daily_limit >= 0);
-- Companies from before this change, and those the operator creates, are trusted as verified.
update companies set verified_at = created_at;

-- Counting a company's recent emails at enqueue.
create index outbox_emails_company_created_idx on outbox_emails (company_id, created_at);

-- +goose Down
drop index outbox_emails_company_created_idx;
alter table companies drop column email_daily_limit, drop column email_hourly_limit, drop column suspended_reason,
    drop column suspended_at, drop column verified_at;
