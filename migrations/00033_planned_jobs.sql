-- Planned jobs (planned maintenance orders in a client's building): where (a building — a client's site — its
-- locations and its assets), what (type, description, order date, interventions: an asset and a task each), and the
-- office's own fields (cost centre, assignees, internal notifications, internal SLA, gatekeeper, customer
-- satisfaction). A planned job is shared with the building's client and/or a supplier (a subcontractor
-- connection): each share is a row until stopped; the client and supplier comment and add documents.
--
-- The client reads a shared planned job in its own company (the portal, under RLS). A supplier reads it from its
-- own company through the definer functions below, which return the shared fields only — the allow-list lives in
-- planned_shared_job, nowhere else.

-- +goose Up
create table assets (
    company_id bigint not null,
    id         bigint generated always as identity,
    site_id    bigint not null,
    name       text not null check (length(name) between 1 and 200),
    created_at timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, site_id) references sites (company_id, id) on delete cascade
);
create index assets_site_idx on assets (company_id, site_id, name);
alter table assets enable row level security;
create policy company_isolation on assets
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on assets to fieldops_app;

create table planned_jobs (
    company_id             bigint not null references companies (id),
    id                     bigint generated always as identity,
    site_id                bigint not null,
    title                  text not null check (length(title) between 1 and 200),
    type                   text not null default '' check (length(type) <= 100),
    description            text not null default '' check (length(description) <= 10000),
    order_date             date,
    cost_centre            text not null default '' check (length(cost_centre) <= 100),
    internal_notifications text not null default '' check (length(internal_notifications) <= 1000),
    internal_sla           text not null default '' check (length(internal_sla) <= 200),
    gatekeeper             text not null default '' check (length(gatekeeper) <= 200),
    customer_satisfaction  text not null default '' check (length(customer_satisfaction) <= 200),
    supplier_id            bigint,
    created_by             bigint,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, site_id) references sites (company_id, id),
    foreign key (company_id, supplier_id) references connections (company_id, id),
    foreign key (company_id, created_by) references memberships (company_id, id)
);
create index planned_jobs_list_idx on planned_jobs (company_id, id desc);
create index planned_jobs_site_idx on planned_jobs (company_id, site_id, id desc);
alter table planned_jobs enable row level security;
create policy company_isolation on planned_jobs
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update on planned_jobs to fieldops_app;

create table planned_assignees (
    company_id     bigint not null,
    planned_job_id bigint not null,
    membership_id  bigint not null,
    primary key (company_id, planned_job_id, membership_id),
    foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade,
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
alter table planned_assignees enable row level security;
create policy company_isolation on planned_assignees
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on planned_assignees to fieldops_app;

create table planned_locations (
    company_id     bigint not null,
    id             bigint generated always as identity,
    planned_job_id bigint not null,
    name           text not null check (length(name) between 1 and 200),
    primary key (company_id, id),
    foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade
);
create index planned_locations_job_idx on planned_locations (company_id, planned_job_id, id);
alter table planned_locations enable row level security;
create policy company_isolation on planned_locations
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on planned_locations to fieldops_app;

create table planned_interventions (
    company_id     bigint not null,
    id             bigint generated always as identity,
    planned_job_id bigint not null,
    asset_id       bigint not null,
    task           text not null check (length(task) between 1 and 500),
    primary key (company_id, id),
    foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade,
    foreign key (company_id, asset_id) references assets (company_id, id)
);
create index planned_interventions_job_idx on planned_interventions (company_id, planned_job_id, id);
alter table planned_interventions enable row level security;
create policy company_isolation on planned_interventions
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, delete on planned_interventions to fieldops_app;

-- A share with the building's client, or with the supplier: live until stopped_at.
create table planned_shares (
    company_id     bigint not null,
    planned_job_id bigint not null,
    party          text not null check (party in ('client', 'supplier')),
    connection_id  bigint,
    note           text not null default '' check (length(note) <= 2000),
    shared_by      bigint,
    shared_at      timestamptz not null default now(),
    stopped_at     timestamptz,
    primary key (company_id, planned_job_id, party),
    foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade,
    foreign key (company_id, connection_id) references connections (company_id, id),
    foreign key (company_id, shared_by) references memberships (company_id, id),
    check ((party = 'supplier') = (connection_id is not null))
);
create index planned_shares_connection_idx on planned_shares (company_id, connection_id) where connection_id is not null;
alter table planned_shares enable row level security;
create policy company_isolation on planned_shares
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (note, shared_by, shared_at, stopped_at, connection_id) on planned_shares to fieldops_app;

-- The collaboration: comments and History lines, by the office, the client or the supplier.
create table planned_activity (
    company_id     bigint not null,
    id             bigint generated always as identity,
    planned_job_id bigint not null,
    party          text not null check (party in ('office', 'client', 'supplier')),
    author_name    text not null check (length(author_name) between 1 and 200),
    kind           text not null check (kind in ('comment', 'history')),
    body           text not null check (length(body) between 1 and 4000),
    created_at     timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade
);
create index planned_activity_job_idx on planned_activity (company_id, planned_job_id, id);
alter table planned_activity enable row level security;
create policy company_isolation on planned_activity
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert on planned_activity to fieldops_app;

-- Documents of a planned job: files, shared unless the office keeps one internal.
alter table files
    add column planned_job_id bigint,
    add column party text check (party in ('office', 'client', 'supplier')),
    add foreign key (company_id, planned_job_id) references planned_jobs (company_id, id) on delete cascade,
    drop constraint files_one_owner,
    add constraint files_one_owner check (num_nonnulls(job_id, site_id, task_id, invoice_id, planned_job_id) = 1);
create index files_planned_idx on files (company_id, planned_job_id, id) where planned_job_id is not null;

-- supplier_share finds the live supplier share of owner's planned job p_id for the company of the transaction
-- (the supplier), or nothing.
-- +goose StatementBegin
create function supplier_share(p_owner bigint, p_id bigint)
    returns table (owner_name text, supplier_name text)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select (select name from companies where id = s.company_id), k.name
      from planned_shares s
      join connections k on k.company_id = s.company_id and k.id = s.connection_id
     where s.company_id = p_owner and s.planned_job_id = p_id and s.party = 'supplier' and s.stopped_at is null
       and k.kind = 'subcontractor' and k.connected_at is not null
       and k.id = (select p.supplier_id from planned_jobs p where p.company_id = p_owner and p.id = p_id)
       and k.peer_company_id = nullif(current_setting('app.company_id', true), '')::bigint
$$;
-- +goose StatementEnd

-- planned_shared_list: the planned jobs shared with the company of the transaction as a supplier, newest first.
-- +goose StatementBegin
create function planned_shared_list()
    returns table (owner_id bigint, id bigint, owner_name text, title text, type text, order_date date, shared_at timestamptz)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select p.company_id, p.id, c.name, p.title, p.type, p.order_date, s.shared_at
      from connections k
      join planned_shares s on s.company_id = k.company_id and s.connection_id = k.id and s.party = 'supplier' and s.stopped_at is null
      join planned_jobs p on p.company_id = s.company_id and p.id = s.planned_job_id
      join companies c on c.id = p.company_id
     where k.peer_company_id = nullif(current_setting('app.company_id', true), '')::bigint and k.kind = 'subcontractor'
     order by s.shared_at desc
     limit 200
$$;
-- +goose StatementEnd

-- planned_shared_job: THE allow-list of what a supplier sees of a planned job shared with it — title, type,
-- description, order date, the building's name and address, the share's note; never cost centre, assignees,
-- internal notifications, internal SLA, gatekeeper or customer satisfaction. Nothing when it is not shared with the
-- company of the transaction.
-- +goose StatementBegin
create function planned_shared_job(p_owner bigint, p_id bigint)
    returns table (owner_name text, title text, type text, description text, order_date date, building text,
                   address text, note text)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select x.owner_name, p.title, p.type, p.description, p.order_date, st.name, st.address, s.note
      from supplier_share(p_owner, p_id) x
      join planned_jobs p on p.company_id = p_owner and p.id = p_id
      join sites st on st.company_id = p.company_id and st.id = p.site_id
      join planned_shares s on s.company_id = p.company_id and s.planned_job_id = p.id and s.party = 'supplier'
$$;
-- +goose StatementEnd

-- planned_shared_items: its locations and interventions (asset name and task), and its comments and shared
-- documents (name, size, who): kind, id, text, detail.
-- +goose StatementBegin
create function planned_shared_items(p_owner bigint, p_id bigint)
    returns table (kind text, id bigint, label text, detail text, at timestamptz)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select 'location', l.id, l.name, '', null::timestamptz
      from supplier_share(p_owner, p_id) x join planned_locations l on l.company_id = p_owner and l.planned_job_id = p_id
    union all
    select 'intervention', i.id, a.name, i.task, null
      from supplier_share(p_owner, p_id) x
      join planned_interventions i on i.company_id = p_owner and i.planned_job_id = p_id
      join assets a on a.company_id = i.company_id and a.id = i.asset_id
    union all
    select 'comment', c.id, c.author_name, c.body, c.created_at
      from supplier_share(p_owner, p_id) x join planned_activity c on c.company_id = p_owner and c.planned_job_id = p_id and c.kind = 'comment'
    union all
    select 'document', f.id, f.name, f.content_type, f.created_at
      from supplier_share(p_owner, p_id) x
      join files f on f.company_id = p_owner and f.planned_job_id = p_id and f.visible_to_client
    order by 1, 2
$$;
-- +goose StatementEnd

-- planned_shared_comment: the supplier's comment on a planned job shared with it; false when it is not.
-- +goose StatementBegin
create function planned_shared_comment(p_owner bigint, p_id bigint, p_author text, p_body text) returns boolean
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_supplier text;
begin
    select x.supplier_name into v_supplier from supplier_share(p_owner, p_id) x;
    if not found then
        return false;
    end if;
    insert into planned_activity (company_id, planned_job_id, party, author_name, kind, body)
    values (p_owner, p_id, 'supplier', left(p_author || ' (' || v_supplier || ')', 200), 'comment', p_body);
    return true;
end
$$;
-- +goose StatementEnd

-- planned_shared_document: the supplier's document (its checked bytes) on a planned job shared with it; its id in
-- the owner's company, or null when not shared.
-- +goose StatementBegin
create function planned_shared_document(p_owner bigint, p_id bigint, p_author text, p_name text, p_type text, p_data bytea)
    returns bigint
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_supplier text;
    v_id bigint;
begin
    select x.supplier_name into v_supplier from supplier_share(p_owner, p_id) x;
    if not found then
        return null;
    end if;
    insert into files (company_id, planned_job_id, party, name, content_type, size, visible_to_client)
    values (p_owner, p_id, 'supplier', p_name, p_type, length(p_data), true) returning id into v_id;
    insert into file_blobs (company_id, file_id, variant, data) values (p_owner, v_id, 'original', p_data);
    insert into planned_activity (company_id, planned_job_id, party, author_name, kind, body)
    values (p_owner, p_id, 'supplier', left(p_author || ' (' || v_supplier || ')', 200), 'history', 'Added the document ' || p_name);
    return v_id;
end
$$;
-- +goose StatementEnd

-- planned_shared_file: a shared document's name, type and bytes, for the supplier it is shared with.
-- +goose StatementBegin
create function planned_shared_file(p_owner bigint, p_id bigint, p_file bigint)
    returns table (name text, content_type text, data bytea)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select f.name, f.content_type, b.data
      from supplier_share(p_owner, p_id) x
      join files f on f.company_id = p_owner and f.planned_job_id = p_id and f.id = p_file and f.visible_to_client
      join file_blobs b on b.company_id = f.company_id and b.file_id = f.id and b.variant = 'original'
$$;
-- +goose StatementEnd

revoke all on function supplier_share(bigint, bigint), planned_shared_list(), planned_shared_job(bigint, bigint),
    planned_shared_items(bigint, bigint), planned_shared_comment(bigint, bigint, text, text),
    planned_shared_document(bigint, bigint, text, text, text, bytea), planned_shared_file(bigint, bigint, bigint) from public;
grant execute on function planned_shared_list(), planned_shared_job(bigint, bigint), planned_shared_items(bigint, bigint),
    planned_shared_comment(bigint, bigint, text, text), planned_shared_document(bigint, bigint, text, text, text, bytea),
    planned_shared_file(bigint, bigint, bigint) to fieldops_app;

-- +goose Down
drop function planned_shared_file(bigint, bigint, bigint);
drop function planned_shared_document(bigint, bigint, text, text, text, bytea);
drop function planned_shared_comment(bigint, bigint, text, text);
drop function planned_shared_items(bigint, bigint);
drop function planned_shared_job(bigint, bigint);
drop function planned_shared_list();
drop function supplier_share(bigint, bigint);
delete from files where planned_job_id is not null;
alter table files drop constraint files_one_owner, drop column party, drop column planned_job_id,
    add constraint files_one_owner check (num_nonnulls(job_id, site_id, task_id, invoice_id) = 1);
drop table planned_activity;
drop table planned_shares;
drop table planned_interventions;
drop table planned_locations;
drop table planned_assignees;
drop table planned_jobs;
drop table assets;
