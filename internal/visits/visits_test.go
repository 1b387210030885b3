package visits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
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
		{RequestForm{From: "09:00"}, "date", "Pick the day someone should come."},
		{RequestForm{AssigneeID: a.coworker}, "date", "Pick the day someone should come."},
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
	if h := a.history(t, job); h[0] != "Visit changed: Sam Sparks, Wed 2 Dec 2026, 09:00–11:00" || h[1] != "Visit request changed: left to the office, Wed 2 Dec 2026, any time" {
		t.Errorf("history: %q", h)
	}
	// Another company's visit id on this job, and this visit on another company's job: not found.
	err = b.in(t, func(tx pgx.Tx) error { return Edit(ctx, tx, b.co, jobs.Everything, b.by, other, id, Form{}, auckland) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company's visit: %v", err)
	}
}

// A client user changes only what they asked for: a visit the office made is refused (403) however it is posted,
// and where the company lets clients pick no one, the staff member the office set on a request stays.
func TestChangeRequest_OnlyRequests(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	job := a.create(t, "Fix leak")
	fran := a.member(t, "client", "Fran Client")
	client, can := jobs.Scope{Client: a.client}, identity.Permissions{AddEdit: true}
	franBy := jobs.Actor{MembershipID: fran, Name: "Fran Client"}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var office, request int64
	err := a.in(t, func(tx pgx.Tx) (err error) {
		if office, err = Add(ctx, tx, a.co, jobs.Everything, a.by, job, Form{AssigneeID: a.coworker}, time.UTC); err != nil {
			return err
		}
		request, err = Request(ctx, tx, a.co, client, can, franBy, job, RequestForm{Date: "2026-12-01"}, time.UTC, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	change := func(visit int64, f RequestForm) error {
		return a.in(t, func(tx pgx.Tx) error {
			return ChangeRequest(ctx, tx, a.co, client, can, franBy, job, visit, f, time.UTC, now)
		})
	}
	if err := change(office, RequestForm{Date: "2026-12-02"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("changing the office's visit: %v, want 403", err)
	}
	// The office gives the request to Cody before scheduling it; Fran moves the day (the company lets her pick no one).
	tdb.Owner.Exec(ctx, `update visits set assignee_id = $1 where id = $2`, a.coworker, request)
	if err := change(request, RequestForm{Date: "2026-12-03"}); err != nil {
		t.Fatal(err)
	}
	var vs []Visit
	tdb.Read(ctx, a.co, func(b *pgx.Batch) { QueueJob(b, a.co, job, &vs) })
	for _, v := range vs {
		switch v.ID {
		case office:
			if v.Requested() || v.RequestedBy != "" || v.AssigneeName != "Cody Coworker" {
				t.Errorf("the office's visit after a forged change: %+v", v)
			}
		case request:
			if v.AssigneeName != "Cody Coworker" || v.RequestedStart.Format("2006-01-02") != "2026-12-03" {
				t.Errorf("the request after the change: %+v; want Cody kept and the new day", v)
			}
		}
	}
}

// The window never accepts what it cannot store: on the day given, the end after the start, never over, and the
// whole day on a daylight-saving day is its real length — also where the clocks skip midnight (Santiago), where the
// day starts at 01:00 and is still "any time".
func TestRequestForm_Window(t *testing.T) {
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	santiago, _ := time.LoadLocation("America/Santiago")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		loc   *time.Location
		date  string
		hours float64
		first string
	}{
		{auckland, "2026-04-05", 25, "00:00"}, {auckland, "2026-09-27", 23, "00:00"}, {auckland, "2026-12-01", 24, "00:00"},
		{santiago, "2026-09-06", 23, "01:00"}, {santiago, "2026-04-04", 25, "00:00"},
	} {
		s, e, err := RequestForm{Date: c.date}.window(c.loc, now)
		if err != nil || e.Sub(s).Hours() != c.hours || s.In(c.loc).Format("2006-01-02 15:04") != c.date+" "+c.first {
			t.Errorf("%s %s, any time: %v–%v (%v), want %v hours from %s", c.loc, c.date, s.In(c.loc), e.In(c.loc), err, c.hours, c.first)
			continue
		}
		if got := Window(&s, &e, c.loc, "2 Jan"); !strings.HasSuffix(got, ", any time") {
			t.Errorf("%s %s: Window = %q, want any time", c.loc, c.date, got)
		}
		if f := RequestFormOf(Visit{RequestedStart: &s, RequestedEnd: &e}, c.loc); f.Date != c.date || f.From != "" || f.To != "" {
			t.Errorf("%s %s: the change form = %+v, want the day and no times", c.loc, c.date, f)
		}
	}
	s, e, err := RequestForm{Date: "2026-09-06", From: "09:00", To: "12:00"}.window(santiago, now)
	if err != nil || s.In(santiago).Format("2006-01-02 15:04") != "2026-09-06 09:00" || e.Sub(s) != 3*time.Hour {
		t.Errorf("09:00–12:00 on Santiago's short day: %v–%v (%v)", s.In(santiago), e.In(santiago), err)
	}
}

// FuzzRequestWindow: whatever a client types, a window is refused in words or is one the database keeps.
func FuzzRequestWindow(f *testing.F) {
	for _, c := range [][3]string{{"2026-12-01", "09:00", "12:00"}, {"", "", ""}, {"2026-12-01", "", ""}, {"x", "25:00", "9"},
		{"2026-09-27", "02:30", "03:30"}, {"2026-04-05", "02:30", ""}, {"2026-09-06", "", "00:30"}} {
		f.Add(c[0], c[1], c[2])
	}
	var locs []*time.Location
	for _, name := range []string{"Pacific/Auckland", "America/Santiago", "Asia/Beirut"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			f.Fatal(err)
		}
		locs = append(locs, loc)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, date, from, to string) {
		for _, loc := range locs {
			s, e, err := RequestForm{Date: date, From: from, To: to}.window(loc, now)
			switch {
			case err != nil && apperr.AsValidation(err) == nil:
				t.Fatalf("(%q, %q, %q): %v, not in words", date, from, to, err)
			case err != nil:
			case !e.After(s) || e.Sub(s) > 25*time.Hour || !e.After(now) || s.In(loc).Format("2006-01-02") != strings.TrimSpace(date):
				t.Fatalf("%s (%q, %q, %q) accepted as %v–%v", loc, date, from, to, s.In(loc), e.In(loc))
			}
		}
	})
}
