-- Operations: what /metrics reports of the queues that span companies — emails and texts waiting or failed, by
-- status, with the oldest and the tries spent on them; reminders due and not yet told — counted by the owner,
-- returning counts only (no company, no content). Sent rows are not counted: they only grow.

-- +goose Up
-- +goose StatementBegin
create function ops_queue_stats()
    returns table (queue text, status text, n bigint, oldest_seconds double precision, attempts bigint)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select 'outbox', e.status, count(*), coalesce(extract(epoch from now() - min(e.created_at)), 0), coalesce(sum(e.attempts), 0)
      from outbox_emails e where e.status <> 'sent' group by e.status
    union all
    select 'sms', s.status, count(*), coalesce(extract(epoch from now() - min(s.created_at)), 0), coalesce(sum(s.attempts), 0)
      from sms_outbox s where s.status <> 'sent' group by s.status
    union all
    select 'reminders', 'due', count(*), coalesce(extract(epoch from now() - min(r.starts_at)), 0), 0
      from reminders r where r.fired_at is null and r.starts_at <= now()
$$;
-- +goose StatementEnd
revoke all on function ops_queue_stats() from public;
grant execute on function ops_queue_stats() to fieldops_app;

-- +goose Down
drop function ops_queue_stats();
