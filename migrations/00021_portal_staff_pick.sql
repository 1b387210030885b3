-- Job Share Plus: a client user who requests a visit may name who should come, from the people the firm lets
-- clients pick (everyone, the co-workers assigned to that client, or nobody — then the office assigns); the visit
-- remembers who requested it.

-- +goose Up
alter table companies
    add column portal_staff_pick text not null default 'nobody' check (portal_staff_pick in ('everyone', 'assigned', 'nobody'));
grant update (portal_staff_pick) on companies to fieldops_app;
alter table visits
    add column requested_by bigint,
    add foreign key (company_id, requested_by) references memberships (company_id, id);

-- +goose Down
alter table visits drop column requested_by;
revoke update (portal_staff_pick) on companies from fieldops_app;
alter table companies drop column portal_staff_pick;
