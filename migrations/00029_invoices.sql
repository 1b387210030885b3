-- Invoices (jobs seed: the jobs list is "the invoices section"). A job's invoice is issued from its time & parts at
-- sale price and frozen: its lines, parties and totals are copied, and its PDF kept as a file of the invoice, so later
-- edits change nothing already sent. Re-issuing makes a new version under the same number, the old one kept.
-- Numbers come from a counter row per company (INV-1001 …) and are never reused. What an invoice needs of the company
-- — its address, tax number, tax rate, payment terms, paper — lives in Settings.

-- +goose Up
alter table companies
    add column address            text not null default '' check (length(address) <= 500),
    add column tax_number         text not null default '' check (length(tax_number) <= 50),
    add column tax_name           text not null default 'GST' check (length(tax_name) between 1 and 20),
    add column tax_rate_bp        int not null default 1500 check (tax_rate_bp between 0 and 10000),
    add column tax_inclusive      boolean not null default false,
    add column payment_terms_days int not null default 20 check (payment_terms_days between 0 and 365),
    add column paper              text not null default 'A4' check (paper in ('A4', 'Letter')),
    -- The logo invoices print: a PNG or JPEG of at most 512 KB, checked by the app.
    add column logo               bytea check (length(logo) <= 524288),
    add column logo_type          text check (logo_type in ('PNG', 'JPG')),
    add constraint companies_logo_typed check ((logo is null) = (logo_type is null));
grant update (address, tax_number, tax_name, tax_rate_bp, tax_inclusive, payment_terms_days, paper, logo, logo_type) on companies to fieldops_app;

create table invoice_numbers (
    company_id  bigint primary key references companies (id),
    next_number bigint not null default 1001
);
alter table invoice_numbers enable row level security;
create policy company_isolation on invoice_numbers
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on invoice_numbers to fieldops_app;

create table invoices (
    company_id     bigint not null references companies (id),
    id             bigint generated always as identity,
    job_id         bigint not null,
    number         bigint not null,
    version        int not null check (version >= 1),
    issued_at      timestamptz not null default now(),
    issued_by      bigint,
    due_on         date not null,
    -- Frozen at issue: who bills whom, for what.
    company_name   text not null,
    company_addr   text not null,
    tax_number     text not null,
    bill_to        text not null,
    bill_to_addr   text not null,
    site_addr      text not null,
    job_ref        text not null,
    job_title      text not null,
    currency       text not null,
    tax_name       text not null,
    tax_rate_bp    int not null,
    tax_inclusive  boolean not null,
    subtotal_cents bigint not null,
    tax_cents      bigint not null,
    total_cents    bigint not null,
    paid_at        timestamptz,
    -- Set when a newer version replaces it.
    superseded_at  timestamptz,
    primary key (company_id, id),
    unique (company_id, number, version),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, issued_by) references memberships (company_id, id)
);
-- A job's invoices, newest first; its current one.
create index invoices_job_idx on invoices (company_id, job_id, id desc);
create unique index invoices_current_idx on invoices (company_id, job_id) where superseded_at is null;
alter table invoices enable row level security;
create policy company_isolation on invoices
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (paid_at, superseded_at) on invoices to fieldops_app;

create table invoice_lines (
    company_id       bigint not null,
    invoice_id       bigint not null,
    position         int not null check (position >= 0),
    description      text not null,
    quantity_milli   bigint not null,
    unit_price_cents bigint not null,
    amount_cents     bigint not null,
    primary key (company_id, invoice_id, position),
    foreign key (company_id, invoice_id) references invoices (company_id, id) on delete cascade
);
alter table invoice_lines enable row level security;
create policy company_isolation on invoice_lines
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on invoice_lines to fieldops_app;

-- An invoice's PDF is a file of the invoice: downloads and email attachments read it like any file.
alter table files
    add column invoice_id bigint,
    add foreign key (company_id, invoice_id) references invoices (company_id, id) on delete cascade,
    drop constraint files_one_owner,
    add constraint files_one_owner check (num_nonnulls(job_id, site_id, task_id, invoice_id) = 1);
create unique index files_invoice_idx on files (company_id, invoice_id) where invoice_id is not null;

-- Every send of an invoice: which version, to whom, by whom, and the email (its delivery status is the outbox's).
create table invoice_dispatches (
    company_id bigint not null,
    id         bigint generated always as identity,
    invoice_id bigint not null,
    email_id   bigint,
    recipients text[] not null,
    sent_by    bigint,
    created_at timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, invoice_id) references invoices (company_id, id) on delete cascade,
    foreign key (company_id, email_id) references outbox_emails (company_id, id) on delete set null (email_id),
    foreign key (company_id, sent_by) references memberships (company_id, id)
);
create index invoice_dispatches_invoice_idx on invoice_dispatches (company_id, invoice_id, id desc);
alter table invoice_dispatches enable row level security;
create policy company_isolation on invoice_dispatches
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on invoice_dispatches to fieldops_app;

-- Staged billing: a subjob bills a share of its parent — a percentage of the parent's time & parts, or an amount —
-- on a planned day. A parent's percentages never pass 100 % (checked under the parent's lock).
create table billing_stages (
    company_id   bigint not null,
    job_id       bigint not null,
    parent_id    bigint not null,
    share_bp     int check (share_bp between 1 and 10000),
    amount_cents bigint check (amount_cents between 1 and 10000000000000),
    bill_on      date,
    primary key (company_id, job_id),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, parent_id) references jobs (company_id, id) on delete cascade,
    check (num_nonnulls(share_bp, amount_cents) = 1),
    check (job_id <> parent_id)
);
create index billing_stages_parent_idx on billing_stages (company_id, parent_id);
alter table billing_stages enable row level security;
create policy company_isolation on billing_stages
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on billing_stages to fieldops_app;

-- +goose Down
drop table billing_stages;
revoke update (address, tax_number, tax_name, tax_rate_bp, tax_inclusive, payment_terms_days, paper, logo, logo_type) on companies from fieldops_app;
drop table invoice_dispatches;
delete from files where invoice_id is not null;
alter table files drop constraint files_one_owner, drop column invoice_id,
    add constraint files_one_owner check (num_nonnulls(job_id, site_id, task_id) = 1);
drop table invoice_lines;
drop table invoices;
drop table invoice_numbers;
alter table companies drop column address, drop column tax_number, drop column tax_name, drop column tax_rate_bp,
    drop column tax_inclusive, drop column payment_terms_days, drop column paper, drop column logo, drop column logo_type;
