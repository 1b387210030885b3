-- "Completed jobs scheduled today" is counted on every job list: today's visits' jobs, read from the index alone
-- (the visit's job carried in it) instead of a heap fetch per visit — the count that grew with the company.
-- +goose NO TRANSACTION

-- +goose Up
-- A build that failed half-way leaves an invalid index behind: start afresh, so the old index is dropped only after
-- a valid new one stands.
drop index concurrently if exists visits_start_job_idx;
create index concurrently visits_start_job_idx on visits (company_id, starts_at) include (job_id)
    where starts_at is not null;
drop index concurrently if exists visits_start_idx;

-- +goose Down
create index concurrently if not exists visits_start_idx on visits (company_id, starts_at) where starts_at is not null;
drop index concurrently if exists visits_start_job_idx;
