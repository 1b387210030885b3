package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

// fixture is a company with a client (with a site), an admin and a co-worker.
type fixture struct {
	tdb                     *dbtest.TestDB
	co, client, site, admin int64
	coworker                int64
	by                      Actor
}

func newFixture(t *testing.T, tdb *dbtest.TestDB, name string) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{tdb: tdb, co: tdb.CreateCompany(t, name)}
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Client of '||$2::text) returning id`, f.co, name).Scan(&f.client)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'HQ', '1 Road') returning id`, f.co, f.client).Scan(&f.site)
	member := func(role string) (id int64) {
		err := tdb.Owner.QueryRow(ctx, `
			with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role) select $1, id, $2 from a returning id`,
			f.co, role, fmt.Sprintf("%s.%d@x.example", role, f.co)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.admin, f.coworker = member("admin"), member("co-worker")
	f.by = Actor{MembershipID: f.admin, Name: "Ann Admin"}
	return f
}

func (f fixture) in(t *testing.T, fn func(tx pgx.Tx) error) error {
	t.Helper()
	return f.tdb.InCompany(context.Background(), f.co, fn)
}

func (f fixture) create(t *testing.T, title string) int64 {
	t.Helper()
	var id int64
	err := f.in(t, func(tx pgx.Tx) (err error) {
		id, _, err = Create(context.Background(), tx, f.co, Everything, f.by, Form{ClientID: f.client, SiteID: f.site, Title: title}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// visit gives the job an unscheduled visit assigned to member, as the office's Add visit does.
func (f fixture) visit(ctx context.Context, tx pgx.Tx, job, member int64) error {
	_, err := tx.Exec(ctx, `insert into visits (company_id, job_id, assignee_id) values ($1, $2, $3)`, f.co, job, member)
	return err
}

func (f fixture) history(t *testing.T, job int64) []string {
	t.Helper()
	var es []HistoryLine
	if err := f.tdb.Read(context.Background(), f.co, func(b *pgx.Batch) { QueueHistory(b, f.co, job, &es) }); err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, e := range es {
		whats = append(whats, e.What)
	}
	return whats
}

func TestCreate_NumbersUnderConcurrency(t *testing.T) {
	tdb := dbtest.New(t)
	a, b := newFixture(t, tdb, "A"), newFixture(t, tdb, "B")
	var mu sync.Mutex
	var numbers []int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			err := a.in(t, func(tx pgx.Tx) (err error) {
				_, n, err = Create(context.Background(), tx, a.co, Everything, a.by, Form{ClientID: a.client, Title: fmt.Sprint("Job ", i)}, nil)
				return err
			})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			numbers = append(numbers, n)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(numbers)
	for i, n := range numbers {
		if n != FirstNumber+int64(i) {
			t.Fatalf("numbers %v: want %d..%d, each once", numbers, FirstNumber, FirstNumber+19)
		}
	}
	// A rolled-back job gives its number back; a committed one never does. Another company counts on its own.
	a.in(t, func(tx pgx.Tx) error {
		Create(context.Background(), tx, a.co, Everything, a.by, Form{ClientID: a.client, Title: "Rolled back"}, nil)
		return errors.New("roll back")
	})
	var n int64
	a.in(t, func(tx pgx.Tx) (err error) {
		_, n, err = Create(context.Background(), tx, a.co, Everything, a.by, Form{ClientID: a.client, Title: "Next"}, nil)
		return err
	})
	var nb int64
	b.in(t, func(tx pgx.Tx) (err error) {
		_, nb, err = Create(context.Background(), tx, b.co, Everything, b.by, Form{ClientID: b.client, Title: "B's first"}, nil)
		return err
	})
	if n != FirstNumber+20 || nb != FirstNumber {
		t.Errorf("after a rollback A's next is %d (want %d); B's first is %d", n, FirstNumber+20, nb)
	}
}

func TestCreate_Rules(t *testing.T) {
	tdb := dbtest.New(t)
	a, b := newFixture(t, tdb, "A"), newFixture(t, tdb, "B")
	ctx := context.Background()
	create := func(f Form) error {
		return a.in(t, func(tx pgx.Tx) error { _, _, err := Create(ctx, tx, a.co, Everything, a.by, f, nil); return err })
	}
	if err := create(Form{ClientID: a.client}); apperr.AsValidation(err).Field("title") == "" {
		t.Errorf("no title: %v", err)
	}
	if err := create(Form{Title: "X"}); apperr.AsValidation(err).Field("client_id") != "Choose the client this job is for." {
		t.Errorf("no client: %v", err)
	}
	if err := create(Form{ClientID: b.client, Title: "X"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company's client: %v", err)
	}
	if err := create(Form{ClientID: a.client, SiteID: b.site, Title: "X"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another client's site: %v", err)
	}
	if err := create(Form{ClientID: a.client, BillingClientID: b.client, Title: "X"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company's billing client: %v", err)
	}
	// A co-worker adds jobs only for the clients assigned to them.
	cw := Scope{Member: a.coworker, Clients: true}
	err := a.in(t, func(tx pgx.Tx) error {
		_, _, err := Create(ctx, tx, a.co, cw, a.by, Form{ClientID: a.client, Title: "X"}, nil)
		return err
	})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("co-worker, unassigned client: %v", err)
	}
	var n int
	tdb.Owner.QueryRow(ctx, `select count(*) from jobs`).Scan(&n)
	if n != 0 {
		t.Errorf("%d jobs saved from refused input", n)
	}
}

func TestLines(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	job := a.create(t, "Rewire")
	add := func(f LineForm, withCost bool) error {
		return a.in(t, func(tx pgx.Tx) error {
			_, err := AddLine(ctx, tx, a.co, Everything, a.by, job, f, withCost)
			return err
		})
	}
	for _, c := range []struct {
		form  LineForm
		field string
	}{
		{LineForm{Quantity: "1", UnitPrice: "10"}, "description"},
		{LineForm{Description: "X", Quantity: "-1", UnitPrice: "10"}, "quantity"},
		{LineForm{Description: "X", Quantity: "1.2345", UnitPrice: "10"}, "quantity"},
		{LineForm{Description: "X", Quantity: "100001", UnitPrice: "10"}, "quantity"},
		{LineForm{Description: "X", Quantity: "1", UnitPrice: "-5"}, "unit_price"},
		{LineForm{Description: "X", Quantity: "1", UnitPrice: "1.005"}, "unit_price"},
		{LineForm{Description: "X", Quantity: "1", UnitPrice: "100000000.01"}, "unit_price"},
		{LineForm{Description: "X", Quantity: "1", UnitPrice: "1", UnitCost: "abc"}, "unit_cost"},
	} {
		if apperr.AsValidation(add(c.form, true)).Field(c.field) == "" {
			t.Errorf("%+v: no message on %s", c.form, c.field)
		}
	}
	if err := add(LineForm{Description: "Labour", Quantity: "1.5", UnitCost: "40", UnitPrice: "$95.00"}, true); err != nil {
		t.Fatal(err)
	}
	if err := add(LineForm{Description: "Pipe", Quantity: "3", UnitCost: "999", UnitPrice: "12.34"}, false); err != nil {
		t.Fatal(err)
	}
	var ls []Line
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueLines(b, a.co, job, &ls) })
	tot := Sum(ls)
	if len(ls) != 2 || ls[1].UnitCostCents != 0 || tot.SaleCents != 14250+3702 || tot.CostCents != 6000 || tot.MarginCents != 14250+3702-6000 {
		t.Errorf("lines %+v, totals %+v", ls, tot)
	}
	if got := FormatMoney(1234567, "NZD"); got != "$12,345.67" {
		t.Errorf("FormatMoney = %q", got)
	}
	if got := FormatQuantity(1500); got != "1.5" {
		t.Errorf("FormatQuantity = %q", got)
	}
}

func TestWorkflow_DeferSubjobsRecalls(t *testing.T) {
	tdb := dbtest.New(t)
	a, b := newFixture(t, tdb, "A"), newFixture(t, tdb, "B")
	ctx := context.Background()
	job := a.create(t, "Bathroom refit")
	do := func(fn func(tx pgx.Tx) error) error { return a.in(t, fn) }

	if err := do(func(tx pgx.Tx) error { return SetStatus(ctx, tx, a.co, Everything, a.by, job, StatusInProgress) }); err != nil {
		t.Fatal(err)
	}
	if err := do(func(tx pgx.Tx) error { return SetStatus(ctx, tx, a.co, Everything, a.by, job, "bogus") }); apperr.AsValidation(err) == nil {
		t.Errorf("unknown status: %v", err)
	}
	if err := do(func(tx pgx.Tx) error { return Defer(ctx, tx, a.co, Everything, a.by, job) }); err != nil {
		t.Fatal(err)
	}
	if err := do(func(tx pgx.Tx) error { return SetStatus(ctx, tx, a.co, Everything, a.by, job, StatusCompleted) }); apperr.AsValidation(err) == nil {
		t.Errorf("moving a deferred job: %v", err)
	}
	if err := do(func(tx pgx.Tx) error { return Undefer(ctx, tx, a.co, Everything, a.by, job) }); err != nil {
		t.Fatal(err)
	}
	var j Job
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueGet(b, a.co, Everything, job, &j) })
	if j.Status != StatusInProgress || j.DeferredFrom != nil {
		t.Errorf("after undoing the deferral: %s %v", j.Status, j.DeferredFrom)
	}

	var sub, subNumber int64
	err := do(func(tx pgx.Tx) (err error) {
		sub, subNumber, err = CreateSubjob(ctx, tx, a.co, Everything, a.by, job, "Stage 1 — 20 %", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	do(func(tx pgx.Tx) error {
		_, err := AddLine(ctx, tx, a.co, Everything, a.by, sub, LineForm{Description: "Deposit", Quantity: "1", UnitPrice: "200"}, true)
		return err
	})
	var subs []Related
	tdb.Read(ctx, a.co, func(b *pgx.Batch) {
		QueueSubjobs(b, a.co, Everything, job, &subs)
		QueueGet(b, a.co, Everything, sub, &j)
	})
	if len(subs) != 1 || subs[0].TotalCents != 20000 || j.ParentNumber == nil || *j.ParentNumber != FirstNumber {
		t.Errorf("subjobs %+v; subjob's parent %v", subs, j.ParentNumber)
	}
	if err := b.in(t, func(tx pgx.Tx) error {
		_, _, err := CreateSubjob(ctx, tx, b.co, Everything, b.by, job, "X", nil)
		return err
	}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("subjob of another company's job: %v", err)
	}

	// Recalls: a new one, an existing one by number, and the refusals.
	var recall int64
	if err := do(func(tx pgx.Tx) (err error) {
		recall, err = LinkRecall(ctx, tx, a.co, Everything, a.by, job, "", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other := a.create(t, "Earlier callout")
	bJob := b.create(t, "B's job")
	var bNumber int64
	tdb.Owner.QueryRow(ctx, `select number from jobs where id = $1`, bJob).Scan(&bNumber)
	for ref, want := range map[string]string{
		"nonsense":                "Enter a job number, like J-1042.",
		Ref(FirstNumber):          "A job cannot be its own recall.",
		Ref(FirstNumber + 99):     "There is no job J-1100.",
		fmt.Sprint(subNumber + 1): "J-1003 is already linked as a recall of another job.",
	} {
		err := do(func(tx pgx.Tx) error {
			_, err := LinkRecall(ctx, tx, a.co, Everything, a.by, job, ref, nil)
			return err
		})
		if got := apperr.AsValidation(err).Field("recall"); got != want {
			t.Errorf("recall %q: %q, want %q", ref, got, want)
		}
	}
	var otherNumber int64
	tdb.Owner.QueryRow(ctx, `select number from jobs where id = $1`, other).Scan(&otherNumber)
	if err := do(func(tx pgx.Tx) error {
		_, err := LinkRecall(ctx, tx, a.co, Everything, a.by, job, Ref(otherNumber), nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var recalls []Related
	tdb.Read(ctx, a.co, func(b *pgx.Batch) {
		QueueRecalls(b, a.co, Everything, job, &recalls)
		QueueGet(b, a.co, Everything, recall, &j)
	})
	if len(recalls) != 2 || j.RecallNumber == nil || *j.RecallNumber != FirstNumber || !strings.HasPrefix(j.Title, "Recall: ") {
		t.Errorf("recalls %+v; recall's original %v, title %q", recalls, j.RecallNumber, j.Title)
	}
	h := a.history(t, job)
	for _, want := range []string{"Status changed from Open dispatch to In progress", "Deferred (Defer commission) from In progress",
		"Deferral undone: back to In progress", "Subjob J-1002 created", "Recall job J-1003 linked", "Job created"} {
		if !slices.Contains(h, want) {
			t.Errorf("history lacks %q: %q", want, h)
		}
	}
	_ = bNumber
}

// A change and its History line commit together or not at all.
func TestHistory_SameTransaction(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	job := a.create(t, "X")
	a.in(t, func(tx pgx.Tx) error {
		if err := Defer(ctx, tx, a.co, Everything, a.by, job); err != nil {
			t.Fatal(err)
		}
		return errors.New("something later failed")
	})
	var status string
	tdb.Owner.QueryRow(ctx, `select status from jobs where id = $1`, job).Scan(&status)
	if h := a.history(t, job); status != "open-dispatch" || len(h) != 1 {
		t.Errorf("after a rolled-back change: status %s, history %q", status, h)
	}
}

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]int64{"1": 100, "1.5": 150, "$1,234.56": 123456, ".5": 50, "0": 0} {
		if got, ok := ParseDecimal(in, 2); !ok || got != want {
			t.Errorf("ParseDecimal(%q) = %d %t, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "1.234", "1e5", "abc", "1.2.3", "+1"} {
		if _, ok := ParseDecimal(in, 2); ok {
			t.Errorf("ParseDecimal(%q) accepted", in)
		}
	}
}
