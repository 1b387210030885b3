-- Guests (co-working seed): a guest belongs to one client user, their host, and serves only that client. A guest
-- uses no seat. Their client is their host's; a guest whose host is deactivated can no longer log in (the viewer
-- query checks the host).

-- +goose Up
alter table memberships
    add column host_id bigint,
    add foreign key (company_id, host_id) references memberships (company_id, id),
    add constraint memberships_guest_host check ((role = 'guest') = (host_id is not null));
create index memberships_host_idx on memberships (company_id, host_id) where host_id is not null;

alter table invitations
    add column host_id bigint,
    add foreign key (company_id, host_id) references memberships (company_id, id),
    add constraint invitations_guest_host check ((role = 'guest') = (host_id is not null));
create index invitations_host_idx on invitations (company_id, host_id) where host_id is not null;

-- +goose Down
drop index invitations_host_idx;
alter table invitations drop constraint invitations_guest_host, drop column host_id;
drop index memberships_host_idx;
alter table memberships drop constraint memberships_guest_host, drop column host_id;
