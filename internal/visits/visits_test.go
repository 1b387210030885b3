package visits

import (
	"context"
	"errors"
	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/jobs"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// fixture is a company with a client, an admin and a co-worker.
type fixture struct {
	tdb               *dbtest.TestDB
	co, client, admin int64
	coworker          int64
	by                jobs.Actor
}

func newFixture(t *testing.T, tdb *dbtest.TestDB, name string) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{tdb: tdb, co: tdb.CreateCompany(t, name)}
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Client of '||$2::text) returning id`, f.co, name).Scan(&f.client)
	f.admin, f.coworker = f.member(t, "admin", "Ann Admin"), f.member(t, "co-worker", "Cody Coworker")
	f.by = jobs.Actor{MembershipID: f.admin, Name: "Ann Admin"}
	return f
}

// member adds someone to the company with role; a client user belongs to the fixture's client.
func (f fixture) member(t *testing.T, role, name string) (id int64) {
	t.Helper()
	var client *int64
	if role == "client" {
		client = &f.client
	}
	err := f.tdb.Owner.QueryRow(context.Background(), `
		with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
		insert into memberships (company_id, account_id, role, client_id) select $1, id, $4, $5 from a returning id`,
		f.co, name, fmt.Sprintf("%s.%d@x.example", strings.ReplaceAll(strings.ToLower(name), " ", "."), f.co), role, client).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) in(t *testing.T, fn func(tx pgx.Tx) error) error {
	t.Helper()
	return f.tdb.InCompany(context.Background(), f.co, fn)
}

func (f fixture) create(t *testing.T, title string) int64 {
	t.Helper()
	var id int64
	err := f.in(t, func(tx pgx.Tx) (err error) {
		id, _, err = jobs.Create(context.Background(), tx, f.co, jobs.Everything, f.by, jobs.Form{ClientID: f.client, Title: title}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) history(t *testing.T, job int64) []string {
	t.Helper()
	var es []jobs.HistoryLine
	if err := f.tdb.Read(context.Background(), f.co, func(b *pgx.Batch) { jobs.QueueHistory(b, f.co, job, &es) }); err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, e := range es {
		whats = append(whats, e.What)
	}
	return whats
}

func TestVisits(t *testing.T) {
	tdb := dbtest.New(t)
	a, b := newFixture(t, tdb, "A"), newFixture(t, tdb, "B")
	ctx := context.Background()
	job := a.create(t, "Fix leak")
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	add := func(f Form) error {
		return a.in(t, func(tx pgx.Tx) error {
			_, err := Add(ctx, tx, a.co, jobs.Everything, a.by, job, f, auckland)
			return err
		})
	}
	for _, c := range []struct {
		form  Form
		field string
		want  string
	}{
		{Form{Start: "2026-11-25T09:00", End: "2026-11-25T08:00"}, "end", "The visit must end after it starts."},
		{Form{Start: "2026-11-25T09:00", End: "2026-11-26T09:01"}, "end", "A visit lasts at most 24 hours: add a visit for each day of longer work."},
		{Form{Start: "2026-11-25T09:00"}, "end", "Enter when the visit ends, or leave both times empty for an unscheduled visit."},
		{Form{Start: "tomorrow", End: "2026-11-25T10:00"}, "start", "Enter a date and time, like 2026-11-25 09:30."},
		{Form{AssigneeID: b.admin}, "assignee_id", "Choose someone from the list."},
	} {
		if got := apperr.AsValidation(add(c.form)).Field(c.field); got != c.want {
			t.Errorf("%+v: %s = %q, want %q", c.form, c.field, got, c.want)
		}
	}
	if err := add(Form{AssigneeID: a.coworker, Start: "2026-11-25T09:00", End: "2026-11-25T11:30"}); err != nil {
		t.Fatal(err)
	}
	if err := add(Form{}); err != nil {
		t.Fatal(err)
	}
	var vs []Visit
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueJob(b, a.co, job, &vs) })
	if len(vs) != 2 || vs[0].StartsAt == nil || vs[1].StartsAt != nil || vs[1].AssigneeID != nil {
		t.Fatalf("visits: %+v", vs)
	}
	// 09:00 in Auckland (NZDT, UTC+13) is 20:00 UTC the day before.
	if got := vs[0].StartsAt.UTC().Format(time.RFC3339); got != "2026-11-24T20:00:00Z" {
		t.Errorf("stored start %s, want 2026-11-24T20:00:00Z", got)
	}
	h := a.history(t, job)
	if len(h) != 3 || !strings.HasPrefix(h[1], "Visit added: ") || h[0] != "Visit added: Unassigned, unscheduled" {
		t.Errorf("history: %q", h)
	}
	// A visit assigned to a co-worker opens the job to them, though its client is not theirs.
	var j jobs.Job
	err := tdb.Read(ctx, a.co, func(b *pgx.Batch) { jobs.QueueGet(b, a.co, jobs.Scope{Member: a.coworker, Clients: true}, job, &j) })
	if err != nil {
		t.Errorf("co-worker with a visit on the job: %v", err)
	}
	// Another company's job: not found, and nothing written.
	err = b.in(t, func(tx pgx.Tx) error {
		_, err := Add(ctx, tx, b.co, jobs.Everything, b.by, job, Form{}, time.UTC)
		return err
	})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("visit on another company's job: %v", err)
	}
}

// FuzzVisitTimes: dates and times of a visit, as a datetime-local input sends them. Either both are empty (an
// unscheduled visit), or both are read, between 2000 and 2100, the end after the start; or the form says what is
// wrong.
func FuzzVisitTimes(f *testing.F) {
	for _, p := range [][2]string{{"2026-11-25T09:30", "2026-11-25T11:00"}, {"", ""}, {"2026-11-25T09:30", ""},
		{"2026-02-31T09:30", "2026-03-01T09:30"}, {"2026-11-25T25:99", "x"}, {"9999-12-31T23:59", "0001-01-01T00:00"},
		{"2026-03-29T02:30", "2026-03-29T03:30"}} {
		f.Add(p[0], p[1])
	}
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, startText, endText string) {
		v := &apperr.ValidationError{}
		start, end := Form{Start: startText, End: endText}.times(loc, v)
		if v.Err() != nil {
			return
		}
		if start == nil || end == nil {
			if strings.TrimSpace(startText) != "" || strings.TrimSpace(endText) != "" || start != end {
				t.Fatalf("(%q, %q): unscheduled without a message", startText, endText)
			}
			return
		}
		if !end.After(*start) || start.Year() < 1999 || end.Year() > 2101 {
			t.Fatalf("(%q, %q) accepted as %v – %v", startText, endText, start, end)
		}
	})
}
