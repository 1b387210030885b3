-- Emails carry files. An attachment names a file of the company by id, read from files.Storage when the worker
-- sends, so a file is not copied per recipient; a file deleted before then leaves file_id null and the email fails
-- in words.

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

-- +goose Down
drop table outbox_attachments;
