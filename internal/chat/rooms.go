package chat

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Folder is where a room is listed, in the seed's words.
type Folder string

// The folders, in the order the chat page shows them.
const (
	FolderPrivate  Folder = "private"  // the viewer's direct rooms
	FolderCompany  Folder = "company"  // the company's room
	FolderClients  Folder = "clients"  // clients' and groups' rooms
	FolderOverseen Folder = "overseen" // admins: other people's direct rooms, read-only
)

// Folders lists every folder in order.
var Folders = []Folder{FolderPrivate, FolderCompany, FolderClients, FolderOverseen}

// Label is the folder as the product names it.
func (f Folder) Label() string {
	switch f {
	case FolderPrivate:
		return "Co-worker private"
	case FolderCompany:
		return "Company"
	case FolderClients:
		return "Clients/Groups"
	}
	return "Overseen"
}

// Listed is a room as the folders list it.
type Listed struct {
	Key    string
	Folder Folder
	Name   string
	// LastAt is when its last message was sent; nil for a room with none yet.
	LastAt *time.Time
	// Unread counts messages from others since the viewer last read it, at most 99 — none in Overseen, nor for an
	// admin in a client's or group's room without Push on for its chat (the seed: no counters without it).
	Unread int
}

// nameSQL is room r's name for viewer v: the company's, the client's or group's name, the other person's for a
// direct room of v's, both people's for one v oversees.
const nameSQL = `case r.kind when 'company' then 'Company'
	when 'client' then (select c.name from clients c where c.company_id = r.company_id and c.id = r.client_id)
	when 'group' then (select g.name from groups g where g.company_id = r.company_id and g.id = r.group_id)
	else (select string_agg(a.name, ' and ' order by a.name) from memberships p join accounts a on a.id = p.account_id
	       where p.company_id = r.company_id and p.id in (r.member_a, r.member_b) and p.id <> v.id) end`

// QueueRooms adds the rooms the viewer (membership member) may read, by folder, then newest news first, then
// name: the company's; the rooms of the clients assigned to them or that are theirs and of their groups (an admin:
// every group's, and the clients' rooms with messages); their direct rooms; for an admin the 50 direct rooms of
// others with the latest news. Rooms without a message yet are listed too (their row comes with the first).
func QueueRooms(b *pgx.Batch, companyID, member int64, rooms *[]Listed) {
	b.Queue(`
		with v as (select * from memberships where company_id = @company and id = @member),
		candidates (kind, client_id, group_id, member_a, member_b) as (
		    select 'company', null::bigint, null::bigint, null::bigint, null::bigint
		    union all
		    select 'client', c.id, null, null, null from clients c
		     where c.company_id = @company and c.id in (
		            select cc.client_id from client_coworkers cc where cc.company_id = @company and cc.membership_id = @member
		            union all select v.client_id from v
		            union all select h.client_id from v join memberships h on h.company_id = v.company_id and h.id = v.host_id
		            union all (select cr.client_id from chat_rooms cr, v where cr.company_id = @company and cr.kind = 'client' and v.role = 'admin'
		                        order by cr.last_message_at desc limit 100))
		    union all
		    select 'group', null, g.id, null, null from groups g, v
		     where g.company_id = @company and (v.role = 'admin' or g.client_id = v.client_id
		            or exists (select from group_members gm where gm.company_id = g.company_id and gm.group_id = g.id and gm.membership_id = v.id))
		    union all
		    select 'direct', null, null, cr.member_a, cr.member_b from chat_rooms cr
		     where cr.company_id = @company and cr.kind = 'direct' and cr.member_a = @member
		    union all
		    select 'direct', null, null, cr.member_a, cr.member_b from chat_rooms cr
		     where cr.company_id = @company and cr.kind = 'direct' and cr.member_b = @member
		    union all
		    (select 'direct', null, null, cr.member_a, cr.member_b from chat_rooms cr, v
		      where cr.company_id = @company and cr.kind = 'direct' and v.role = 'admin' and @member not in (cr.member_a, cr.member_b)
		      order by cr.last_message_at desc limit 50)
		), rooms as (
		    select @company::bigint as company_id, x.*,
		           case x.kind when 'client' then 'client-' || x.client_id when 'group' then 'group-' || x.group_id
		                when 'direct' then 'people-' || x.member_a || '-' || x.member_b else 'company' end as key -- Room.Key
		      from candidates x
		)
		select r.key,
		       case r.kind when 'company' then 'company' when 'direct' then case when v.id in (r.member_a, r.member_b) then 'private' else 'overseen' end
		            else 'clients' end as folder,
		       coalesce(`+nameSQL+`, '') as name, cr.last_message_at as last_at,
		       case when r.kind = 'direct' and v.id not in (r.member_a, r.member_b) then 0
		            when v.role = 'admin' and r.kind in ('client', 'group') and not exists (select from push_subscriptions ps
		                  where ps.company_id = r.company_id and ps.membership_id = v.id and ps.area = 'chat'
		                    and (ps.client_id = r.client_id or ps.group_id = r.group_id)) then 0
		            else (select count(*) from (select from chat_messages m
		                   where m.company_id = cr.company_id and m.room_id = cr.id and m.sender_id <> v.id and m.deleted_at is null
		                     and m.id > coalesce((select rd.last_read_id from chat_reads rd
		                                          where rd.company_id = cr.company_id and rd.membership_id = v.id and rd.room_id = cr.id), 0)
		                   limit 99) u) end as unread
		  from rooms r cross join v
		  left join chat_rooms cr on cr.company_id = r.company_id and cr.key = r.key
		 where `+reads("v", "r")+`
		 order by case r.kind when 'direct' then case when v.id in (r.member_a, r.member_b) then 0 else 3 end when 'company' then 1 else 2 end,
		          cr.last_message_at desc nulls last, name`,
		pgx.NamedArgs{"company": companyID, "member": member}).Query(func(rows pgx.Rows) (err error) {
		*rooms, err = pgx.CollectRows(rows, pgx.RowToStructByName[Listed])
		return err
	})
}

// ByFolder groups listed rooms by folder, keeping their order.
func ByFolder(rooms []Listed) map[Folder][]Listed {
	out := map[Folder][]Listed{}
	for _, r := range rooms {
		out[r.Folder] = append(out[r.Folder], r)
	}
	return out
}

// UnreadIn counts the unread messages of the listed rooms, for a folder's badge.
func UnreadIn(rooms []Listed) int {
	n := 0
	for _, r := range rooms {
		n += r.Unread
	}
	return n
}

// Header is a room as its page shows it, for one viewer.
type Header struct {
	Room Room
	Name string
	// ID is its row's; 0 while it has no message.
	ID int64
	// CanWrite: the viewer may post (not an admin overseeing others' direct room).
	CanWrite bool
	// LastRead is the last message the viewer read in it (0: none).
	LastRead int64
}

// Message is one message in a room.
type Message struct {
	ID         int64
	SenderID   int64
	SenderName string
	Body       string
	CreatedAt  time.Time
	Deleted    bool
}

// PageSize is how many messages a room's page shows at a time.
const PageSize = 50

// Page is what a room's page shows: its header, and its messages oldest first — the newest PageSize, or those
// before a message; Older says there are more before them.
type Page struct {
	Header   Header
	Messages []Message
	Older    bool
}

// QueueRoom adds room's header and a page of its messages — the newest, or those before message before (0: the
// newest) — for the viewer; ErrNotFound when they may not read it, or it is not the company's.
func QueueRoom(b *pgx.Batch, companyID, member int64, room Room, before int64, p *Page) {
	QueueHeader(b, companyID, member, room, &p.Header)
	args := pgx.NamedArgs{"company": companyID, "member": member, "before": before, "limit": PageSize + 1}
	maps.Copy(args, room.args())
	queueMessages(b, args, `(@before::bigint = 0 or m.id < @before) order by m.id desc limit @limit`, func(ms []Message) {
		p.Older = len(ms) > PageSize
		ms = ms[:min(len(ms), PageSize)]
		slices.Reverse(ms)
		p.Messages = ms
	})
}

// QueueHeader adds room's header for the viewer; ErrNotFound when they may not read it, or it is not the company's.
func QueueHeader(b *pgx.Batch, companyID, member int64, room Room, h *Header) {
	args := pgx.NamedArgs{"company": companyID, "member": member}
	maps.Copy(args, room.args())
	b.Queue(`
		select `+nameSQL+` as name, coalesce(cr.id, 0) as id, `+writes("v", "r")+` as can_write, coalesce(rd.last_read_id, 0) as last_read
		  from `+asRow+` r
		  join memberships v on v.company_id = r.company_id and v.id = @member
		  left join chat_rooms cr on cr.company_id = r.company_id and cr.key = @key
		  left join chat_reads rd on rd.company_id = r.company_id and rd.membership_id = v.id and rd.room_id = cr.id
		 where `+reads("v", "r"), args).Query(func(rows pgx.Rows) (err error) {
		*h, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[Header])
		h.Room = room
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// QueueAfter adds the room's messages after message after, oldest first (at most 100): what an open page lacks.
// Nothing when the viewer may not read the room.
func QueueAfter(b *pgx.Batch, companyID, member int64, room Room, after int64, ms *[]Message) {
	args := pgx.NamedArgs{"company": companyID, "member": member, "after": after}
	maps.Copy(args, room.args())
	queueMessages(b, args, `m.id > @after order by m.id limit 100`, func(got []Message) { *ms = got })
}

// queueMessages adds the messages of the room with key @key that match cond (which also orders and limits them),
// when the viewer @member may read it.
func queueMessages(b *pgx.Batch, args pgx.NamedArgs, cond string, into func([]Message)) {
	b.Queue(`
		select m.id, m.sender_id, a.name as sender_name, m.body, m.created_at, m.deleted_at is not null as deleted
		  from chat_rooms r
		  join memberships v on v.company_id = r.company_id and v.id = @member
		  join chat_messages m on m.company_id = r.company_id and m.room_id = r.id
		  join memberships s on s.company_id = m.company_id and s.id = m.sender_id
		  join accounts a on a.id = s.account_id
		 where r.company_id = @company and r.key = @key and `+reads("v", "r")+` and `+cond, args).Query(func(rows pgx.Rows) error {
		ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Message])
		into(ms)
		return err
	})
}

// Person is someone the viewer may start a direct room with.
type Person struct {
	MembershipID int64
	Name         string
	Role         string
}

// QueueTalkTo adds the people the viewer may talk to directly (talks), by name.
func QueueTalkTo(b *pgx.Batch, companyID, member int64, people *[]Person) {
	b.Queue(`
		select p.id as membership_id, a.name, p.role
		  from memberships v join memberships p on p.company_id = v.company_id join accounts a on a.id = p.account_id
		 where v.company_id = @company and v.id = @member and `+talks("v", "p")+`
		 order by a.name, p.id limit 500`, pgx.NamedArgs{"company": companyID, "member": member}).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}
