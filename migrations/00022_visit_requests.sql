-- A client user asks for a visit on a day, within a time window if they say one: the window is the visit's own
-- (requested_start, requested_end), shown to the office and on the dashboard as "requested", and stays as asked
-- when the office schedules the visit (starts_at, ends_at).

-- +goose Up
alter table visits
    add column requested_start timestamptz,
    add column requested_end   timestamptz,
    add constraint visits_requested_window check ((requested_start is null) = (requested_end is null)
                                                  and requested_end > requested_start
                                                  and requested_end <= requested_start + interval '25 hours');

-- +goose Down
alter table visits drop constraint visits_requested_window, drop column requested_end, drop column requested_start;
