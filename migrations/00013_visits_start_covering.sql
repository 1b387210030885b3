-- "Completed jobs scheduled today" is counted on every job list: today's visits' jobs, read from the index alone
-- (the visit's job carried in it) instead of a heap fetch per visit — the count that grew with the company.
-- +goose NO TRANSACTION

-- +goose Up
create index concurrently if not exists visits_start_job_idx on visits (company_id, starts_at) include (job_id)
    where starts_at is not null;
drop index concurrently if exists visits_start_idx;

-- +goose Down
create index concurrently if not exists visits_start_idx on visits (company_id, starts_at) where starts_at is not null;
drop index concurrently if exists visits_start_job_idx;
