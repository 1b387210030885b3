package planned

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Moving a planned job to another building: refused while it has locations or interventions (they are in the old
// building, on its assets) and while it is shared — 409 in words, nothing changed —; another company's building is
// not found; the building it is in already is no move; a move is a History line. The edit form never moves it (a
// form opened before a move would move it back).
func TestMove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var towerB, otherSite int64
	f.tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Tower B', '2 Quay St') returning id`, f.fern, f.client).Scan(&towerB)
	f.tdb.Owner.QueryRow(ctx, `with c as (insert into clients (company_id, name) values ($1, 'Theirs') returning id)
		insert into sites (company_id, client_id, name, address) select $1, c.id, 'Their tower', '3 Quay St' from c returning id`, f.other).Scan(&otherSite)
	move := func(site int64) (moved bool, err error) {
		err = f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) (err error) {
			moved, err = Move(ctx, tx, f.fern, f.office, f.id, site)
			return err
		})
		return moved, err
	}
	edit := func(site int64) error { // the edit form, with another building as a stale or forged post would send
		var j PlannedJob
		var d Details
		if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueGet(b, f.fern, Everything, f.id, &j, &d) }); err != nil {
			t.Fatal(err)
		}
		form := FormOf(j, d.Assignees)
		form.SiteID, form.Title = site, "Edited"
		return f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return Update(ctx, tx, f.fern, f.office, f.id, form) })
	}
	siteNow := func() (site int64) {
		f.tdb.Owner.QueryRow(ctx, `select site_id from planned_jobs where id = $1`, f.id).Scan(&site)
		return site
	}
	refused := func(what, words string, site int64) {
		t.Helper()
		moved, err := move(site)
		if moved || !errors.Is(err, apperr.ErrConflict) || !strings.Contains(apperr.AsValidation(err).FormMessage(), words) || siteNow() == site {
			t.Errorf("%s: %t, %v, now in site %d", what, moved, err, siteNow())
		}
	}

	refused("a move with a location and an intervention", "remove them first", towerB)
	f.tdb.Owner.Exec(ctx, `delete from planned_interventions where planned_job_id = $1`, f.id)
	refused("a move with a location", "remove them first", towerB)
	f.tdb.Owner.Exec(ctx, `delete from planned_locations where planned_job_id = $1`, f.id)
	if err := edit(towerB); err != nil || siteNow() != f.site {
		t.Errorf("an edit carrying another building: %v, now in site %d", err, siteNow())
	}
	if moved, err := move(otherSite); moved || !errors.Is(err, apperr.ErrNotFound) || siteNow() != f.site {
		t.Errorf("a move to another company's building: %v", err)
	}
	if moved, err := move(f.site); moved || err != nil {
		t.Errorf("a move to the building it is in: %t, %v", moved, err)
	}
	if moved, err := move(towerB); !moved || err != nil || siteNow() != towerB {
		t.Fatalf("move: %t, %v, now in site %d", moved, err, siteNow())
	}
	var history int
	f.tdb.Owner.QueryRow(ctx, `select count(*) from planned_activity where planned_job_id = $1 and body = 'Moved to the building Tower B'`, f.id).Scan(&history)
	if history != 1 {
		t.Errorf("%d History lines of the move", history)
	}
	if err := edit(f.site); err != nil || siteNow() != towerB { // the form as opened before the move
		t.Errorf("a stale edit: %v, now in site %d", err, siteNow())
	}

	f.tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party) values ($1, $2, 'client')`, f.fern, f.id)
	refused("a move while shared", "Stop sharing", f.site)
}

// Finding a building: by its name, its address or its client's name, % taken literally; at most PickLimit, with
// More set when there are others.
func TestFindBuildings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.tdb.Owner.Exec(ctx, `insert into sites (company_id, client_id, name, address)
		select $1, $2, 'Block ' || n, n || ' Long Rd' from generate_series(1, 60) n`, f.fern, f.client)
	f.tdb.Owner.Exec(ctx, `with c as (insert into clients (company_id, name) values ($1, 'Kelp 100% Offices') returning id)
		insert into sites (company_id, client_id, name, address) select $1, c.id, 'Kelp House', '9 Bay Rd' from c`, f.fern)
	find := func(q string) (names []string, more bool) {
		var bs []Building
		if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueFindBuildings(b, f.fern, q, &bs, &more) }); err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			names = append(names, b.Name)
		}
		return names, more
	}
	if names, more := find(""); len(names) != PickLimit || !more {
		t.Errorf("all: %d shown, more %t", len(names), more)
	}
	for q, want := range map[string]string{"quay": "Tower A", "bay rd": "Kelp House", "100%": "Kelp House", "KELP": "Kelp House"} {
		if names, more := find(q); more || len(names) != 1 || names[0] != want {
			t.Errorf("%q finds %v (more %t), want %s", q, names, more, want)
		}
	}
	if names, more := find("harbour"); len(names) != PickLimit || !more || slices.Contains(names, "Kelp House") {
		t.Errorf("the client's name finds %d (more %t): %v", len(names), more, names)
	}
	if names, _ := find("0%"); len(names) != 1 {
		t.Errorf("0%% finds %v: %% is a wildcard", names)
	}
}

// Whom a building may belong to: its client first whatever the search, then the clients whose name holds it, at most
// PickLimit with More set when there are others.
func TestClientChoices(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.tdb.Owner.Exec(ctx, `insert into clients (company_id, name) select $1, 'Client ' || n from generate_series(1, 60) n`, f.fern)
	if _, err := f.tdb.Owner.Exec(ctx, `insert into clients (company_id, name) values ($1, 'Client of another company')`, f.other); err != nil {
		t.Fatal(err)
	}
	choices := func(q string) (names []string, more bool) {
		var cs []Choice
		if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueClientChoices(b, f.fern, f.site, q, &cs, &more) }); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return names, more
	}
	if names, more := choices(""); len(names) != PickLimit || !more || names[0] != "Harbour Towers" {
		t.Errorf("no search: %d (more %t), first %v", len(names), more, names[:1])
	}
	if names, more := choices("client 5"); more || !slices.Equal(names, []string{"Harbour Towers", "Client 5", "Client 50", "Client 51", "Client 52",
		"Client 53", "Client 54", "Client 55", "Client 56", "Client 57", "Client 58", "Client 59"}) {
		t.Errorf("client 5: %v (more %t)", names, more)
	}
	if names, _ := choices("nomatch"); !slices.Equal(names, []string{"Harbour Towers"}) {
		t.Errorf("a search matching none: %v", names)
	}
	if names, _ := choices("another company"); !slices.Equal(names, []string{"Harbour Towers"}) {
		t.Errorf("another company's client offered: %v", names)
	}
}

// Who reads a planned job: an admin every one; a co-worker those they are an assignee of and those in the buildings
// of the clients assigned to them; a subcontractor person only those they are an assignee of; nobody of another
// company.
func TestScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	member := func(co int64, email string, role identity.Role) (m int64) {
		if err := f.tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($1, $4, 'x') returning id)
			insert into memberships (company_id, account_id, role) select $2, a.id, $3 from a returning id`, email, co, role, email).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cora, colin := member(f.fern, "cora@fern.example", identity.RoleCoWorker), member(f.fern, "colin@fern.example", identity.RoleCoWorker)
	sid, sue := member(f.fern, "sid@fern.example", identity.RoleSubcontractor), member(f.fern, "sue@fern.example", identity.RoleSubcontractor)
	f.tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, f.fern, f.client, cora)
	f.tdb.Owner.Exec(ctx, `insert into planned_assignees (company_id, planned_job_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`, f.fern, f.id, colin, sid)
	var other int64 // in the same building, nobody assigned
	f.tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title) values ($1, $2, 'Other') returning id`, f.fern, f.site).Scan(&other)
	f.tdb.Owner.Exec(ctx, `delete from client_coworkers where membership_id = $1`, colin)

	sees := func(co int64, v identity.Viewer, id int64) bool {
		err := f.tdb.Read(ctx, co, func(b *pgx.Batch) { QueueVisible(b, co, ScopeFor(&v), id) })
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	listed := func(v identity.Viewer) (ids []int64) {
		var rows []Row
		var more bool
		if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueList(b, f.fern, ScopeFor(&v), 0, &rows, &more) }); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	for _, c := range []struct {
		who  string
		v    identity.Viewer
		want []int64
	}{
		{"the admin", identity.Viewer{CompanyID: f.fern, MembershipID: f.office.MembershipID, Role: identity.RoleAdmin}, []int64{other, f.id}},
		{"a co-worker of the building's client", identity.Viewer{CompanyID: f.fern, MembershipID: cora, Role: identity.RoleCoWorker}, []int64{other, f.id}},
		{"a co-worker assignee", identity.Viewer{CompanyID: f.fern, MembershipID: colin, Role: identity.RoleCoWorker}, []int64{f.id}},
		{"a subcontractor assignee", identity.Viewer{CompanyID: f.fern, MembershipID: sid, Role: identity.RoleSubcontractor}, []int64{f.id}},
		{"a subcontractor not assigned", identity.Viewer{CompanyID: f.fern, MembershipID: sue, Role: identity.RoleSubcontractor}, nil},
		{"a client user", identity.Viewer{CompanyID: f.fern, MembershipID: cora, Role: identity.RoleClient}, nil},
	} {
		if got := listed(c.v); !slices.Equal(got, c.want) {
			t.Errorf("%s lists %v, want %v", c.who, got, c.want)
		}
		for _, id := range []int64{f.id, other} {
			if got := sees(f.fern, c.v, id); got != slices.Contains(c.want, id) {
				t.Errorf("%s sees %d: %t", c.who, id, got)
			}
		}
	}
	if sees(f.other, identity.Viewer{CompanyID: f.other, Role: identity.RoleAdmin}, f.id) {
		t.Error("another company's admin sees the planned job")
	}
}
