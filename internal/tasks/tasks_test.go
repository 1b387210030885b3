package tasks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

type world struct {
	tdb                                          *dbtest.TestDB
	co, harbour, bay                             int64
	admin, cora, sam, fran, gus, bea, bob, subby int64
}

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	w := world{tdb: dbtest.New(t)}
	w.co = w.tdb.CreateCompany(t, "Acme")
	o := w.tdb.Owner
	o.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, w.co).Scan(&w.harbour)
	o.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bay Rentals') returning id`, w.co).Scan(&w.bay)
	person := func(email string, role identity.Role, client, host int64) int64 {
		var id int64
		err := o.QueryRow(ctx, `
			with a as (insert into accounts (email, name, password_hash) values ($2::text, $2::text, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id, host_id) select $1, a.id, $3, $4, $5 from a returning id`,
			w.co, email, role, db.NullID(client), db.NullID(host)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	w.admin = person("ann@acme.example", identity.RoleAdmin, 0, 0)
	w.cora = person("cora@acme.example", identity.RoleCoWorker, 0, 0)
	w.sam = person("sam@acme.example", identity.RoleCoWorker, 0, 0)
	w.subby = person("sub@acme.example", identity.RoleSubcontractor, 0, 0)
	w.fran = person("fran@harbour.example", identity.RoleClient, w.harbour, 0)
	w.bea = person("bea@bay.example", identity.RoleClient, w.bay, 0)
	w.gus = person("gus@guest.example", identity.RoleGuest, 0, w.fran)
	w.bob = person("bob@guest.example", identity.RoleGuest, 0, w.bea)
	o.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`, w.co, w.harbour, w.cora, w.sam)
	return w
}

func (w world) scope(who int64) Scope { return Scope{Member: who, All: who == w.admin} }

func (w world) create(t *testing.T, by int64, f Form) int64 {
	t.Helper()
	var id int64
	err := w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) (err error) {
		id, err = Create(context.Background(), tx, w.co, Actor{MembershipID: by, Name: "someone"}, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w world) add(by, task, who int64) error {
	return w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) error {
		return Add(context.Background(), tx, w.co, w.scope(by), Actor{MembershipID: by, Name: "someone"}, task, who)
	})
}

func (w world) comment(t *testing.T, by, task int64, body string) {
	t.Helper()
	err := w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) error {
		_, err := AddComment(context.Background(), tx, w.co, w.scope(by), Actor{MembershipID: by, Name: "Cora"}, task, body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (w world) get(who, task int64) (Task, []Person, []Comment, error) {
	var tk Task
	var people []Person
	var comments []Comment
	err := w.tdb.Read(context.Background(), w.co, func(b *pgx.Batch) { QueueGet(b, w.co, w.scope(who), task, &tk, &people, &comments) })
	return tk, people, comments, err
}

// The requester is on the task and named on it; a co-worker not on it cannot see it nor act on it, until someone
// on it adds them — and then they see every comment since the task was made.
func TestTasks_RequesterAndAdded(t *testing.T) {
	w := newWorld(t)
	task := w.create(t, w.cora, Form{Title: "Replace the lobby lights", ClientID: w.harbour, Due: "2026-12-01"})
	tk, people, _, err := w.get(w.cora, task)
	if err != nil || tk.RequesterID != w.cora || len(people) != 1 || !people[0].Requester || tk.ClientName != "Harbour View" || tk.DueOn == nil {
		t.Fatalf("the requester's view: %+v %+v %v", tk, people, err)
	}
	for range 3 {
		w.comment(t, w.cora, task, "An update")
	}
	if _, _, _, err := w.get(w.sam, task); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam, not on the task, reads it: %v, want ErrNotFound", err)
	}
	if err := w.add(w.sam, task, w.sam); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam adding himself: %v, want ErrNotFound", err)
	}
	if _, _, _, err := w.get(w.admin, task); err != nil {
		t.Errorf("an admin reads every task: %v", err)
	}
	if err := w.add(w.cora, task, w.sam); err != nil {
		t.Fatal(err)
	}
	_, people, comments, err := w.get(w.sam, task)
	if err != nil || len(comments) != 3 || len(people) != 2 {
		t.Errorf("Sam, added after 3 comments, sees %d comments and %d people (%v); want 3 and 2", len(comments), len(people), err)
	}
}

// Who may take part: admins; co-workers who serve the task's client; the client's users and their guests — and on
// a task made without a client, never a client user or guest (a conflict, in words).
func TestTasks_WhoMayBeAdded(t *testing.T) {
	w := newWorld(t)
	withClient := w.create(t, w.cora, Form{Title: "Gutters", ClientID: w.harbour})
	bare := w.create(t, w.cora, Form{Title: "Order ladders"})
	for who, ok := range map[int64]bool{w.fran: true, w.gus: true, w.admin: true, w.bea: false, w.bob: false, w.subby: false} {
		err := w.add(w.cora, withClient, who)
		if (err == nil) != ok {
			t.Errorf("adding membership %d to a client's task: %v, want allowed %t", who, err, ok)
		}
		if !ok && apperr.AsValidation(err).Field("membership_id") == "" {
			t.Errorf("refusing membership %d: %v, want words next to the field", who, err)
		}
	}
	w.tdb.Owner.Exec(context.Background(), `delete from client_coworkers where membership_id = $1`, w.sam)
	if err := w.add(w.cora, withClient, w.sam); apperr.AsValidation(err) == nil {
		t.Errorf("a co-worker who does not serve the client: %v, want a message", err)
	}
	for _, who := range []int64{w.fran, w.gus} {
		err := w.add(w.cora, bare, who)
		if !errors.Is(err, apperr.ErrConflict) || apperr.AsValidation(err).FormMessage() == "" {
			t.Errorf("adding membership %d to a task without a client: %v, want a conflict in words", who, err)
		}
	}
	if err := w.add(w.cora, bare, w.sam); err != nil {
		t.Errorf("any co-worker joins a task without a client: %v", err)
	}
}

// A group's task takes the group's client and people; bad input is refused in words and saves nothing.
func TestTasks_CreateFromAGroupAndBadInput(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var group int64
	w.tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Crew', $2) returning id`, w.co, w.harbour).Scan(&group)
	w.tdb.Owner.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3), ($1, $2, $4), ($1, $2, $5)`, w.co, group, w.sam, w.gus, w.cora)
	task := w.create(t, w.cora, Form{Title: "Paint the stairwell", GroupID: group})
	tk, people, _, err := w.get(w.gus, task)
	if err != nil || tk.ClientID != w.harbour || tk.GroupName != "Crew" || len(people) != 3 {
		t.Errorf("the group's task as Gus: %+v, %d people, %v", tk, len(people), err)
	}
	for _, f := range []Form{{Title: ""}, {Title: "x", Due: "2026-02-30"}, {Title: "x", ClientID: w.harbour, GroupID: group}} {
		err := w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error {
			_, err := Create(ctx, tx, w.co, Actor{MembershipID: w.cora, Name: "Cora"}, f)
			return err
		})
		if apperr.AsValidation(err) == nil {
			t.Errorf("%+v: %v, want a message", f, err)
		}
	}
	var n int
	w.tdb.Owner.QueryRow(ctx, `select count(*) from tasks`).Scan(&n)
	if n != 1 {
		t.Errorf("%d tasks saved, want 1", n)
	}
}

// The list's filters: mine, requested by me, overdue, a client, a search; a co-worker never lists a task not theirs.
func TestTasks_ListFilters(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.create(t, w.cora, Form{Title: "Lobby lights", ClientID: w.harbour, Due: "2026-01-05"})
	w.create(t, w.admin, Form{Title: "Bay gutters", ClientID: w.bay})
	w.create(t, w.sam, Form{Title: "Order ladders"})
	list := func(who int64, f ListFilter) []string {
		f.Today = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		var page ListPage
		if err := w.tdb.Read(ctx, w.co, func(b *pgx.Batch) { QueueList(b, w.co, w.scope(who), f, &page) }); err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, r := range page.Rows {
			titles = append(titles, r.Title)
		}
		return titles
	}
	for name, c := range map[string]struct {
		who  int64
		f    ListFilter
		want int
	}{
		"admin, all":          {w.admin, ListFilter{}, 3},
		"admin, mine":         {w.admin, ListFilter{Mine: true}, 1},
		"cora, all":           {w.cora, ListFilter{}, 1},
		"cora, requested":     {w.cora, ListFilter{Requested: true}, 1},
		"admin, overdue":      {w.admin, ListFilter{Overdue: true}, 1},
		"admin, Bay Rentals":  {w.admin, ListFilter{ClientID: w.bay}, 1},
		"admin, search":       {w.admin, ListFilter{Q: "ladd"}, 1},
		"admin, search %":     {w.admin, ListFilter{Q: "%"}, 0},
		"sam, someone else's": {w.sam, ListFilter{Q: "Lobby"}, 0},
	} {
		if got := list(c.who, c.f); len(got) != c.want {
			t.Errorf("%s: %v, want %d tasks", name, got, c.want)
		}
	}
}
