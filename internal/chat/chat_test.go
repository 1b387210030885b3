package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

// world is a company with everyone the seed's chat rules tell apart, and another company.
type world struct {
	tdb                                     *dbtest.TestDB
	co, other                               int64
	harbour, bakery, group                  int64
	ann, cora, sam, fran, gus, bea, sid, bo int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	tdb := dbtest.New(t)
	ctx := context.Background()
	w := &world{tdb: tdb, co: tdb.CreateCompany(t, "Acme"), other: tdb.CreateCompany(t, "Bolt")}
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour') returning id`, w.co).Scan(&w.harbour)
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bakery') returning id`, w.co).Scan(&w.bakery)
	tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Harbour maintenance', $2) returning id`, w.co, w.harbour).Scan(&w.group)
	member := func(company int64, role, name string, client, host *int64) (id int64) {
		if err := tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id, host_id) select $1, id, $4, $5, $6 from a returning id`,
			company, name, fmt.Sprintf("%s.%d@x.example", name, company), role, client, host).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.ann, w.cora, w.sam = member(w.co, "admin", "Ann", nil, nil), member(w.co, "co-worker", "Cora", nil, nil), member(w.co, "co-worker", "Sam", nil, nil)
	w.fran, w.bea = member(w.co, "client", "Fran", &w.harbour, nil), member(w.co, "client", "Bea", &w.bakery, nil)
	w.gus = member(w.co, "guest", "Gus", nil, &w.fran)
	w.sid = member(w.co, "subcontractor", "Sid", nil, nil)
	w.bo = member(w.other, "admin", "Bo", nil, nil)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, w.co, w.harbour, w.cora)
	tdb.Owner.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`, w.co, w.group, w.cora, w.sam)
	return w
}

func (w *world) post(t *testing.T, company, from int64, room Room, body string) (int64, error) {
	t.Helper()
	var id int64
	err := w.tdb.InCompany(context.Background(), company, func(tx pgx.Tx) (err error) {
		id, err = Post(context.Background(), tx, company, Sender{Member: from, Name: "someone"}, room, body)
		return err
	})
	return id, err
}

func (w *world) rooms(t *testing.T, member int64) []Listed {
	t.Helper()
	var rs []Listed
	if err := w.tdb.Read(context.Background(), w.co, func(b *pgx.Batch) { QueueRooms(b, w.co, member, &rs) }); err != nil {
		t.Fatal(err)
	}
	return rs
}

func keys(rs []Listed) string {
	var ks []string
	for _, r := range rs {
		ks = append(ks, string(r.Folder)+":"+r.Name)
	}
	return strings.Join(ks, " ")
}

// Who reads which room, from each side: the folders each person sees, the posts refused (in words, 404, 403) and
// nothing saved by them; a co-worker unassigned loses the client's room, its groups' rooms and their direct room with
// its people at once; a client's guests come in only when the client lets them.
func TestRooms_WhoReadsWhat(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	harbour, company, group := Room{Kind: "client", Client: w.harbour}, Room{Kind: "company"}, Room{Kind: "group", Group: w.group}
	if _, err := w.post(t, w.co, w.cora, harbour, "Booked the plumber for Tuesday."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.post(t, w.co, w.cora, Direct(w.cora, w.fran), "Fran, is the gate code still 1234?"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.post(t, w.co, w.sam, Direct(w.sam, w.cora), "Lunch?"); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[int64]string{
		w.ann:  "company:Company clients:Harbour clients:Harbour maintenance overseen:Cora and Sam overseen:Cora and Fran",
		w.cora: "private:Sam private:Fran company:Company clients:Harbour clients:Harbour maintenance",
		w.sam:  "private:Cora company:Company", // in the group, but not serving its client
		w.fran: "private:Cora clients:Harbour clients:Harbour maintenance",
		w.bea:  "clients:Bakery",
		w.gus:  "",
		w.sid:  "",
	} {
		if got := keys(w.rooms(t, who)); got != want {
			t.Errorf("member %d's rooms: %q, want %q", who, got, want)
		}
	}
	for name, c := range map[string]struct {
		company, from int64
		room          Room
		want          error
	}{
		"Fran in the company's room":         {w.co, w.fran, company, apperr.ErrNotFound},
		"Bea in Harbour's room":              {w.co, w.bea, harbour, apperr.ErrNotFound},
		"Gus in Harbour's room":              {w.co, w.gus, harbour, apperr.ErrNotFound},
		"Sid in the company's room":          {w.co, w.sid, company, apperr.ErrNotFound},
		"Sam to Fran, not his client":        {w.co, w.sam, Direct(w.sam, w.fran), apperr.ErrNotFound},
		"Fran to Ann directly":               {w.co, w.fran, Direct(w.ann, w.fran), apperr.ErrNotFound},
		"Bea in the group's room":            {w.co, w.bea, group, apperr.ErrNotFound},
		"Sam in the group, not its client's": {w.co, w.sam, group, apperr.ErrNotFound},
		"Ann in Cora and Sam's room":         {w.co, w.ann, Direct(w.sam, w.cora), apperr.ErrForbidden},
		"Bolt's admin in Harbour's room":     {w.other, w.bo, harbour, apperr.ErrNotFound},
		"Bolt's admin in Acme's company's":   {w.other, w.cora, company, apperr.ErrNotFound},
		"a client that does not exist":       {w.co, w.ann, Room{Kind: "client", Client: w.harbour + 1000}, apperr.ErrNotFound},
		"a direct room with another's firm":  {w.co, w.ann, Direct(w.ann, w.bo), apperr.ErrNotFound},
	} {
		if _, err := w.post(t, c.company, c.from, c.room, "Hello"); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	for body, want := range map[string]string{" \n ": "Write a message first.", strings.Repeat("é", MaxBody+1): "Use at most 4000 characters (this one has 4001)."} {
		if _, err := w.post(t, w.co, w.cora, harbour, body); apperr.AsValidation(err).Field("body") != want {
			t.Errorf("%.10q: %v, want %q", body, err, want)
		}
	}
	var n int
	if w.tdb.Owner.QueryRow(ctx, `select count(*) from chat_messages`).Scan(&n); n != 3 {
		t.Errorf("%d messages saved, want the 3 allowed", n)
	}
	if _, err := w.post(t, w.co, w.sam, company, "Morning all"); err != nil {
		t.Errorf("Sam in the company's room: %v", err)
	}
	if _, err := w.post(t, w.co, w.fran, group, "The lift is out again"); err != nil {
		t.Errorf("Fran in her client's group's room: %v", err)
	}
	// Harbour lets its guests in; Cora is unassigned.
	w.tdb.Owner.Exec(ctx, `update clients set chat_guests = true where id = $1`, w.harbour)
	if got := keys(w.rooms(t, w.gus)); got != "clients:Harbour" {
		t.Errorf("Gus with guests let in: %q", got)
	}
	w.tdb.Owner.Exec(ctx, `delete from client_coworkers where membership_id = $1`, w.cora)
	if got := keys(w.rooms(t, w.cora)); got != "private:Sam company:Company" {
		t.Errorf("Cora unassigned: %q", got)
	}
	var p Page
	err := w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueRoom(b, w.co, w.cora, harbour, 0, &p) })
	if !errors.Is(err, apperr.ErrNotFound) || len(p.Messages) != 0 {
		t.Errorf("Cora reading Harbour's room after: %v, %d messages", err, len(p.Messages))
	}
	if _, err := w.post(t, w.co, w.cora, Direct(w.cora, w.fran), "Still there?"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Cora writing to Fran after: %v", err)
	}
}

// Unread counts and notifications: a message is unread for the others in the room until they read it; the room's
// people get one notification until they read it, however many messages come; admins of a client's room get
// notifications and counts only with Push on for its chat; the sender's own messages are read.
func TestMessages_UnreadAndNotifications(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	harbour := Room{Kind: "client", Client: w.harbour}
	unread := func(member int64, key string) int {
		for _, r := range w.rooms(t, member) {
			if r.Key == key {
				return r.Unread
			}
		}
		return -1
	}
	notes := func(member int64) (n int) {
		w.tdb.Owner.QueryRow(ctx, `select count(*) from notifications where membership_id = $1 and area = 'chat' and read_at is null`, member).Scan(&n)
		return n
	}
	var last int64
	for _, body := range []string{"One", "Two", "Three"} {
		var err error
		if last, err = w.post(t, w.co, w.cora, harbour, body); err != nil {
			t.Fatal(err)
		}
	}
	if unread(w.fran, harbour.Key()) != 3 || unread(w.cora, harbour.Key()) != 0 || unread(w.ann, harbour.Key()) != 0 {
		t.Errorf("unread: Fran %d, Cora %d, Ann %d; want 3, 0 and none for an admin without Push on", unread(w.fran, harbour.Key()), unread(w.cora, harbour.Key()), unread(w.ann, harbour.Key()))
	}
	if notes(w.fran) != 1 || notes(w.ann) != 0 || notes(w.cora) != 0 {
		t.Errorf("notifications: Fran %d, Ann %d, Cora %d; want 1, 0, 0", notes(w.fran), notes(w.ann), notes(w.cora))
	}
	w.tdb.Owner.Exec(ctx, `insert into push_subscriptions (company_id, membership_id, client_id, area) values ($1, $2, $3, 'chat')`, w.co, w.ann, w.harbour)
	if _, err := w.post(t, w.co, w.fran, harbour, "Thanks!"); err != nil {
		t.Fatal(err)
	}
	if notes(w.ann) != 1 || notes(w.cora) != 1 || unread(w.ann, harbour.Key()) != 4 {
		t.Errorf("after Push on: Ann %d, Cora %d notifications, Ann %d unread; want 1, 1, 4", notes(w.ann), notes(w.cora), unread(w.ann, harbour.Key()))
	}
	if err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error { return MarkRead(ctx, tx, w.co, w.fran, harbour, last) }); err != nil {
		t.Fatal(err)
	}
	if unread(w.fran, harbour.Key()) != 0 || notes(w.fran) != 0 {
		t.Errorf("Fran after reading: %d unread, %d notifications", unread(w.fran, harbour.Key()), notes(w.fran))
	}
	// Reading never goes back; Bea reading Harbour's room changes nothing.
	w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error { return MarkRead(ctx, tx, w.co, w.fran, harbour, 1) })
	if err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error { return MarkRead(ctx, tx, w.co, w.bea, harbour, last) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Bea reading Harbour's room: %v", err)
	}
	var reads int
	w.tdb.Owner.QueryRow(ctx, `select count(*) from chat_reads where membership_id = $1`, w.bea).Scan(&reads)
	if unread(w.fran, harbour.Key()) != 0 || reads != 0 {
		t.Errorf("a read moved back (%d unread) or Bea's was kept (%d)", unread(w.fran, harbour.Key()), reads)
	}
}

// Deleting: one's own message within 15 minutes, shown as deleted; not another's, not an old one (a conflict in
// words), not from another room's key.
func TestMessages_Delete(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	harbour := Room{Kind: "client", Client: w.harbour}
	id, err := w.post(t, w.co, w.cora, harbour, "Wrong room, sorry")
	if err != nil {
		t.Fatal(err)
	}
	del := func(member int64, room Room, id int64) error {
		return w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error { return Delete(ctx, tx, w.co, member, room, id) })
	}
	if err := del(w.fran, harbour, id); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Fran deleting Cora's message: %v", err)
	}
	if err := del(w.cora, Room{Kind: "company"}, id); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("through another room: %v", err)
	}
	if err := del(w.cora, harbour, id); err != nil {
		t.Fatal(err)
	}
	var p Page
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueRoom(b, w.co, w.fran, harbour, 0, &p) })
	if len(p.Messages) != 1 || !p.Messages[0].Deleted || p.Messages[0].Body != "" {
		t.Errorf("the deleted message as Fran reads it: %+v", p.Messages)
	}
	old, _ := w.post(t, w.co, w.cora, harbour, "Old news")
	w.tdb.Owner.Exec(ctx, `update chat_messages set created_at = now() - interval '16 minutes' where id = $1`, old)
	if err := del(w.cora, harbour, old); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("deleting after 15 minutes: %v", err)
	}
}

// Paging: a room opens at its newest PageSize messages, oldest first, and pages back by id; the after-list gives
// what an open page lacks.
func TestMessages_Pages(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	company := Room{Kind: "company"}
	var ids []int64
	for i := range PageSize + 5 {
		id, err := w.post(t, w.co, w.sam, company, fmt.Sprint("message ", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var newest, older Page
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueRoom(b, w.co, w.cora, company, 0, &newest) })
	if len(newest.Messages) != PageSize || !newest.Older || newest.Messages[PageSize-1].ID != ids[len(ids)-1] || newest.Messages[0].ID != ids[5] {
		t.Fatalf("the newest page: %d messages, older %v", len(newest.Messages), newest.Older)
	}
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueRoom(b, w.co, w.cora, company, newest.Messages[0].ID, &older) })
	if len(older.Messages) != 5 || older.Older || older.Messages[4].ID != ids[4] {
		t.Errorf("the page before: %d messages, older %v", len(older.Messages), older.Older)
	}
	var after []Message
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueAfter(b, w.co, w.cora, company, ids[len(ids)-3], &after) })
	if len(after) != 2 || after[1].ID != ids[len(ids)-1] {
		t.Errorf("after: %+v", after)
	}
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueAfter(b, w.co, w.fran, company, 0, &after) })
	if len(after) != 0 {
		t.Errorf("Fran reads %d of the company's messages", len(after))
	}
}

// The hub: news of a message reaches the subscriptions of the people who read its room, in order, and no one else's.
func TestHub_TellsTheRoomsPeople(t *testing.T) {
	w := newWorld(t)
	hub := NewHub(w.tdb.DB.Pool.Config().ConnConfig, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-hub.Listening()
	fran, bea, bo := hub.Subscribe(w.co, w.fran), hub.Subscribe(w.co, w.bea), hub.Subscribe(w.other, w.bo)
	harbourMsg, _ := w.post(t, w.co, w.cora, Room{Kind: "client", Client: w.harbour}, "For Harbour")
	bakeryMsg, err := w.post(t, w.co, w.ann, Room{Kind: "client", Client: w.bakery}, "For the bakery")
	if err != nil {
		t.Fatal(err)
	}
	next := func(s *Subscription) News {
		select {
		case n := <-s.C:
			return n
		case <-time.After(10 * time.Second):
			t.Fatalf("member %d heard nothing", s.Member)
		}
		return News{}
	}
	if n := next(fran); n.Room != "client-"+fmt.Sprint(w.harbour) || n.Message != harbourMsg {
		t.Errorf("Fran heard %+v", n)
	}
	if n := next(bea); n.Message != bakeryMsg {
		t.Errorf("Bea's first news is %+v, want the bakery's only", n)
	}
	if len(bo.C) != 0 {
		t.Error("another company's admin heard of Acme's messages")
	}
	if hub.Open() != 3 {
		t.Errorf("%d open subscriptions", hub.Open())
	}
	// The listening connection dies (its own role may end it): the hub listens again, tells every page anything may have changed, and news
	// flows again.
	if _, err := w.tdb.DB.Pool.Exec(context.Background(), `select pg_terminate_backend(pid) from pg_stat_activity
		 where datname = current_database() and query = 'listen chat'`); err != nil {
		t.Fatal(err)
	}
	if n := next(fran); n.Room != "" || !n.Everyone {
		t.Errorf("after the reconnect Fran heard %+v, want news of anything", n)
	}
	next(bea)
	again, _ := w.post(t, w.co, w.cora, Room{Kind: "client", Client: w.harbour}, "After the reconnect")
	if n := next(fran); n.Message != again {
		t.Errorf("after the reconnect Fran heard %+v", n)
	}
	cancel()
	<-done
	select {
	case <-fran.Done:
	default:
		t.Error("a stopped hub left a subscription open")
	}
}
