package visits

import (
	"context"
	"errors"
	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
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

// A client user asks for a visit within a window, naming whom they would like from those the company lets clients
// pick; the office sees the window as requested and schedules it, and the request stays as asked. Bad windows are
// refused in words; a forged staff member, a missing permission and a scheduled visit are refused; nothing is
// saved by a refusal.
func TestRequest(t *testing.T) {
	tdb := dbtest.New(t)
	a, b := newFixture(t, tdb, "A"), newFixture(t, tdb, "B")
	ctx := context.Background()
	job, other := a.create(t, "Fix leak"), b.create(t, "Not theirs")
	fran := a.member(t, "client", "Fran Client")
	sam := a.member(t, "co-worker", "Sam Sparks")
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, a.co, a.client, a.coworker)
	tdb.Owner.Exec(ctx, `update companies set portal_staff_pick = 'assigned' where id = $1`, a.co)
	client := jobs.Scope{Client: a.client}
	can := identity.Permissions{AddEdit: true}
	franBy := jobs.Actor{MembershipID: fran, Name: "Fran Client"}
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, auckland)
	request := func(scope jobs.Scope, perms identity.Permissions, job int64, f RequestForm) (id int64, err error) {
		err = a.in(t, func(tx pgx.Tx) (err error) {
			id, err = Request(ctx, tx, a.co, scope, perms, franBy, job, f, auckland, now)
			return err
		})
		return id, err
	}
	count := func() (n int) {
		tdb.Owner.QueryRow(ctx, `select count(*) from visits`).Scan(&n)
		return n
	}
	for _, c := range []struct {
		form        RequestForm
		field, want string
	}{
		{RequestForm{Date: "2026-12-01", From: "12:00", To: "09:00"}, "to", "The window must end after it starts."},
		{RequestForm{Date: "2026-12-01", From: "09:00", To: "09:00"}, "to", "The window must end after it starts."},
		{RequestForm{Date: "2026-11-24"}, "date", "That time has passed: pick a day and time still to come."},
		{RequestForm{Date: "2026-11-25", To: "09:30"}, "date", "That time has passed: pick a day and time still to come."},
		{RequestForm{From: "09:00"}, "date", "Pick the day first."},
		{RequestForm{Date: "2026-02-30"}, "date", "Pick a date from the calendar."},
		{RequestForm{Date: "2026-12-01", From: "9am"}, "from", "Enter a time, like 09:30."},
	} {
		if _, err := request(client, can, job, c.form); apperr.AsValidation(err).Field(c.field) != c.want {
			t.Errorf("%+v: %v, want %s: %q", c.form, err, c.field, c.want)
		}
	}
	for name, c := range map[string]struct {
		scope jobs.Scope
		perms identity.Permissions
		job   int64
		form  RequestForm
		want  error
	}{
		"without Add and edit jobs":      {client, identity.Permissions{ViewMessages: true}, job, RequestForm{Date: "2026-12-01"}, apperr.ErrForbidden},
		"a staff member not on offer":    {client, can, job, RequestForm{Date: "2026-12-01", AssigneeID: sam}, apperr.ErrForbidden},
		"another company's staff member": {client, can, job, RequestForm{Date: "2026-12-01", AssigneeID: b.coworker}, apperr.ErrForbidden},
		"the office":                     {jobs.Everything, can, job, RequestForm{Date: "2026-12-01"}, apperr.ErrForbidden},
		"another client's job":           {jobs.Scope{Client: a.client + 1_000_000}, can, job, RequestForm{Date: "2026-12-01"}, apperr.ErrNotFound},
		"another company's job":          {client, can, other, RequestForm{Date: "2026-12-01"}, apperr.ErrNotFound},
	} {
		if _, err := request(c.scope, c.perms, c.job, c.form); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d visits saved by refused requests", n)
	}
	// Today, until the end of the day (Auckland); and a window on a later day with the assigned co-worker.
	if _, err := request(client, can, job, RequestForm{Date: "2026-11-25", From: "13:00"}); err != nil {
		t.Fatal(err)
	}
	id, err := request(client, can, job, RequestForm{Date: "2026-12-01", From: "09:00", To: "12:00", AssigneeID: a.coworker})
	if err != nil {
		t.Fatal(err)
	}
	var vs []Visit
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueJob(b, a.co, job, &vs) })
	if len(vs) != 2 || !vs[0].Requested() || vs[0].StartsAt != nil {
		t.Fatalf("visits: %+v", vs)
	}
	v := vs[1]
	if v.ID != id || v.RequestedBy != "Fran Client" || v.AssigneeName != "Cody Coworker" ||
		v.RequestedStart.Format(time.RFC3339) != "2026-11-30T20:00:00Z" || v.RequestedEnd.Format(time.RFC3339) != "2026-11-30T23:00:00Z" {
		t.Errorf("the request: %+v", v)
	}
	if got := Window(vs[0].RequestedStart, vs[0].RequestedEnd, auckland, "Mon 2 Jan"); got != "Wed 25 Nov, from 13:00" {
		t.Errorf("today from 13:00: %q", got)
	}
	if h := a.history(t, job); h[0] != "Visit requested: Cody Coworker, Tue 1 Dec 2026, 09:00–12:00" {
		t.Errorf("history: %q", h)
	}
	// The client changes their request while it is unscheduled; the office schedules it with Sam, and the
	// request stays as asked; the client can no longer change it.
	change := func(f RequestForm) error {
		return a.in(t, func(tx pgx.Tx) error {
			return ChangeRequest(ctx, tx, a.co, client, can, franBy, job, id, f, auckland, now)
		})
	}
	if err := change(RequestForm{Date: "2026-12-02"}); err != nil {
		t.Fatal(err)
	}
	if err := change(RequestForm{Date: "2026-12-02", AssigneeID: sam}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("changed to a staff member not on offer: %v", err)
	}
	edit := func(scope jobs.Scope, f Form) error {
		return a.in(t, func(tx pgx.Tx) error { return Edit(ctx, tx, a.co, scope, a.by, job, id, f, auckland) })
	}
	if err := edit(client, Form{AssigneeID: sam}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("a client user editing as the office: %v", err)
	}
	if err := edit(jobs.Everything, Form{AssigneeID: sam, Start: "2026-12-02T08:00", End: "2026-12-02T07:00"}); apperr.AsValidation(err).Field("end") == "" {
		t.Errorf("the office's bad times: %v", err)
	}
	if err := edit(jobs.Everything, Form{AssigneeID: sam, Start: "2026-12-02T09:00", End: "2026-12-02T11:00", Notes: "Bring the ladder"}); err != nil {
		t.Fatal(err)
	}
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueJob(b, a.co, job, &vs) })
	v = vs[0]
	if v.ID != id || v.Requested() || v.AssigneeName != "Sam Sparks" || v.Notes != "Bring the ladder" || v.RequestedBy != "Fran Client" ||
		Window(v.RequestedStart, v.RequestedEnd, auckland, "2 Jan") != "2 Dec, any time" {
		t.Errorf("scheduled by the office: %+v", v)
	}
	if err := change(RequestForm{Date: "2026-12-03"}); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("changing a scheduled visit's request: %v", err)
	}
	if h := a.history(t, job); h[0] != "Visit changed: Sam Sparks, Wed 2 Dec 2026 09:00–11:00" || h[1] != "Visit request changed: left to the office, Wed 2 Dec 2026, any time" {
		t.Errorf("history: %q", h)
	}
	// Another company's visit id on this job, and this visit on another company's job: not found.
	err = b.in(t, func(tx pgx.Tx) error { return Edit(ctx, tx, b.co, jobs.Everything, b.by, other, id, Form{}, auckland) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company's visit: %v", err)
	}
}

// The window never accepts what it cannot store: on the day given, the end after the start, never over, and the
// whole day on a daylight-saving day is its real length.
func TestRequestForm_Window(t *testing.T) {
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, auckland)
	for date, hours := range map[string]float64{"2026-04-05": 25, "2026-09-27": 23, "2026-12-01": 24} {
		s, e, err := RequestForm{Date: date}.window(auckland, now)
		if err != nil || e.Sub(*s).Hours() != hours {
			t.Errorf("%s, any time: %v–%v (%v), want %v hours", date, s, e, err, hours)
		}
	}
}

// FuzzRequestWindow: whatever a client types, a window is refused in words or is one the database keeps.
func FuzzRequestWindow(f *testing.F) {
	for _, c := range [][3]string{{"2026-12-01", "09:00", "12:00"}, {"", "", ""}, {"2026-12-01", "", ""}, {"x", "25:00", "9"},
		{"2026-09-27", "02:30", "03:30"}, {"2026-04-05", "02:30", ""}} {
		f.Add(c[0], c[1], c[2])
	}
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, date, from, to string) {
		s, e, err := RequestForm{Date: date, From: from, To: to}.window(loc, now)
		switch {
		case err != nil && apperr.AsValidation(err) == nil:
			t.Fatalf("(%q, %q, %q): %v, not in words", date, from, to, err)
		case err != nil:
		case s == nil && strings.TrimSpace(date+from+to) != "":
			t.Fatalf("(%q, %q, %q): no window and no message", date, from, to)
		case s != nil && (!e.After(*s) || e.Sub(*s) > 25*time.Hour || !e.After(now)):
			t.Fatalf("(%q, %q, %q) accepted as %v–%v", date, from, to, s, e)
		}
	})
}
