package server

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// Today, per role: an admin sees every visit of the day on the timeline (unassigned ones called out), what needs
// attention (a portal job not yet opened, a job awaiting quality check, a stale job, an unscheduled visit, failed
// emails) and the workflow, whose bars carry the job list's counts; a co-worker only their clients' visits and
// jobs; a guest their tasks due; a client user goes to the portal.
func TestToday(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bay Rentals")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	coraClient := newClient(t, ts)
	coraClient.login("cora@acme.example", "password-123")

	lobby, roof := seedJob(t, tdb, acme, harbour, "Lobby rewiring"), seedJob(t, tdb, acme, bay, "Roof leak")
	today := time.Now().UTC().Truncate(time.Hour)
	if today.Hour() < 2 || today.Hour() > 20 { // keep the visits inside the UTC day the company (UTC) lives in
		today = time.Date(today.Year(), today.Month(), today.Day(), 10, 0, 0, 0, time.UTC)
	}
	if _, err := tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values
		($1, $2, $4, $5::timestamptz, $5::timestamptz + interval '2 hours'), ($1, $3, null, $5, $5::timestamptz + interval '1 hour'), ($1, $3, null, null, null)`,
		acme, lobby, roof, cora, today); err != nil {
		t.Fatal(err)
	}
	tdb.Owner.Exec(ctx, `update companies set time_zone = 'UTC' where id = $1`, acme)
	tdb.Owner.Exec(ctx, `update jobs set status = 'awaiting-quality-check' where id = $1`, lobby)
	tdb.Owner.Exec(ctx, `update jobs set source = 'portal', seen_at = null where id = $1`, roof)
	stale := seedJob(t, tdb, acme, bay, "Gutter clean")
	tdb.Owner.Exec(ctx, `update jobs set status = 'in-progress', updated_at = now() - interval '20 days' where id = $1`, stale)
	queueEmails(t, tdb, acme, 1, func(int) string { return "x@client.example" })
	tdb.Owner.Exec(ctx, `update outbox_emails set status = 'failed' where company_id = $1`, acme)

	_, body := admin.get("/")
	for _, want := range []string{"Welcome, ", "Visits today", "Cora Coworker", "Unassigned", "Lobby rewiring", "Roof leak",
		"visits today without a staff member", "emails failed", "New from clients, not yet opened", "Awaiting quality check",
		"No change for two weeks", "Gutter clean", "Visits with no time yet", "Workflow at a glance"} {
		if !strings.Contains(body, want) {
			t.Errorf("the admin's Today lacks %q", want)
		}
	}
	// Each bar of the workflow leads to its view of the job list, with the same count.
	bar := regexp.MustCompile(`href="/jobs\?view=(in-progress)"><span class="workflow-label">[^<]*</span> <span class="workflow-count">(\d+)</span>`)
	m := bar.FindStringSubmatch(body)
	if m == nil || m[2] != "1" {
		t.Fatalf("the In progress bar: %v", m)
	}
	if _, list := admin.get("/jobs?view=" + m[1]); !strings.Contains(list, "Gutter clean") || strings.Contains(list, "Roof leak") {
		t.Error("the In progress view does not hold the job its bar counts")
	}

	// Cora's reminders today: one on her calendar, one she is among the people of; not one of the company's she is
	// not on, nor hers of tomorrow.
	tdb.Owner.Exec(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at, membership_id) values
		($1, 'call', 'Ring the caretaker', $2, $2::timestamptz + interval '15 minutes', $3),
		($1, 'reminder', 'Tomorrow''s order', $2::timestamptz + interval '1 day', $2::timestamptz + interval '25 hours', $3)`, acme, today, cora)
	tdb.Owner.Exec(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at) values
		($1, 'appointment', 'Site meeting', $2, $2::timestamptz + interval '1 hour'), ($1, 'reminder', 'Not for Cora', $2, $2::timestamptz + interval '1 hour')`,
		acme, today)
	tdb.Owner.Exec(ctx, `insert into reminder_people (company_id, reminder_id, membership_id) select $1, id, $2 from reminders where title = 'Site meeting'`, acme, cora)
	_, body = coraClient.get("/")
	if !strings.Contains(body, "Lobby rewiring") || strings.Contains(body, "Roof leak") || strings.Contains(body, "Gutter clean") || strings.Contains(body, "emails failed") {
		t.Error("Cora's Today shows another client's jobs or the admin's emails")
	}
	if !strings.Contains(body, "Your reminders today") || !strings.Contains(body, "Call reminder: Ring the caretaker") ||
		!strings.Contains(body, "Appointment reminder: Site meeting") || strings.Contains(body, "Not for Cora") || strings.Contains(body, "Tomorrow") {
		t.Error("Cora's reminders today: want hers and the one she is on, not the company's others nor tomorrow's")
	}

	// A guest: their tasks due, no timeline.
	fran, franID := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	var gus, task int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('gus@guest.example', 'Gus', $2) returning id)
		insert into memberships (company_id, account_id, role, host_id) select $1, a.id, 'guest', $3 from a returning id`,
		acme, s.hasher.Hash("password-123"), franID).Scan(&gus)
	tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id, due_on) values ($1, 'Check the lights', $2, $3, current_date - 1) returning id`,
		acme, harbour, cora).Scan(&task)
	tdb.Owner.Exec(ctx, `insert into task_people (company_id, task_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`, acme, task, gus, cora)
	guest := newClient(t, ts)
	guest.login("gus@guest.example", "password-123")
	if _, body := guest.get("/"); !strings.Contains(body, "Check the lights") || strings.Contains(body, "Visits today") {
		t.Error("the guest's Today: want their task due and no timeline")
	}
	if _, body := coraClient.get("/"); !strings.Contains(body, "Check the lights") {
		t.Error("Cora's Today lacks her task due")
	}
	// A subcontractor: their visits today and of the coming week, nothing else.
	_, subby := seedPerson(t, s, tdb, acme, "sub@acme.example", "Sid Sub", "password-123", identity.RoleSubcontractor)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4::timestamptz + interval '2 days', $4::timestamptz + interval '50 hours')`,
		acme, roof, subby, today)
	sub := newClient(t, ts)
	sub.login("sub@acme.example", "password-123")
	if _, body := sub.get("/"); !strings.Contains(body, "Coming up this week") || !strings.Contains(body, "Roof leak") ||
		strings.Contains(body, "Lobby rewiring") || strings.Contains(body, "Needs attention") {
		t.Error("the subcontractor's Today: want their coming visit only")
	}
	// A client user: their open jobs with the next visit and who comes, in the portal's frame.
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, now() + interval '1 day', now() + interval '26 hours')`,
		acme, lobby, cora)
	if res, body := fran.get("/"); res.StatusCode != 200 || !strings.Contains(body, "Your open jobs") || !strings.Contains(body, "Lobby rewiring") ||
		!strings.Contains(body, "Cora Coworker is coming") || strings.Contains(body, "Roof leak") {
		t.Errorf("the client user's Today = %d: want their open job with Cora coming, and no other client's", res.StatusCode)
	}
	// Their reminders of the day: the one Cora put them on, not the one on Harbour's calendar without them.
	tdb.Owner.Exec(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at, client_id) values
		($1, 'appointment', 'Meet the plumber', $2, $2::timestamptz + interval '1 hour', $3), ($1, 'reminder', 'Harbour stocktake', $2, $2::timestamptz + interval '1 hour', $3)`,
		acme, today, harbour)
	tdb.Owner.Exec(ctx, `insert into reminder_people (company_id, reminder_id, membership_id) select $1, id, $2 from reminders where title = 'Meet the plumber'`, acme, franID)
	if _, body := fran.get("/"); !strings.Contains(body, "Appointment reminder: Meet the plumber") || strings.Contains(body, "Harbour stocktake") {
		t.Error("the client user's reminders today: want the one they are on only")
	}
}

// Today is one Read: three round trips in all (session, membership, page), for an admin and for a co-worker.
func TestToday_OneRead(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	seedJob(t, tdb, acme, client, "Lobby rewiring")
	for _, role := range []identity.Role{identity.RoleAdmin, identity.RoleCoWorker} {
		c := signedIn(t, s, tdb, ts, acme, role)
		c.get("/") // warm up: statements are prepared once per connection
		rt.Take()
		if res, _ := c.get("/"); res.StatusCode != 200 {
			t.Fatalf("GET / as %s = %d", role, res.StatusCode)
		}
		if n := rt.Take(); n != 3 {
			t.Errorf("Today as %s: %d round trips, want 3 (session, membership, page)", role, n)
		}
	}
}
