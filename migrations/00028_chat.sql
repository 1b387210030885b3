-- Chat (co-working seed): rooms — the company's, a client's, a group's, and direct ones between two people — and
-- their messages. Who may read a room is not stored: it follows the roles, client assignments and group members of
-- the moment (internal/chat), so unassigning a co-worker takes a client's room from them at once. A room's row is
-- made by its first message, named by its key ("company", "client-5", "group-3", "people-3-9"). A person's read
-- position per room gives the unread counts. A client may let its client users' guests into its room.

-- +goose Up
create table chat_rooms (
    company_id      bigint not null references companies (id),
    id              bigint generated always as identity,
    key             text not null check (key ~ '^(company|client-[0-9]+|group-[0-9]+|people-[0-9]+-[0-9]+)$'),
    kind            text not null check (kind in ('company', 'client', 'group', 'direct')),
    client_id       bigint,
    group_id        bigint,
    member_a        bigint,
    member_b        bigint,
    last_message_at timestamptz,
    primary key (company_id, id),
    unique (company_id, key),
    foreign key (company_id, client_id) references clients (company_id, id),
    foreign key (company_id, group_id) references groups (company_id, id),
    foreign key (company_id, member_a) references memberships (company_id, id),
    foreign key (company_id, member_b) references memberships (company_id, id),
    check (case kind
        when 'company' then num_nonnulls(client_id, group_id, member_a, member_b) = 0
        when 'client' then client_id is not null and num_nonnulls(group_id, member_a, member_b) = 0
        when 'group' then group_id is not null and num_nonnulls(client_id, member_a, member_b) = 0
        else num_nonnulls(member_a, member_b) = 2 and member_a < member_b and num_nonnulls(client_id, group_id) = 0 end)
);
-- A person's direct rooms, by either side.
create index chat_rooms_member_a_idx on chat_rooms (company_id, member_a) where kind = 'direct';
create index chat_rooms_member_b_idx on chat_rooms (company_id, member_b) where kind = 'direct';
-- The rooms with news, newest first (an admin's Overseen folder and client rooms).
create index chat_rooms_recent_idx on chat_rooms (company_id, last_message_at desc);
alter table chat_rooms enable row level security;
create policy company_isolation on chat_rooms
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (last_message_at) on chat_rooms to fieldops_app;

create table chat_messages (
    company_id bigint not null references companies (id),
    id         bigint generated always as identity,
    room_id    bigint not null,
    sender_id  bigint not null,
    body       text not null check (length(body) <= 4000),
    created_at timestamptz not null default now(),
    deleted_at timestamptz,
    primary key (company_id, id),
    foreign key (company_id, room_id) references chat_rooms (company_id, id),
    foreign key (company_id, sender_id) references memberships (company_id, id),
    check (deleted_at is not null or length(body) >= 1)
);
-- A room's messages, newest first, paged by id; unread counts are counted on it too.
create index chat_messages_room_idx on chat_messages (company_id, room_id, id);
alter table chat_messages enable row level security;
create policy company_isolation on chat_messages
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (body, deleted_at) on chat_messages to fieldops_app;

create table chat_reads (
    company_id    bigint not null references companies (id),
    room_id       bigint not null,
    membership_id bigint not null,
    last_read_id  bigint not null,
    primary key (company_id, membership_id, room_id),
    foreign key (company_id, room_id) references chat_rooms (company_id, id),
    foreign key (company_id, membership_id) references memberships (company_id, id)
);
alter table chat_reads enable row level security;
create policy company_isolation on chat_reads
    using (company_id = nullif(current_setting('app.company_id', true), '')::bigint);
grant select, insert, update (last_read_id) on chat_reads to fieldops_app;

alter table clients add column chat_guests boolean not null default false;

-- +goose Down
alter table clients drop column chat_guests;
drop table chat_reads;
drop table chat_messages;
drop table chat_rooms;
