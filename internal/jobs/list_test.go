package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

func (f fixture) list(t *testing.T, scope Scope, lf ListFilter) ListPage {
	t.Helper()
	var p ListPage
	if err := f.tdb.Read(context.Background(), f.co, func(b *pgx.Batch) { QueueList(b, f.co, scope, lf, &p) }); err != nil {
		t.Fatal(err)
	}
	return p
}

func titles(p ListPage) []string {
	var ts []string
	for _, r := range p.Rows {
		ts = append(ts, r.Title)
	}
	slices.Sort(ts)
	return ts
}

// Each view holds exactly its jobs; "today" is today in the company's time zone.
func TestList_Views(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	// 10:30 UTC on 25 Nov is 23:30 on 25 Nov in Auckland (NZDT, UTC+13): Auckland's today is
	// 24 Nov 11:00 UTC up to 25 Nov 11:00 UTC.
	now := time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	today := Today(now, auckland)
	if today.Start.UTC().Format(time.RFC3339) != "2026-11-24T11:00:00Z" || today.End.UTC().Format(time.RFC3339) != "2026-11-25T11:00:00Z" {
		t.Fatalf("Auckland's today: %v", today)
	}
	job := func(title string, status Status, visitUTC ...string) int64 {
		id := a.create(t, title)
		a.in(t, func(tx pgx.Tx) error {
			if status == StatusDeferred {
				return Defer(ctx, tx, a.co, Everything, a.by, id)
			}
			return SetStatus(ctx, tx, a.co, Everything, a.by, id, status)
		})
		for _, v := range visitUTC {
			tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, starts_at, ends_at) values ($1, $2, $3::timestamptz, $3::timestamptz + interval '1 hour')`, a.co, id, v)
		}
		return id
	}
	job("done just after local midnight", StatusCompleted, "2026-11-24T11:30:00Z")  // 00:30 today in Auckland, yesterday in UTC
	job("done just before local midnight", StatusCompleted, "2026-11-25T10:59:00Z") // 23:59 today
	job("done yesterday", StatusCompleted, "2026-11-24T10:30:00Z")                  // 23:30 yesterday in Auckland
	job("done tomorrow", StatusCompleted, "2026-11-25T11:30:00Z")                   // 00:30 tomorrow in Auckland, today in UTC
	job("done, no visit", StatusCompleted)
	job("in progress today", StatusInProgress, "2026-11-25T01:00:00Z")
	job("open", StatusOpenDispatch)
	job("awaiting qc", StatusAwaitingQualityCheck)
	job("awaiting billing", StatusAwaitingBilling)
	job("awaiting payment", StatusAwaitingPayment)
	job("deferred", StatusDeferred)
	portal := job("from the portal", StatusOpenDispatch)
	tdb.Owner.Exec(ctx, `update jobs set source = 'portal', seen_at = null where id = $1`, portal)
	seenPortal := job("from the portal, seen", StatusOpenDispatch)
	tdb.Owner.Exec(ctx, `update jobs set source = 'portal', seen_at = now() where id = $1`, seenPortal)

	want := map[View][]string{
		ViewCompletedToday:               {"done just after local midnight", "done just before local midnight"},
		View(StatusOpenDispatch):         {"from the portal", "from the portal, seen", "open"},
		View(StatusInProgress):           {"in progress today"},
		View(StatusAwaitingQualityCheck): {"awaiting qc"},
		View(StatusAwaitingBilling):      {"awaiting billing"},
		View(StatusAwaitingPayment):      {"awaiting payment"},
		View(StatusDeferred):             {"deferred"},
		ViewFromClients:                  {"from the portal"},
	}
	counts := map[View]int64{}
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueCounts(b, a.co, Everything, today, counts) })
	for v, titlesWant := range want {
		got := titles(a.list(t, Everything, ListFilter{View: v, Now: now, Today: today}))
		if fmt.Sprint(got) != fmt.Sprint(titlesWant) {
			t.Errorf("view %s: %q, want %q", v, got, titlesWant)
		}
		if counts[v] != int64(len(titlesWant)) {
			t.Errorf("count of %s = %d, want %d", v, counts[v], len(titlesWant))
		}
	}
	if all := a.list(t, Everything, ListFilter{View: ViewAll, Now: now, Today: today}); len(all.Rows) != 13 || counts[ViewAll] != 13 {
		t.Errorf("all jobs: %d rows, count %d; want 13", len(all.Rows), counts[ViewAll])
	}
	// The counters follow status changes; a co-worker's counts are of their own jobs only.
	cw := Scope{Member: a.coworker, Clients: true}
	cwCounts := map[View]int64{}
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueCounts(b, a.co, cw, today, cwCounts) })
	if cwCounts[ViewAll] != 0 || len(a.list(t, cw, ListFilter{Now: now, Today: today}).Rows) != 0 {
		t.Errorf("an unassigned co-worker counts %d jobs", cwCounts[ViewAll])
	}
	if _, err := ParseView("nonsense"); apperr.AsValidation(err).Field("view") != "Choose a view from the list." {
		t.Errorf("unknown view: %v", err)
	}
}

func TestList_SearchAndPaging(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	var other int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, phone) values ($1, 'Greenlane 100% Medical', '09 555 0199') returning id`, a.co).Scan(&other)
	var warehouse int64
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Warehouse_2', '30 Church St') returning id`, a.co, other).Scan(&warehouse)
	for i := range 120 {
		a.create(t, fmt.Sprintf("Routine job %03d", i))
	}
	a.in(t, func(tx pgx.Tx) error {
		_, _, err := Create(ctx, tx, a.co, Everything, a.by, Form{ClientID: other, SiteID: warehouse, Title: "Replace hot water cylinder"}, nil)
		return err
	})
	for q, want := range map[string]int{
		"hot water":    1, // title
		"greenlane":    1, // client name
		"0199":         1, // client phone
		"church st":    1, // site address
		"warehouse_2":  1, // site name, _ literal
		"100%":         1, // % literal
		"J-1121":       1, // number
		"1050":         1, // number without J-
		`a\b`:          0, // \ literal
		"nothing like": 0,
	} {
		if got := a.list(t, Everything, ListFilter{Q: q}); len(got.Rows) != want {
			t.Errorf("search %q: %d rows, want %d", q, len(got.Rows), want)
		}
	}
	if got := apperr.AsValidation(ListFilter{Q: "ab"}.Validate()).Field("q"); got != "Type at least 3 characters, or a job number." {
		t.Errorf("a 2-character search: %q", got)
	}
	if err := (ListFilter{Q: "42"}.Validate()); err != nil {
		t.Errorf("a short job number was refused: %v", err)
	}
	if got := apperr.AsValidation(ListFilter{Q: strings.Repeat("x", 10000)}.Validate()).Field("q"); got != "Search with at most 200 characters." {
		t.Errorf("a 10,000-character search: %q", got)
	}

	p1 := a.list(t, Everything, ListFilter{})
	p2 := a.list(t, Everything, ListFilter{After: p1.Rows[PageSize-1].ID})
	p3 := a.list(t, Everything, ListFilter{After: p2.Rows[PageSize-1].ID})
	back := a.list(t, Everything, ListFilter{Before: p3.Rows[0].ID})
	if p1.Rows[0].Title != "Replace hot water cylinder" || !p1.More || !p2.More || p3.More || len(p3.Rows) != 21 {
		t.Errorf("pages: first %q, more %t %t %t, last page %d rows", p1.Rows[0].Title, p1.More, p2.More, p3.More, len(p3.Rows))
	}
	if back.Rows[0].ID != p2.Rows[0].ID || back.Rows[PageSize-1].ID != p2.Rows[PageSize-1].ID || !back.More {
		t.Error("paging back from page 3 does not give page 2")
	}
	if got := a.list(t, Everything, ListFilter{View: View(StatusDeferred), After: p1.Rows[10].ID}); len(got.Rows) != 0 {
		t.Errorf("deferred after a cursor: %d rows", len(got.Rows))
	}
}

// TestList_SearchWindowMatchesFullSearch: a search served from the recency window gives the same pages, in the
// same order, as one that gathers every match — for a common term (the window fills a page) and a rare one.
func TestList_SearchWindowMatchesFullSearch(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	for i := range 130 {
		title := fmt.Sprintf("Routine job %03d", i)
		if i%3 == 0 {
			title = fmt.Sprintf("Hot water service %03d", i)
		}
		a.create(t, title)
	}
	defer func(w int) { searchWindow = w }(searchWindow)
	pages := func(window int, q string) (ids [][]int64) {
		searchWindow = window
		f := ListFilter{Q: q}
		for {
			p := a.list(t, Everything, f)
			var page []int64
			for _, r := range p.Rows {
				page = append(page, r.ID)
			}
			ids = append(ids, page)
			if !p.More || len(p.Rows) == 0 {
				return ids
			}
			f.After = p.Rows[len(p.Rows)-1].ID
		}
	}
	for _, q := range []string{"routine", "hot water", "job 12", "nothing like it"} {
		full, windowed := pages(0, q), pages(90, q)
		if fmt.Sprint(full) != fmt.Sprint(windowed) {
			t.Errorf("search %q: windowed pages %v, full %v", q, windowed, full)
		}
	}
	if got := pages(90, "routine"); len(got) != 2 || len(got[0]) != PageSize {
		t.Errorf("routine: %d pages, first of %d", len(got), len(got[0]))
	}
}
