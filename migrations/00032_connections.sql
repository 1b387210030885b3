-- Connections between companies: a firm that assigns jobs to another (its subcontractor), seen from the other side
-- as a customer with a client record; jobs assigned across a connection, linked on both sides; the privacy setting
-- that lets a subcontractor see the customer behind a job.
--
-- Every row stays in its own company under RLS. What crosses goes through the owner's definer functions below, each
-- copying a named list of fields and nothing else; those that act for a company check it is the company of the
-- caller's transaction (app.company_id), so the app can act only for the company it is serving.

-- +goose Up
alter table companies add column show_customer_to_subcontractors boolean not null default false;
grant update (show_customer_to_subcontractors) on companies to fieldops_app;

-- One side of a connection. kind 'subcontractor': a firm this company assigns jobs to; kind 'customer': a firm that
-- assigns jobs to this company, which stands in its client list as client_id. A subcontractor row is an invitation
-- (email, token) until the firm accepts; then peer_* name the other side's row.
create table connections (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    kind            text not null check (kind in ('customer', 'subcontractor')),
    name            text not null check (length(name) between 1 and 200),
    email           citext check (email is null or length(email) between 3 and 254),
    client_id       bigint,
    token_hash      bytea unique check (length(token_hash) = 32),
    expires_at      timestamptz,
    invited_by      bigint,
    peer_company_id bigint references companies (id),
    peer_id         bigint,
    connected_at    timestamptz,
    created_at      timestamptz not null default now(),
    primary key (company_id, id),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, invited_by) references memberships (company_id, id),
    check ((kind = 'customer') = (client_id is not null)),
    check ((peer_company_id is null) = (connected_at is null)),
    check ((peer_company_id is null) = (peer_id is null)),
    check (peer_company_id <> company_id)
);
create unique index connections_peer_idx on connections (company_id, kind, peer_company_id) where peer_company_id is not null;
create unique index connections_client_idx on connections (company_id, client_id) where client_id is not null;
create index connections_list_idx on connections (company_id, kind, name, id);

alter table connections enable row level security;
create policy company_isolation on connections
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
-- The app writes invitations only: which firm is on the other side (peer_*, connected_at) and which client stands
-- for it are written by the definer functions below, so no request can make up a connection. A connected row is
-- never deleted (the other side points at it).
grant select on connections to fieldops_app;
grant insert (company_id, kind, name, email, token_hash, expires_at, invited_by) on connections to fieldops_app;
grant update (name, email, token_hash, expires_at, invited_by) on connections to fieldops_app;
grant delete on connections to fieldops_app;
create policy pending_only on connections as restrictive for delete using (connected_at is null);
-- The Connections page's customers: each client's latest Job Share Plus invitation.
create index invitations_client_idx on invitations (company_id, client_id, id desc) where client_id is not null;

-- A job assigned across a connection, one row on each side: 'assigned-to' on the assigning firm's job (the peer job
-- is the subcontractor's), 'assigned-by' on the subcontractor's job (the peer job is the assigning firm's). Written
-- only by the definer functions.
create table job_links (
    company_id      bigint not null,
    job_id          bigint not null,
    direction       text not null check (direction in ('assigned-to', 'assigned-by')),
    connection_id   bigint not null,
    peer_company_id bigint not null references companies (id),
    peer_job_id     bigint not null,
    agreed_cents    bigint check (agreed_cents between 0 and 10000000000),
    created_at      timestamptz not null default now(),
    primary key (company_id, job_id, direction),
    foreign key (company_id, job_id) references jobs (company_id, id) on delete cascade,
    foreign key (company_id, connection_id) references connections (company_id, id)
);
create index job_links_connection_idx on job_links (company_id, connection_id, job_id);
create index job_links_peer_idx on job_links (peer_company_id, peer_job_id);

alter table job_links enable row level security;
create policy company_isolation on job_links
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select on job_links to fieldops_app;

-- acting_company refuses a definer call for any company but the one the caller's transaction serves.
-- +goose StatementBegin
create function acting_company(p_company bigint) returns void
    language plpgsql stable set search_path = pg_catalog, public, pg_temp
as $$
begin
    if p_company is distinct from nullif(current_setting('app.company_id', true), '')::bigint then
        raise exception 'not the company of this transaction' using errcode = '42501';
    end if;
end
$$;
-- +goose StatementEnd

-- connection_invitation: which company's subcontractor invitation a link is for (ids only; read under RLS after).
-- +goose StatementBegin
create function connection_invitation(p_token_hash bytea)
    returns table (company_id bigint, connection_id bigint)
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select company_id, id from connections where token_hash = p_token_hash and kind = 'subcontractor'
$$;
-- +goose StatementEnd

-- connect_pair writes both sides of a new connection: the assigning firm's subcontractor row (p_hirer_row, or a new
-- one) and the other firm's customer row with its client record (p_client, or a new one named for the firm).
-- Refused when the two are already connected that way (23505), or are the same company.
-- +goose StatementBegin
create function connect_pair(p_hirer bigint, p_hirer_row bigint, p_doer bigint, p_client bigint, p_contact citext)
    returns void
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_hirer_name text := (select name from companies where id = p_hirer);
    v_doer_name  text := (select name from companies where id = p_doer);
    v_client     bigint := p_client;
    v_doer_row   bigint;
begin
    if p_hirer = p_doer then
        raise exception 'a company cannot connect to itself' using errcode = '22023';
    end if;
    if exists (select from connections c where c.company_id = p_hirer and c.kind = 'subcontractor' and c.peer_company_id = p_doer)
       or exists (select from connections c where c.company_id = p_doer and c.kind = 'customer' and c.peer_company_id = p_hirer) then
        raise exception 'already connected' using errcode = '23505', constraint = 'connections_peer_idx';
    end if;
    if v_client is null then
        insert into clients (company_id, name, email) values (p_doer, v_hirer_name, p_contact) returning id into v_client;
    end if;
    if p_hirer_row is null then
        insert into connections (company_id, kind, name, email) values (p_hirer, 'subcontractor', v_doer_name, null)
        returning id into p_hirer_row;
    end if;
    insert into connections (company_id, kind, name, client_id, peer_company_id, peer_id, connected_at)
    values (p_doer, 'customer', v_hirer_name, v_client, p_hirer, p_hirer_row, now())
    returning id into v_doer_row;
    update connections
       set name = v_doer_name, token_hash = null, expires_at = null,
           peer_company_id = p_doer, peer_id = v_doer_row, connected_at = now()
     where company_id = p_hirer and id = p_hirer_row;
end
$$;
-- +goose StatementEnd

-- is_admin_of: the account is an active admin of the company (whoever accepts connects a company they run).
-- +goose StatementBegin
create function is_admin_of(p_account bigint, p_company bigint) returns boolean
    language sql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
    select exists (select from memberships m
                    where m.company_id = p_company and m.account_id = p_account and m.role = 'admin' and m.active)
$$;
-- +goose StatementEnd

-- connect_subcontractor accepts a subcontractor invitation — the raw token from its link, hashed here, so a stored
-- hash is no credential — for the firm p_firm, which p_account runs; or, with p_firm null, for a new company named
-- p_new_company that p_account then runs. It returns the inviter and the firm. Raises 42501 when the account is not
-- the firm's admin, P0002 when the link is not a live invitation.
-- +goose StatementBegin
create function connect_subcontractor(p_token text, p_account bigint, p_firm bigint, p_new_company text)
    returns table (company_id bigint, firm_id bigint)
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
declare
    v connections;
    v_firm bigint := p_firm;
begin
    select * into v from connections c
     where c.token_hash = sha256(convert_to(p_token, 'UTF8')) and c.kind = 'subcontractor' and c.connected_at is null
       and c.expires_at > now()
       for update;
    if not found then
        raise exception 'no live invitation' using errcode = 'P0002';
    end if;
    if v_firm is null then
        insert into companies (name) values (p_new_company) returning id into v_firm;
        insert into memberships (company_id, account_id, role) values (v_firm, p_account, 'admin');
    elsif not is_admin_of(p_account, v_firm) then
        raise exception 'not an admin of the firm' using errcode = '42501';
    end if;
    perform connect_pair(v.company_id, v.id, v_firm, null,
        (select a.email from memberships m join accounts a on a.id = m.account_id
          where m.company_id = v.company_id and m.id = v.invited_by));
    return query select v.company_id, v_firm;
end
$$;
-- +goose StatementEnd

-- connect_customer accepts a client user's invitation (its raw token) as a company instead of a portal login: the
-- invitation's client becomes the firm p_firm, which p_account runs, and the invitation is used up.
-- +goose StatementBegin
create function connect_customer(p_token text, p_account bigint, p_firm bigint)
    returns table (company_id bigint, client_id bigint)
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
declare
    v invitations;
begin
    if not is_admin_of(p_account, p_firm) then
        raise exception 'not an admin of the firm' using errcode = '42501';
    end if;
    select * into v from invitations i
     where i.token_hash = sha256(convert_to(p_token, 'UTF8')) and i.role = 'client' and i.accepted_at is null
       and i.cancelled_at is null and i.expires_at > now()
       for update;
    if not found then
        raise exception 'no live invitation' using errcode = 'P0002';
    end if;
    if exists (select from connections c where c.company_id = v.company_id and c.client_id = v.client_id) then
        raise exception 'client already connected' using errcode = '23505', constraint = 'connections_client_idx';
    end if;
    perform connect_pair(p_firm, null, v.company_id, v.client_id, null);
    -- The firm's new subcontractor row gets the inviter's email: where its own emails (a shared planned job) go.
    update connections set email = (select a.email from memberships m join accounts a on a.id = m.account_id
                                      where m.company_id = v.company_id and m.id = v.invited_by)
     where connections.company_id = p_firm and connections.kind = 'subcontractor' and connections.peer_company_id = v.company_id;
    update invitations set accepted_at = now() where invitations.company_id = v.company_id and id = v.id;
    return query select v.company_id, v.client_id;
end
$$;
-- +goose StatementEnd

-- assign_job gives the job p_job of company p_company to the subcontractor of connection p_connection: a new job in
-- the subcontractor's company, for the client that stands for p_company there, carrying exactly title,
-- description, the address of the work (the site's, else the job's) and the agreed price (a line) — never the
-- client, the sale prices, notes, files or anyone's name. It lands in the subcontractor's From clients view with a
-- History line and a notification to its admins and the client's co-workers. Raises P0002 when the connection is
-- not a connected subcontractor of p_company or the job is not p_company's, 23505 when the job is assigned already.
-- +goose StatementBegin
create function assign_job(p_company bigint, p_job bigint, p_connection bigint, p_agreed_cents bigint)
    returns void
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    c      connections;
    j      jobs;
    v_addr text;
    v_from text := (select name from companies where id = p_company);
    v_num  bigint;
    v_job  bigint;
    v_client bigint;
begin
    perform acting_company(p_company);
    select * into c from connections x
     where x.company_id = p_company and x.id = p_connection and x.kind = 'subcontractor' and x.connected_at is not null
       and exists (select from connections y where y.company_id = x.peer_company_id and y.id = x.peer_id
                     and y.kind = 'customer' and y.peer_company_id = x.company_id and y.peer_id = x.id);
    if not found then
        raise exception 'not a connected subcontractor' using errcode = 'P0002';
    end if;
    select * into j from jobs x where x.company_id = p_company and x.id = p_job for update;
    if not found then
        raise exception 'no such job' using errcode = 'P0002';
    end if;
    if exists (select from job_links l where l.company_id = p_company and l.job_id = p_job and l.direction = 'assigned-to') then
        raise exception 'assigned already' using errcode = '23505', constraint = 'job_links_pkey';
    end if;
    v_addr := coalesce((select s.address from sites s where s.company_id = p_company and s.id = j.site_id), j.address);
    select x.client_id into v_client from connections x where x.company_id = c.peer_company_id and x.id = c.peer_id;

    insert into job_numbers (company_id, next_number) values (c.peer_company_id, 1001)
    on conflict (company_id) do update set next_number = job_numbers.next_number + 1
    returning next_number into v_num;
    insert into jobs (company_id, number, client_id, billing_client_id, address, title, description, source, seen_at)
    values (c.peer_company_id, v_num, v_client, v_client, v_addr, j.title, j.description, 'portal', null)
    returning id into v_job;
    insert into job_history (company_id, job_id, actor_name, what)
    values (c.peer_company_id, v_job, v_from, 'Assigned by ' || v_from);
    if p_agreed_cents is not null then
        insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents)
        values (c.peer_company_id, v_job, 'Agreed price — ' || v_from, 1000, p_agreed_cents);
    end if;
    insert into job_links (company_id, job_id, direction, connection_id, peer_company_id, peer_job_id, agreed_cents)
    values (p_company, p_job, 'assigned-to', c.id, c.peer_company_id, v_job, p_agreed_cents),
           (c.peer_company_id, v_job, 'assigned-by', c.peer_id, p_company, p_job, p_agreed_cents);
    insert into notifications (company_id, membership_id, area, client_id, title, link, actor_name)
    select c.peer_company_id, m.id, 'jobs', v_client, left('New job from ' || v_from || ': ' || j.title, 300),
           '/jobs/' || v_job, v_from
      from memberships m
     where m.company_id = c.peer_company_id and m.active
       and (m.role = 'admin' or (m.role = 'co-worker' and exists (select from client_coworkers cc
             where cc.company_id = m.company_id and cc.client_id = v_client and cc.membership_id = m.id)));
end
$$;
-- +goose StatementEnd

-- remove_assigned deletes a subcontractor's job (and, down the chain, what it passed on) with everything on it.
-- +goose StatementBegin
create function remove_assigned(p_company bigint, p_job bigint) returns void
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    l job_links;
begin
    -- An issued invoice is the firm's record of the work: it stays, so the job does.
    if exists (select from invoices i where i.company_id = p_company and i.job_id = p_job) then
        raise exception 'invoiced' using errcode = 'FC001';
    end if;
    -- Down the chain first, so jobs are locked from the bottom up, as the flow-back triggers lock them.
    for l in select * from job_links x where x.company_id = p_company and x.job_id = p_job and x.direction = 'assigned-to' loop
        perform remove_assigned(l.peer_company_id, l.peer_job_id);
        delete from job_links x where x.company_id = l.company_id and x.job_id = l.job_id and x.direction = 'assigned-to';
    end loop;
    update tasks set job_id = null where company_id = p_company and job_id = p_job;
    update jobs set parent_id = null where company_id = p_company and parent_id = p_job;
    update jobs set recall_of = null where company_id = p_company and recall_of = p_job;
    delete from notifications where company_id = p_company and link = '/jobs/' || p_job;
    delete from jobs where company_id = p_company and id = p_job;
end
$$;
-- +goose StatementEnd

-- withdraw_job takes back the assignment of p_company's job p_job: the subcontractor's job is gone at once.
-- Returns the subcontractor's name as p_company knows it; P0002 when the job is not assigned, FC001 when the
-- subcontractor (or theirs) has invoiced it. The caller has not locked p_job: the chain is locked bottom-up.
-- +goose StatementBegin
create function withdraw_job(p_company bigint, p_job bigint) returns text
    language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    l job_links;
    v_name text;
begin
    perform acting_company(p_company);
    select * into l from job_links x where x.company_id = p_company and x.job_id = p_job and x.direction = 'assigned-to';
    if not found then
        raise exception 'not assigned' using errcode = 'P0002';
    end if;
    select name into v_name from connections where company_id = p_company and id = l.connection_id;
    perform remove_assigned(l.peer_company_id, l.peer_job_id);
    delete from job_links x where x.company_id = p_company and x.job_id = p_job and x.direction = 'assigned-to';
    return v_name;
end
$$;
-- +goose StatementEnd

-- job_assignment is what a job page shows of its assignment, read through to the other side: for an assigned job,
-- the subcontractor (as this company names it), its job's status and the agreed price; for an assigned-by job, the
-- firm that assigned it and the agreed price, and the customer behind it (name, email, phone) only when that firm's
-- Privacy setting shows customers to subcontractors.
-- +goose StatementBegin
create function job_assignment(p_company bigint, p_job bigint)
    returns table (direction text, firm text, peer_status text, agreed_cents bigint,
                   customer_name text, customer_email text, customer_phone text)
    language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
begin
    perform acting_company(p_company);
    return query
    select l.direction, c.name,
           case when l.direction = 'assigned-to' then pj.status end,
           l.agreed_cents,
           cl.name, cl.email::text, cl.phone
      from job_links l
      join connections c on c.company_id = l.company_id and c.id = l.connection_id
      join jobs pj on pj.company_id = l.peer_company_id and pj.id = l.peer_job_id
      join companies pco on pco.id = l.peer_company_id
      left join clients cl on l.direction = 'assigned-by' and pco.show_customer_to_subcontractors
                          and cl.company_id = pj.company_id and cl.id = pj.client_id
     where l.company_id = p_company and l.job_id = p_job
     order by l.direction;
end
$$;
-- +goose StatementEnd

-- assigned_visits are the visits of the job's subcontractor and, down the chain, of theirs — start and end only,
-- each under the name of the firm this company assigned the job to (a customer never learns of a subcontractor's
-- subcontractor).
-- +goose StatementBegin
create function assigned_visits(p_company bigint, p_job bigint)
    returns table (starts_at timestamptz, ends_at timestamptz, firm text)
    language plpgsql stable security definer set search_path = pg_catalog, public, pg_temp
as $$
#variable_conflict use_column
begin
    perform acting_company(p_company);
    return query
    with recursive chain (company_id, job_id, firm, depth) as (
        select l.peer_company_id, l.peer_job_id, c.name, 1
          from job_links l join connections c on c.company_id = l.company_id and c.id = l.connection_id
         where l.company_id = p_company and l.job_id = p_job and l.direction = 'assigned-to'
        union all
        select l.peer_company_id, l.peer_job_id, ch.firm, ch.depth + 1
          from chain ch join job_links l on l.company_id = ch.company_id and l.job_id = ch.job_id and l.direction = 'assigned-to'
         where ch.depth < 10
    )
    select v.starts_at, v.ends_at, ch.firm
      from chain ch join visits v on v.company_id = ch.company_id and v.job_id = ch.job_id
     order by v.starts_at nulls last, v.id
     limit 200;
end
$$;
-- +goose StatementEnd

-- What a subcontractor does on an assigned job flows back to the assigning firm's job, under the subcontractor's
-- company name: its status (the assigning job follows while it is open or in progress: started is In progress, any
-- finished status is Awaiting quality check — the assigning firm checks the work, then bills its own customer), its
-- visits (a History line), and its notes and files marked for the client (a copy, internal on the assigning side, so
-- that firm's own client never sees it). Each looks its links up by primary key first: a company without
-- connections pays one index probe per row.
-- +goose StatementBegin
create function job_links_follow_status() returns trigger
    language plpgsql security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    l job_links;
    v_firm text;
    v_to text := case when new.status in ('open-dispatch', 'in-progress') then new.status
                      when new.status = 'deferred' then null else 'awaiting-quality-check' end;
begin
    if new.status is not distinct from old.status then
        return new;
    end if;
    for l in select * from job_links x where x.company_id = new.company_id and x.job_id = new.id and x.direction = 'assigned-by' loop
        v_firm := (select name from companies where id = new.company_id);
        insert into job_history (company_id, job_id, actor_name, what)
        values (l.peer_company_id, l.peer_job_id, v_firm,
                v_firm || ' set their job to ' || upper(left(new.status, 1)) || replace(substr(new.status, 2), '-', ' '));
        if v_to is not null then
            update jobs set status = v_to, updated_at = now()
             where company_id = l.peer_company_id and id = l.peer_job_id
               and status in ('open-dispatch', 'in-progress') and status <> v_to;
        end if;
    end loop;
    return new;
end
$$;
-- +goose StatementEnd
create trigger job_links_follow_status after update of status on jobs
    for each row execute function job_links_follow_status();

-- +goose StatementBegin
create function job_links_visit() returns trigger
    language plpgsql security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    l job_links;
    v_firm text;
begin
    for l in select * from job_links x where x.company_id = new.company_id and x.job_id = new.job_id and x.direction = 'assigned-by' loop
        v_firm := (select name from companies where id = new.company_id);
        insert into job_history (company_id, job_id, actor_name, what)
        select l.peer_company_id, l.peer_job_id, v_firm,
               v_firm || case when tg_op = 'INSERT' then ' added a visit' else ' changed a visit' end ||
               coalesce(' for ' || to_char(new.starts_at at time zone co.time_zone, 'Dy DD Mon HH24:MI'), ' (not yet scheduled)')
          from companies co where co.id = l.peer_company_id;
    end loop;
    return new;
end
$$;
-- +goose StatementEnd
create trigger job_links_visit_added after insert on visits
    for each row execute function job_links_visit();
create trigger job_links_visit_moved after update of starts_at, ends_at on visits
    for each row when (old.starts_at is distinct from new.starts_at or old.ends_at is distinct from new.ends_at)
    execute function job_links_visit();

-- +goose StatementBegin
create function job_links_message() returns trigger
    language plpgsql security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    l job_links;
    v_firm text;
begin
    if not new.visible_to_client then
        return new;
    end if;
    for l in select * from job_links x where x.company_id = new.company_id and x.job_id = new.job_id and x.direction = 'assigned-by' loop
        v_firm := (select name from companies where id = new.company_id);
        insert into job_messages (company_id, job_id, author_name, body, visible_to_client)
        values (l.peer_company_id, l.peer_job_id, v_firm, new.body, false);
        insert into job_history (company_id, job_id, actor_name, what)
        values (l.peer_company_id, l.peer_job_id, v_firm, v_firm || ' added a note');
    end loop;
    return new;
end
$$;
-- +goose StatementEnd
create trigger job_links_message after insert on job_messages
    for each row execute function job_links_message();

-- A file is copied when its original bytes are stored (the row comes first, the bytes after, in one transaction).
-- +goose StatementBegin
create function job_links_file() returns trigger
    language plpgsql security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
    f files;
    l job_links;
    v_firm text;
    v_id bigint;
begin
    if new.variant <> 'original' then
        return new;
    end if;
    select * into f from files x where x.company_id = new.company_id and x.id = new.file_id;
    if f.job_id is null or not f.visible_to_client then
        return new;
    end if;
    for l in select * from job_links x where x.company_id = f.company_id and x.job_id = f.job_id and x.direction = 'assigned-by' loop
        v_firm := (select name from companies where id = new.company_id);
        insert into files (company_id, job_id, name, content_type, size, visible_to_client)
        values (l.peer_company_id, l.peer_job_id, f.name, f.content_type, f.size, false)
        returning id into v_id;
        insert into file_blobs (company_id, file_id, variant, data) values (l.peer_company_id, v_id, 'original', new.data);
        insert into job_history (company_id, job_id, actor_name, what)
        values (l.peer_company_id, l.peer_job_id, v_firm, v_firm || ' added a file: ' || f.name);
    end loop;
    return new;
end
$$;
-- +goose StatementEnd
create trigger job_links_file after insert on file_blobs
    for each row execute function job_links_file();

revoke all on function acting_company(bigint), connection_invitation(bytea),
    connect_pair(bigint, bigint, bigint, bigint, citext), is_admin_of(bigint, bigint),
    connect_subcontractor(text, bigint, bigint, text), connect_customer(text, bigint, bigint),
    assign_job(bigint, bigint, bigint, bigint), remove_assigned(bigint, bigint), withdraw_job(bigint, bigint),
    job_assignment(bigint, bigint), assigned_visits(bigint, bigint),
    job_links_follow_status(), job_links_visit(), job_links_message(), job_links_file() from public;
grant execute on function connection_invitation(bytea),
    connect_subcontractor(text, bigint, bigint, text), connect_customer(text, bigint, bigint),
    assign_job(bigint, bigint, bigint, bigint), withdraw_job(bigint, bigint),
    job_assignment(bigint, bigint), assigned_visits(bigint, bigint) to fieldops_app;

-- +goose Down
drop trigger job_links_file on file_blobs;
drop trigger job_links_message on job_messages;
drop trigger job_links_visit_moved on visits;
drop trigger job_links_visit_added on visits;
drop trigger job_links_follow_status on jobs;
drop function job_links_file();
drop function job_links_message();
drop function job_links_visit();
drop function job_links_follow_status();
drop function assigned_visits(bigint, bigint);
drop function job_assignment(bigint, bigint);
drop function withdraw_job(bigint, bigint);
drop function remove_assigned(bigint, bigint);
drop function assign_job(bigint, bigint, bigint, bigint);
drop function connect_customer(text, bigint, bigint);
drop function connect_subcontractor(text, bigint, bigint, text);
drop function is_admin_of(bigint, bigint);
drop function connect_pair(bigint, bigint, bigint, bigint, citext);
drop function connection_invitation(bytea);
drop function acting_company(bigint);
drop index invitations_client_idx;
drop table job_links;
drop table connections;
alter table companies drop column show_customer_to_subcontractors;
