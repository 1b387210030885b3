package planned

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Moving a planned job to another building: refused while it has interventions (they are on the old building's
// assets) and while it is shared — both 409 in words with nothing changed, by Move as by Update's building —;
// another company's building is not found; a move is a History line.
func TestMove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var towerB, otherSite int64
	f.tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Tower B', '2 Quay St') returning id`, f.fern, f.client).Scan(&towerB)
	f.tdb.Owner.QueryRow(ctx, `with c as (insert into clients (company_id, name) values ($1, 'Theirs') returning id)
		insert into sites (company_id, client_id, name, address) select $1, c.id, 'Their tower', '3 Quay St' from c returning id`, f.other).Scan(&otherSite)
	move := func(site int64) error {
		return f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return Move(ctx, tx, f.fern, f.office, f.id, site) })
	}
	edit := func(site int64) error { // the edit form with another building, as a forged post would send it
		var j PlannedJob
		var d Details
		if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueGet(b, f.fern, f.id, &j, &d) }); err != nil {
			t.Fatal(err)
		}
		form := FormOf(j, d.Assignees)
		form.SiteID = site
		return f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return Update(ctx, tx, f.fern, f.office, f.id, form) })
	}
	siteNow := func() (site int64) {
		f.tdb.Owner.QueryRow(ctx, `select site_id from planned_jobs where id = $1`, f.id).Scan(&site)
		return site
	}
	refused := func(what string, err error, words string, site int64) {
		t.Helper()
		if !errors.Is(err, apperr.ErrConflict) || !strings.Contains(apperr.AsValidation(err).FormMessage(), words) || siteNow() != site {
			t.Errorf("%s: %v, now in site %d", what, err, siteNow())
		}
	}

	refused("a move with an intervention", move(towerB), "remove them first", f.site)
	refused("an edit of the building with an intervention", edit(towerB), "remove them first", f.site)
	f.tdb.Owner.Exec(ctx, `delete from planned_interventions where planned_job_id = $1`, f.id)
	if err := move(otherSite); !errors.Is(err, apperr.ErrNotFound) || siteNow() != f.site {
		t.Errorf("a move to another company's building: %v", err)
	}
	if err := move(towerB); err != nil || siteNow() != towerB {
		t.Fatalf("move: %v, now in site %d", err, siteNow())
	}
	var history int
	f.tdb.Owner.QueryRow(ctx, `select count(*) from planned_activity where planned_job_id = $1 and body = 'Moved to the building Tower B'`, f.id).Scan(&history)
	if history != 1 {
		t.Errorf("%d History lines of the move", history)
	}

	f.tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party) values ($1, $2, 'client')`, f.fern, f.id)
	refused("a move while shared", move(f.site), "Stop sharing", towerB)
	refused("an edit of the building while shared", edit(f.site), "Stop sharing", towerB)
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
