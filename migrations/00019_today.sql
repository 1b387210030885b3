-- Today's Needs attention, each list read from its own index, oldest first, however large the company: jobs awaiting
-- quality check and jobs unchanged in a step of the workflow (by when they last changed), and visits with no time.
-- +goose NO TRANSACTION

-- +goose Up
create index concurrently if not exists jobs_quality_check_idx on jobs (company_id, updated_at)
    where status = 'awaiting-quality-check';
create index concurrently if not exists jobs_stale_idx on jobs (company_id, updated_at)
    where status in ('open-dispatch', 'in-progress', 'awaiting-billing', 'awaiting-payment');
create index concurrently if not exists visits_unscheduled_idx on visits (company_id, id) where starts_at is null;

-- +goose Down
drop index concurrently if exists visits_unscheduled_idx;
drop index concurrently if exists jobs_stale_idx;
drop index concurrently if exists jobs_quality_check_idx;
