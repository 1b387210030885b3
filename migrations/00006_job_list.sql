-- The job list at scale: an index per way the list is read, counters for the view counts, and the flag behind the
-- "From clients" view. Every index leads with company_id.

-- +goose Up
-- Jobs raised in the client portal stay in "From clients" until someone in the office opens them.
alter table jobs add column seen_at timestamptz;

create index jobs_status_idx on jobs (company_id, status, id desc);
create index jobs_from_clients_idx on jobs (company_id, id desc) where source = 'portal' and seen_at is null;
create index jobs_title_search_idx on jobs using gin (company_id, title gin_trgm_ops);
create index sites_search_idx on sites using gin (company_id, (name || ' ' || address) gin_trgm_ops);
-- "Completed jobs scheduled today" starts from today's visits.
create index visits_start_idx on visits (company_id, starts_at) where starts_at is not null;

-- How many jobs each company has in each status, kept by a trigger, so the view counts cost the same for 60 jobs
-- as for a million.
create table job_counts (
    company_id bigint not null references companies (id),
    status     text not null,
    n          bigint not null,
    primary key (company_id, status)
);
alter table job_counts enable row level security;
create policy company_isolation on job_counts
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on job_counts to fieldops_app;

-- Statement-level, over the statement's transition tables: one upsert per status a statement touches, so a COPY of
-- 100,000 jobs or a bulk update costs a handful of row versions, not one per job.
-- +goose StatementBegin
create function job_counts_track() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into job_counts (company_id, status, n)
        select company_id, status, count(*) from new_rows group by company_id, status
        on conflict (company_id, status) do update set n = job_counts.n + excluded.n;
    elsif tg_op = 'DELETE' then
        update job_counts c set n = c.n - d.n
          from (select company_id, status, count(*) as n from old_rows group by company_id, status) d
         where c.company_id = d.company_id and c.status = d.status;
    else
        insert into job_counts (company_id, status, n)
        select company_id, status, sum(n) from (
            select company_id, status, -count(*) as n from old_rows group by company_id, status
            union all
            select company_id, status, count(*) from new_rows group by company_id, status) d
         group by company_id, status
        having sum(n) <> 0
        on conflict (company_id, status) do update set n = job_counts.n + excluded.n;
    end if;
    return null;
end
$$;
-- +goose StatementEnd

create trigger job_counts_insert after insert on jobs
    referencing new table as new_rows for each statement execute function job_counts_track();
create trigger job_counts_update after update on jobs
    referencing old table as old_rows new table as new_rows for each statement execute function job_counts_track();
create trigger job_counts_delete after delete on jobs
    referencing old table as old_rows for each statement execute function job_counts_track();

insert into job_counts (company_id, status, n)
select company_id, status, count(*) from jobs group by company_id, status;

-- +goose Down
drop trigger job_counts_delete on jobs;
drop trigger job_counts_update on jobs;
drop trigger job_counts_insert on jobs;
drop function job_counts_track();
drop table job_counts;
drop index visits_start_idx;
drop index sites_search_idx;
drop index jobs_title_search_idx;
drop index jobs_from_clients_idx;
drop index jobs_status_idx;
alter table jobs drop column seen_at;
