package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/notify"
)

// MaxBody bounds a message, in characters.
const MaxBody = 4000

// DeleteWithin is how long after sending a message its sender may delete it (the SQL says '15 minutes').
const DeleteWithin = "15 minutes"

// Sender is who posts: their membership and name (for the notifications).
type Sender struct {
	Member int64
	Name   string
}

// Post adds a message to room from the sender, in tx: the room's row is made by its first message, the sender has
// read up to it, the room's people are notified (one unread notification per room and person; admins of a client's
// or group's room only with Push on for its chat) and the open pages of everyone who reads it hear of it (at commit).
// An empty or too long message is a ValidationError on "body"; a room the sender may not read is ErrNotFound; one
// they oversee, ErrForbidden.
func Post(ctx context.Context, tx pgx.Tx, companyID int64, from Sender, room Room, body string) (int64, error) {
	body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"))
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return 0, apperr.FieldError("body", "Write a message first.")
	case n > MaxBody:
		return 0, apperr.FieldError("body", fmt.Sprintf("Use at most %d characters (this one has %d).", MaxBody, n))
	}
	args := pgx.NamedArgs{"company": companyID, "member": from.Member, "body": body}
	maps.Copy(args, room.args())
	var name string
	var canWrite bool
	err := tx.QueryRow(ctx, `select `+nameSQL+`, `+writes("v", "r")+` from `+asRow+` r
		  join memberships v on v.company_id = r.company_id and v.id = @member
		 where `+reads("v", "r"), args).Scan(&name, &canWrite)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("chat: post: %w", err)
	}
	if !canWrite {
		return 0, apperr.ErrForbidden
	}
	var roomID, id int64
	if err := tx.QueryRow(ctx, `
		insert into chat_rooms (company_id, key, kind, client_id, group_id, member_a, member_b, last_message_at)
		values (@company, @key, @kind, @client, @group, @a, @b, now())
		on conflict (company_id, key) do update set last_message_at = excluded.last_message_at
		returning id`, args).Scan(&roomID); err != nil {
		return 0, fmt.Errorf("chat: post: room: %w", err)
	}
	args["room"] = roomID
	if err := tx.QueryRow(ctx, `insert into chat_messages (company_id, room_id, sender_id, body) values (@company, @room, @member, @body) returning id`,
		args).Scan(&id); err != nil {
		return 0, fmt.Errorf("chat: post: %w", err)
	}
	if err := markRead(ctx, tx, companyID, from.Member, room, roomID, id); err != nil {
		return 0, err
	}
	// Everyone who reads the room hears of it; who is told by a notification: its people, not admins overseeing.
	type reader struct {
		ID    int64
		Admin bool
	}
	rows, _ := tx.Query(ctx, `select m.id, m.role = 'admin' as admin from chat_rooms r join memberships m on m.company_id = r.company_id
		 where r.company_id = @company and r.id = @room and `+reads("m", "r"), args)
	readers, err := pgx.CollectRows(rows, pgx.RowToStructByName[reader])
	if err != nil {
		return 0, fmt.Errorf("chat: post: readers: %w", err)
	}
	var to, told []int64
	for _, r := range readers {
		to = append(to, r.ID)
		if room.Kind == "company" || (room.Kind == "direct" && (r.ID == room.A || r.ID == room.B)) || (room.Kind != "direct" && !r.Admin) {
			told = append(told, r.ID)
		}
	}
	title := "New message from " + from.Name
	if room.Kind != "direct" {
		title += " in " + name
	}
	if _, err := notify.Participants(ctx, tx, companyID, notify.Event{Area: notify.AreaChat, ClientID: room.Client, GroupID: room.Group,
		ActorID: from.Member, Actor: from.Name, Title: title, Link: "/chat/" + room.Key(), To: told, Collapse: true}); err != nil {
		return 0, err
	}
	return id, announce(ctx, tx, News{Company: companyID, Room: room.Key(), Message: id, To: to})
}

// Delete marks the sender's own message deleted — within DeleteWithin of sending, while they still read its room —
// keeping its place ("deleted") but not its words. Another's message, or one not in the room, is ErrNotFound; one
// too old, a conflict in words.
func Delete(ctx context.Context, tx pgx.Tx, companyID, member int64, room Room, id int64) error {
	args := pgx.NamedArgs{"company": companyID, "member": member, "id": id}
	maps.Copy(args, room.args())
	var recent bool
	err := tx.QueryRow(ctx, `select m.created_at > now() - interval '`+DeleteWithin+`'
		  from chat_rooms r join memberships v on v.company_id = r.company_id and v.id = @member
		  join chat_messages m on m.company_id = r.company_id and m.room_id = r.id
		 where r.company_id = @company and r.key = @key and m.id = @id and m.sender_id = @member and m.deleted_at is null
		   and `+reads("v", "r")+` for update of m`, args).Scan(&recent)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("chat: delete: %w", err)
	}
	if !recent {
		return apperr.Conflict("A message can be deleted only within 15 minutes of sending it.")
	}
	if _, err := tx.Exec(ctx, `update chat_messages set body = '', deleted_at = now() where company_id = @company and id = @id`, args); err != nil {
		return fmt.Errorf("chat: delete: %w", err)
	}
	rows, _ := tx.Query(ctx, `select m.id from chat_rooms r join memberships m on m.company_id = r.company_id
		 where r.company_id = @company and r.key = @key and `+reads("m", "r"), args)
	to, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("chat: delete: readers: %w", err)
	}
	return announce(ctx, tx, News{Company: companyID, Room: room.Key(), Message: id, Deleted: true, To: to})
}

// MarkRead records that the viewer has read room up to message last (never back), and reads the notifications that
// point at it. ErrNotFound for a room they may not read, or one without messages yet.
func MarkRead(ctx context.Context, tx pgx.Tx, companyID, member int64, room Room, last int64) error {
	args := pgx.NamedArgs{"company": companyID, "member": member}
	maps.Copy(args, room.args())
	var roomID int64
	err := tx.QueryRow(ctx, `select r.id from chat_rooms r join memberships v on v.company_id = r.company_id and v.id = @member
		 where r.company_id = @company and r.key = @key and `+reads("v", "r"), args).Scan(&roomID)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("chat: read: %w", err)
	}
	return markRead(ctx, tx, companyID, member, room, roomID, last)
}

func markRead(ctx context.Context, tx pgx.Tx, companyID, member int64, room Room, roomID, last int64) error {
	if _, err := tx.Exec(ctx, `
		insert into chat_reads (company_id, room_id, membership_id, last_read_id)
		select $1, $2, $3, least($4, (select max(id) from chat_messages where company_id = $1 and room_id = $2))
		on conflict (company_id, membership_id, room_id) do update set last_read_id = greatest(chat_reads.last_read_id, excluded.last_read_id)`,
		companyID, roomID, member, last); err != nil {
		return fmt.Errorf("chat: read: %w", err)
	}
	if _, err := tx.Exec(ctx, `update notifications set read_at = now()
		 where company_id = $1 and membership_id = $2 and area = 'chat' and read_at is null and link = $3`,
		companyID, member, "/chat/"+room.Key()); err != nil {
		return fmt.Errorf("chat: read: notifications: %w", err)
	}
	return nil
}

// Left tells the open pages of someone who may no longer read room (taken out of its group) that it changed: an
// open page of it asks for what it lacks, is refused, and goes back to the folders.
func Left(ctx context.Context, tx pgx.Tx, companyID, member int64, room Room) error {
	return announce(ctx, tx, News{Company: companyID, Room: room.Key(), To: []int64{member}})
}

// LeftClient is Left for a co-worker unassigned from a client: its room and the rooms of its groups.
func LeftClient(ctx context.Context, tx pgx.Tx, companyID, member, clientID int64) error {
	rows, _ := tx.Query(ctx, `select id from groups where company_id = $1 and client_id = $2`, companyID, clientID)
	groups, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("chat: left: %w", err)
	}
	rooms := []Room{{Kind: "client", Client: clientID}}
	for _, g := range groups {
		rooms = append(rooms, Room{Kind: "group", Group: g})
	}
	for _, r := range rooms {
		if err := Left(ctx, tx, companyID, member, r); err != nil {
			return err
		}
	}
	return nil
}

// News is what the hub carries of a message: its company, room and id, whether it was deleted, and whom it
// concerns (everyone who reads the room).
type News struct {
	Company int64   `json:"c"`
	Room    string  `json:"r"`
	Message int64   `json:"m"`
	Deleted bool    `json:"d,omitempty"`
	To      []int64 `json:"to,omitempty"`
	// Everyone: too many readers to name in a NOTIFY; every open page of the company hears of it and asks, as
	// always, for what it may read.
	Everyone bool `json:"all,omitempty"`
}

// channel is what Post NOTIFYs and the hub LISTENs on.
const channel = "chat"

// maxPayload keeps a NOTIFY under Postgres's 8,000-byte limit.
const maxPayload = 7900

// announce NOTIFYs the news in tx (delivered at commit; lost with a rollback, as it should be).
func announce(ctx context.Context, tx pgx.Tx, n News) error {
	payload, _ := json.Marshal(n)
	if len(payload) > maxPayload {
		n.To, n.Everyone = nil, true
		payload, _ = json.Marshal(n)
	}
	if _, err := tx.Exec(ctx, `select pg_notify($1, $2)`, channel, string(payload)); err != nil {
		return fmt.Errorf("chat: announce: %w", err)
	}
	return nil
}
