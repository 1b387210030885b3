-- A job's timeline keeps each email sent about it whole: its subject and the names of the files it carried beside
-- the message, whose body may then be empty (a Job Share link alone). Emails kept before this stay as they were
-- written ("Email: subject", then the body).

-- +goose Up
alter table job_messages
    add column subject     text check (length(subject) between 1 and 998),
    add column attachments text[] not null default '{}';
alter table job_messages
    drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) <= 25000 and (length(body) >= 1 or subject is not null));

-- +goose Down
update job_messages set body = left('Email: ' || subject || case when body = '' then '' else E'\n\n' || body end, 25000)
 where subject is not null;
alter table job_messages
    drop constraint job_messages_body_check,
    add constraint job_messages_body_check check (length(body) between 1 and 25000);
alter table job_messages drop column attachments, drop column subject;
