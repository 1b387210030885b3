-- The task list's client filter; files on tasks (the seed's Browse: everyone on the task views and downloads them) and guests invited from a
-- task's person control, who join that task when they accept.

-- +goose Up
-- One client's tasks, newest first: the task list's client filter, flat however many tasks the company has.
create index tasks_client_idx on tasks (company_id, client_id, id desc) where client_id is not null;

alter table files
    add column task_id bigint,
    add foreign key (company_id, task_id) references tasks (company_id, id) on delete cascade,
    drop constraint files_check,
    add constraint files_one_owner check (num_nonnulls(job_id, site_id, task_id) = 1);
create index files_task_idx on files (company_id, task_id, id) where task_id is not null;

alter table invitations
    add column task_id bigint,
    add foreign key (company_id, task_id) references tasks (company_id, id),
    add constraint invitations_task_guest check (task_id is null or role = 'guest');

-- +goose Down
drop index tasks_client_idx;
alter table invitations drop constraint invitations_task_guest, drop column task_id;
drop index files_task_idx;
delete from files where task_id is not null; -- a task's files have no job or site to stay on
alter table files drop constraint files_one_owner, drop column task_id,
    add constraint files_check check ((job_id is null) <> (site_id is null));
