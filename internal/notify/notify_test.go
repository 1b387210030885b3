package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
)

// world is a company with two clients, an admin, a co-worker serving each client, and a client user of the first.
type world struct {
	tdb                                      *dbtest.TestDB
	co, harbour, bay                         int64
	admin, otherAdmin, cora, sam, fran, gone int64
}

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	w := world{tdb: dbtest.New(t)}
	w.co = w.tdb.CreateCompany(t, "Acme")
	o := w.tdb.Owner
	o.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, w.co).Scan(&w.harbour)
	o.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bay Rentals') returning id`, w.co).Scan(&w.bay)
	person := func(email string, role identity.Role, client int64) int64 {
		var id int64
		var clientID *int64
		if client != 0 {
			clientID = &client
		}
		err := o.QueryRow(ctx, `
			with a as (insert into accounts (email, name, password_hash) values ($2::text, $2::text, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id) select $1, a.id, $3, $4 from a returning id`,
			w.co, email, role, clientID).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.admin, w.otherAdmin = person("ann@acme.example", identity.RoleAdmin, 0), person("abe@acme.example", identity.RoleAdmin, 0)
	w.cora, w.sam = person("cora@acme.example", identity.RoleCoWorker, 0), person("sam@acme.example", identity.RoleCoWorker, 0)
	w.gone = person("gone@acme.example", identity.RoleCoWorker, 0)
	w.fran = person("fran@harbour.example", identity.RoleClient, w.harbour)
	o.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3), ($1, $2, $4), ($1, $5, $6)`,
		w.co, w.harbour, w.cora, w.gone, w.bay, w.sam)
	o.Exec(ctx, `update memberships set active = false where id = $1`, w.gone)
	return w
}

func (w world) activity(t *testing.T, client int64, area Area, to ...int64) int {
	t.Helper()
	var n int
	err := w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) (err error) {
		n, err = ClientActivity(context.Background(), tx, w.co, Event{Area: area, ClientID: client, ActorID: w.fran, Actor: "Fran",
			Title: "New job J-1 · Leak", Link: "/jobs/1", To: to})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w world) unread(t *testing.T, who int64) identity.Unread {
	t.Helper()
	var v identity.Viewer
	if err := w.tdb.Read(context.Background(), w.co, func(b *pgx.Batch) { identity.QueueViewer(b, w.co, who, 1, &v) }); err != nil {
		t.Fatal(err)
	}
	return v.Unread
}

func (w world) pushOn(t *testing.T, admin, client int64, on map[Area]bool) error {
	t.Helper()
	return w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) error {
		return SetPushOn(context.Background(), tx, w.co, admin, Target{ClientID: client}, on)
	})
}

// A client's activity reaches the co-workers serving it and the admins with Push on for it in that area — no
// other admin, no co-worker of another client, not the actor, not a deactivated person.
func TestClientActivity_WhoIsTold(t *testing.T) {
	w := newWorld(t)
	if n := w.activity(t, w.harbour, AreaJobs); n != 1 || w.unread(t, w.cora).Jobs != 1 {
		t.Errorf("Harbour's activity told %d, Cora has %+v; want Cora alone", n, w.unread(t, w.cora))
	}
	if u := w.unread(t, w.admin); u.Total() != 0 {
		t.Errorf("an admin without Push on has %+v, want nothing", u)
	}
	if err := w.pushOn(t, w.admin, w.harbour, map[Area]bool{AreaJobs: true, AreaTasks: true}); err != nil {
		t.Fatal(err)
	}
	w.activity(t, w.harbour, AreaJobs)
	w.activity(t, w.harbour, AreaChat) // Push on is not on for Chat
	w.activity(t, w.bay, AreaJobs)     // nor for Bay Rentals
	if u := w.unread(t, w.admin); u != (identity.Unread{Jobs: 1}) {
		t.Errorf("Ann (Push on: Harbour's Jobs and Tasks) has %+v, want one in Jobs", u)
	}
	for who, want := range map[int64]int{w.otherAdmin: 0, w.sam: 1, w.fran: 0} {
		if got := w.unread(t, who).Total(); got != want {
			t.Errorf("membership %d has %d unread, want %d", who, got, want)
		}
	}
	var gone int
	w.tdb.Owner.QueryRow(context.Background(), `select count(*) from notifications where membership_id = $1`, w.gone).Scan(&gone)
	if gone != 0 {
		t.Errorf("a deactivated co-worker got %d notifications", gone)
	}
	// Those taking part are told whatever their Push on.
	w.activity(t, w.bay, AreaTasks, w.otherAdmin)
	if u := w.unread(t, w.otherAdmin); u.Tasks != 1 {
		t.Errorf("a participant admin has %+v, want one in Tasks", u)
	}
	// Push on is the admin's own and the company's clients only.
	if err := w.pushOn(t, w.cora, w.harbour, map[Area]bool{AreaJobs: true}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Push on for a co-worker: %v, want ErrForbidden", err)
	}
	bolt := w.tdb.CreateCompany(t, "Bolt")
	var boltClient int64
	w.tdb.Owner.QueryRow(context.Background(), `insert into clients (company_id, name) values ($1, 'Bolt Client') returning id`, bolt).Scan(&boltClient)
	if err := w.pushOn(t, w.admin, boltClient, map[Area]bool{AreaJobs: true}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Push on for another company's client: %v, want ErrNotFound", err)
	}
	var on map[Area]bool
	w.tdb.Read(context.Background(), w.co, func(b *pgx.Batch) { QueuePushOn(b, w.co, w.admin, Target{ClientID: w.harbour}, &on) })
	if !on[AreaJobs] || !on[AreaTasks] || on[AreaChat] {
		t.Errorf("Ann's Push on for Harbour reads %v", on)
	}
}

// Opening marks one's own notification read and gives its link; someone else's is not found; Mark all read.
func TestOpenAndMarkAllRead(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.activity(t, w.harbour, AreaJobs)
	w.activity(t, w.harbour, AreaJobs)
	var page Page
	w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueList(b, w.co, w.cora, 0, &page) })
	if len(page.Rows) != 2 || page.Rows[0].Read || page.Rows[0].ClientName != "Harbour View" {
		t.Fatalf("Cora's list = %+v", page.Rows)
	}
	open := func(who, id int64) (string, error) {
		var link string
		err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) (err error) { link, err = Open(ctx, tx, w.co, who, id); return err })
		return link, err
	}
	if _, err := open(w.sam, page.Rows[0].ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam opening Cora's notification: %v, want ErrNotFound", err)
	}
	if link, err := open(w.cora, page.Rows[0].ID); err != nil || link != "/jobs/1" {
		t.Errorf("Cora opening hers = %q, %v", link, err)
	}
	if u := w.unread(t, w.cora); u.Jobs != 1 {
		t.Errorf("after opening one, Cora has %+v unread, want 1", u)
	}
	var n int
	w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) (err error) { n, err = MarkAllRead(ctx, tx, w.co, w.cora); return err })
	if n != 1 || w.unread(t, w.cora).Total() != 0 {
		t.Errorf("Mark all read marked %d, leaving %+v", n, w.unread(t, w.cora))
	}
}

// A person whose settings ask for a digest gets one email listing their unread notifications, then none for 15
// minutes whatever happens; someone in-app only gets none.
func TestDigester(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error {
		return SetDigests(ctx, tx, w.co, w.cora, map[Area]bool{AreaJobs: true})
	}); err != nil {
		t.Fatal(err)
	}
	w.activity(t, w.harbour, AreaJobs) // Cora: digest; Sam (Bay) gets nothing, and is in-app only anyway
	w.activity(t, w.bay, AreaJobs)
	var rendered []Digest
	d := &Digester{DB: w.tdb.DB, Log: slog.New(slog.DiscardHandler), Render: func(_ context.Context, dg Digest) (mail.Email, error) {
		rendered = append(rendered, dg)
		return mail.Email{Subject: "Digest", Text: dg.Items[0].Title, HTML: "<p>digest</p>"}, nil
	}}
	if n, err := d.Once(ctx); err != nil || n != 1 || len(rendered) != 1 || rendered[0].Name != "cora@acme.example" || len(rendered[0].Items) != 1 {
		t.Fatalf("first round: %d queued, %v; rendered %+v", n, err, rendered)
	}
	var to []string
	var text string
	w.tdb.Owner.QueryRow(ctx, `select recipients, text_body from outbox_emails where kind = 'digest'`).Scan(&to, &text)
	if len(to) != 1 || to[0] != "cora@acme.example" || !strings.Contains(text, "New job J-1") {
		t.Errorf("the digest email went to %v: %q", to, text)
	}
	w.activity(t, w.harbour, AreaJobs)
	if n, _ := d.Once(ctx); n != 0 {
		t.Errorf("a second digest within 15 minutes: %d queued", n)
	}
	w.tdb.Owner.Exec(ctx, `update memberships set digest_sent_at = now() - interval '16 minutes' where id = $1`, w.cora)
	if n, _ := d.Once(ctx); n != 1 || len(rendered[1].Items) != 1 {
		t.Errorf("after 15 minutes: %d queued, listing %d (want only the new one)", n, len(rendered[len(rendered)-1].Items))
	}
}

// A group's activity reaches its members and the admins with Push on for the group, not other admins.
func TestGroupActivity(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var group int64
	w.tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Crew', $2) returning id`, w.co, w.harbour).Scan(&group)
	w.tdb.Owner.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3)`, w.co, group, w.sam)
	err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error {
		return SetPushOn(ctx, tx, w.co, w.otherAdmin, Target{GroupID: group}, map[Area]bool{AreaChat: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) (err error) {
		n, err = GroupActivity(ctx, tx, w.co, Event{Area: AreaChat, GroupID: group, ActorID: w.cora, Actor: "Cora", Title: "New message", Link: "/chat"})
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("GroupActivity told %d, %v; want Sam and Abe", n, err)
	}
	if w.unread(t, w.sam).Chat != 1 || w.unread(t, w.otherAdmin).Chat != 1 || w.unread(t, w.admin).Total() != 0 {
		t.Errorf("Sam %+v, Abe %+v, Ann %+v", w.unread(t, w.sam), w.unread(t, w.otherAdmin), w.unread(t, w.admin))
	}
}
