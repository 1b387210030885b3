-- Phonebooks: a person's own, a client's, a group's and the company's — the same owners as calendars — with contacts a call
-- reminder can pick from.

-- +goose Up
create table contacts (
    company_id    bigint not null references companies (id),
    id            bigint generated always as identity,
    -- Whose phonebook: a person's, a client's, a group's, or the company's (all null).
    membership_id bigint,
    client_id     bigint,
    group_id      bigint,
    name          text not null check (length(name) between 1 and 100),
    organisation  text not null default '' check (length(organisation) <= 200),
    phones        text[] not null default '{}' check (cardinality(phones) <= 5),
    email         text not null default '' check (length(email) <= 254),
    notes         text not null default '' check (length(notes) <= 2000),
    created_by    bigint,
    created_at    timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, group_id) references groups (company_id, id) on delete cascade,
    foreign key (company_id, created_by) references memberships (company_id, id),
    check (num_nonnulls(membership_id, client_id, group_id) <= 1)
);
create index contacts_name_idx on contacts (company_id, lower(name), id);

alter table contacts enable row level security;
create policy company_isolation on contacts
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update, delete on contacts to fieldops_app;

-- +goose Down
drop table contacts;
