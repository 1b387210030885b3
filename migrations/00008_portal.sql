-- Job Share Plus: client users, tied to one client, with the permissions the firm gives each of them; and the
-- company's defaults for those permissions (Settings, Extra Features).

-- +goose Up
alter table companies
    add column portal_add_edit      boolean not null default false,
    add column portal_view_messages boolean not null default false,
    add column portal_view_prices   boolean not null default false;
grant update (portal_add_edit, portal_view_messages, portal_view_prices) on companies to fieldops_app;

alter table memberships
    add column client_id          bigint,
    add column perm_add_edit      boolean not null default false,
    add column perm_view_messages boolean not null default false,
    add column perm_view_prices   boolean not null default false,
    add foreign key (company_id, client_id) references clients (company_id, id),
    add check ((role = 'client') = (client_id is not null));
create index memberships_client_idx on memberships (company_id, client_id) where client_id is not null;

alter table invitations
    add column client_id          bigint,
    add column perm_add_edit      boolean not null default false,
    add column perm_view_messages boolean not null default false,
    add column perm_view_prices   boolean not null default false,
    add foreign key (company_id, client_id) references clients (company_id, id),
    add check ((role = 'client') = (client_id is not null));
grant update (perm_add_edit, perm_view_messages, perm_view_prices) on invitations to fieldops_app;

-- +goose Down
alter table invitations drop column perm_view_prices, drop column perm_view_messages, drop column perm_add_edit, drop column client_id;
drop index memberships_client_idx;
alter table memberships drop column perm_view_prices, drop column perm_view_messages, drop column perm_add_edit, drop column client_id;
revoke update (portal_add_edit, portal_view_messages, portal_view_prices) on companies from fieldops_app;
alter table companies drop column portal_view_prices, drop column portal_view_messages, drop column portal_add_edit;
