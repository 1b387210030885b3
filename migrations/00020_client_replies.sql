-- Client users answer on their jobs (Job Share Plus, View messages): a reply is a message from the client, always
-- visible to the client, never internal. "From clients" becomes "something from the client the office has not
-- opened": a job raised in the portal, or one the client answered on. A job the office makes is seen from the start,
-- so the one flag is jobs.seen_at, cleared by a client's reply.

-- +goose Up
alter table job_messages
    add column from_client boolean not null default false,
    add constraint job_messages_client_reply_visible check (not from_client or visible_to_client);
update jobs set seen_at = created_at where seen_at is null and source <> 'portal';
alter table jobs alter column seen_at set default now();
create index jobs_unseen_idx on jobs (company_id, id desc) where seen_at is null;
drop index jobs_from_clients_idx;

-- +goose Down
create index jobs_from_clients_idx on jobs (company_id, id desc) where source = 'portal' and seen_at is null;
drop index jobs_unseen_idx;
alter table jobs alter column seen_at drop default;
update jobs set seen_at = null where source <> 'portal';
alter table job_messages drop constraint job_messages_client_reply_visible, drop column from_client;
