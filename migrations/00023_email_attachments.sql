-- Emails carry files, and a job's timeline keeps each email sent about it whole. An attachment names a file of
-- the company by id, read from files.Storage when the worker sends; a file deleted before then leaves file_id null
-- and the email fails in words. A job message that is an email has its subject and the names of the files it
-- carried (its body may then be empty: a Job Share link alone).

-- +goose Up
create table outbox_attachments (
    company_id   bigint not null,
    email_id     bigint not null,
    position     int not null check (position >= 0),
    file_id      bigint,
    name         text not null check (length(name) between 1 and 255),
    content_type text not null,
    primary key (company_id, email_id, position),
    foreign key (company_id, email_id) references outbox_emails (company_id, id) on delete cascade,
    foreign key (company_id, file_id) references files (company_id, id) on delete set null (file_id)
);
-- Deleting a file finds the emails that carry it.
create index outbox_attachments_file_idx on outbox_attachments (company_id, file_id) where file_id is not null;

alter table outbox_attachments enable row level security;
create policy company_isolation on outbox_attachments
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on outbox_attachments to fieldops_app;

alter table job_messages
    add column subject     text check (length(subject) between 1 and 998),
    add column attachments text[] not null default '{}';
alter table job_messages
    drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) <= 20000 and (length(body) >= 1 or subject is not null));

-- +goose Down
alter table job_messages
    drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) between 1 and 10000);
alter table job_messages drop column attachments, drop column subject;
drop table outbox_attachments;
