-- Today's Needs attention, each list read from its own index, oldest first, however large the company: jobs awaiting
-- quality check and jobs unchanged in a step of the workflow (by when they last changed), and visits with no time.
-- A visit lasts at most a day (jobs.MaxVisit), so a day's visits are found on the start index alone; rows older
-- than the rule are left as they are (not valid), new ones are held to it.
-- +goose NO TRANSACTION

-- +goose Up
-- A build that failed half-way leaves an invalid index behind: start afresh (as 00013 does).
drop index concurrently if exists jobs_quality_check_idx;
create index concurrently jobs_quality_check_idx on jobs (company_id, updated_at)
    where status = 'awaiting-quality-check';
drop index concurrently if exists jobs_stale_idx;
create index concurrently jobs_stale_idx on jobs (company_id, updated_at)
    where status in ('open-dispatch', 'in-progress', 'awaiting-billing', 'awaiting-payment');
drop index concurrently if exists visits_unscheduled_idx;
create index concurrently visits_unscheduled_idx on visits (company_id, id) where starts_at is null;
alter table visits drop constraint if exists visits_at_most_a_day;
alter table visits add constraint visits_at_most_a_day check (ends_at <= starts_at + interval '24 hours') not valid;

-- +goose Down
alter table visits drop constraint if exists visits_at_most_a_day;
drop index concurrently if exists visits_unscheduled_idx;
drop index concurrently if exists jobs_stale_idx;
drop index concurrently if exists jobs_quality_check_idx;
