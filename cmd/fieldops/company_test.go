package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

func TestRun_CompanyCommands(t *testing.T) {
	tdb := dbtest.New(t)
	e := env(map[string]string{"MIGRATE_DATABASE_URL": tdb.OwnerURL})
	ctx := context.Background()

	var out bytes.Buffer
	err := run(ctx, []string{"fieldops", "company", "create", "-name", "Acme Plumbing", "-admin-name", "Ann", "-admin-email", "ann@acme.example"}, e, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Admin login: ann@acme.example / ") {
		t.Errorf("company create printed %q", out.String())
	}
	var id int64
	tdb.Owner.QueryRow(ctx, `select id from companies where name = 'Acme Plumbing'`).Scan(&id)

	out.Reset()
	if err := run(ctx, []string{"fieldops", "company", "set-seats", "-company", itoa(id), "-seats", "40"}, e, &out); err != nil {
		t.Fatal(err)
	}
	var seats int
	tdb.Owner.QueryRow(ctx, `select seats from companies where id = $1`, id).Scan(&seats)
	if seats != 40 {
		t.Errorf("seats = %d after set-seats 40", seats)
	}
	if err := run(ctx, []string{"fieldops", "company", "set-seats", "-company", "999999", "-seats", "4"}, e, &out); err == nil {
		t.Error("set-seats on an unknown company succeeded")
	}

	// A lost admin password: a new one, printed once, that checks; every session of the account ends.
	var epoch int
	tdb.Owner.QueryRow(ctx, `select session_epoch from accounts where email = 'ann@acme.example'`).Scan(&epoch)
	out.Reset()
	if err := run(ctx, []string{"fieldops", "company", "reset-password", "-email", "ann@acme.example"}, e, &out); err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(out.String(), "New password for ann@acme.example: "), "\n", 2)[0])
	var hash string
	var after int
	tdb.Owner.QueryRow(ctx, `select password_hash, session_epoch from accounts where email = 'ann@acme.example'`).Scan(&hash, &after)
	if len(password) != 16 || !identity.NewHasher(identity.DefaultArgon2).Check(hash, password) || after != epoch+1 {
		t.Errorf("reset-password printed %q; the new one checks: %v; epoch %d → %d", out.String(), identity.NewHasher(identity.DefaultArgon2).Check(hash, password), epoch, after)
	}
	if err := run(ctx, []string{"fieldops", "company", "reset-password", "-email", "nobody@acme.example"}, e, &out); err == nil {
		t.Error("reset-password of an unknown email succeeded")
	}

	var verified bool
	tdb.Owner.QueryRow(ctx, `select verified_at is not null from companies where id = $1`, id).Scan(&verified)
	if !verified {
		t.Error("a company the operator creates is not verified")
	}
	type state struct {
		Hourly, Daily *int
		Suspended     bool
		Reason        string
	}
	read := func() (s state) {
		tdb.Owner.QueryRow(ctx, `select email_hourly_limit, email_daily_limit, suspended_at is not null, suspended_reason
		                           from companies where id = $1`, id).Scan(&s.Hourly, &s.Daily, &s.Suspended, &s.Reason)
		return s
	}
	if err := run(ctx, []string{"fieldops", "company", "set-limits", "-company", itoa(id), "-hourly", "500", "-daily", "5000"}, e, &out); err != nil {
		t.Fatal(err)
	}
	if s := read(); s.Hourly == nil || *s.Hourly != 500 || s.Daily == nil || *s.Daily != 5000 {
		t.Errorf("after set-limits 500/5000: %+v", s)
	}
	run(ctx, []string{"fieldops", "company", "set-limits", "-company", itoa(id), "-hourly", "0", "-daily", "0"}, e, &out)
	if s := read(); s.Hourly != nil || s.Daily != nil {
		t.Errorf("after set-limits 0/0 (the defaults): %+v", s)
	}
	if err := run(ctx, []string{"fieldops", "company", "suspend", "-company", itoa(id)}, e, &out); err == nil {
		t.Error("suspend without a reason succeeded")
	}
	if err := run(ctx, []string{"fieldops", "company", "suspend", "-company", itoa(id), "-reason", "Spam complaints"}, e, &out); err != nil {
		t.Fatal(err)
	}
	if s := read(); !s.Suspended || s.Reason != "Spam complaints" {
		t.Errorf("after suspend: %+v", s)
	}
	if err := run(ctx, []string{"fieldops", "company", "unsuspend", "-company", itoa(id)}, e, &out); err != nil {
		t.Fatal(err)
	}
	if s := read(); s.Suspended || s.Reason != "" {
		t.Errorf("after unsuspend: %+v", s)
	}
	if err := run(ctx, []string{"fieldops", "company", "suspend", "-company", "999999", "-reason", "x"}, e, &out); err == nil {
		t.Error("suspend of an unknown company succeeded")
	}
}

func TestRun_SeedDemoOnce(t *testing.T) {
	tdb := dbtest.New(t)
	e := env(map[string]string{"MIGRATE_DATABASE_URL": tdb.OwnerURL})
	for i := range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"fieldops", "seed-demo"}, e, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "admin@demo.example") || !strings.Contains(out.String(), "cora@demo.example") {
			t.Errorf("seed-demo #%d printed %q", i+1, out.String())
		}
	}
	// Run a month later, the demo's diary comes back around today: Today has visits whatever the day.
	visitsToday := func() (n int) {
		tdb.Owner.QueryRow(context.Background(), `select count(*) from visits
			where (starts_at at time zone 'Pacific/Auckland')::date = (now() at time zone 'Pacific/Auckland')::date`).Scan(&n)
		return n
	}
	before := visitsToday()
	tdb.Owner.Exec(context.Background(), `update visits set starts_at = starts_at - interval '30 days', ends_at = ends_at - interval '30 days'`)
	if visitsToday() != 0 {
		t.Fatal("the visits did not move back")
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"fieldops", "seed-demo"}, e, &out); err != nil {
		t.Fatal(err)
	}
	if after := visitsToday(); before == 0 || after != before || !strings.Contains(out.String(), "Moved the demo's visits 30 days") {
		t.Errorf("visits today: %d when seeded, %d after a month and seed-demo (printed %q)", before, after, out.String())
	}
	var companies, members, clients, sites, unserved, jobs, statuses, deferred, subjobs, recalls int
	tdb.Owner.QueryRow(context.Background(), `
		select (select count(*) from companies), (select count(*) from memberships), (select count(*) from clients),
		       (select count(*) from sites),
		       (select count(*) from clients c where not exists (select from client_coworkers cc where cc.client_id = c.id)),
		       (select count(*) from jobs), (select count(distinct status) from jobs), (select count(*) from jobs where status = 'deferred'),
		       (select count(*) from jobs where parent_id is not null), (select count(*) from jobs where recall_of is not null)`).
		Scan(&companies, &members, &clients, &sites, &unserved, &jobs, &statuses, &deferred, &subjobs, &recalls)
	// The demo company and its subcontractor firm (its admin, and its client standing for the demo company).
	if companies != 2 || members != 7 || clients != 13 || sites < 12 || unserved != 1 {
		t.Errorf("after seeding twice: %d companies, %d memberships, %d clients with %d sites (%d without a co-worker); want 2, 7, 13, 12+, 1",
			companies, members, clients, sites, unserved)
	}
	var assigned, firmVisits, plannedShares, interventions int
	tdb.Owner.QueryRow(context.Background(), `select (select count(*) from job_links where direction = 'assigned-to'),
		(select count(*) from visits v join job_links l on l.company_id = v.company_id and l.job_id = v.job_id and l.direction = 'assigned-by'),
		(select count(*) from planned_shares where stopped_at is null), (select count(*) from planned_interventions)`).
		Scan(&assigned, &firmVisits, &plannedShares, &interventions)
	if assigned != 1 || firmVisits != 1 || plannedShares != 2 || interventions != 2 {
		t.Errorf("demo connections: %d jobs assigned, %d visits on the firm's side, a planned job shared %d ways with %d interventions; want 1, 1, 2, 2",
			assigned, firmVisits, plannedShares, interventions)
	}
	if jobs < 60 || statuses != 7 || deferred == 0 || subjobs != 3 || recalls != 1 {
		t.Errorf("demo jobs: %d jobs in %d statuses (%d deferred), %d subjobs, %d recalls", jobs, statuses, deferred, subjobs, recalls)
	}
	var guests, groupMembers, pushOn, unread, open, done, comments int
	tdb.Owner.QueryRow(context.Background(), `
		select (select count(*) from memberships where role = 'guest' and host_id is not null), (select count(*) from group_members),
		       (select count(*) from push_subscriptions), (select count(*) from notifications where read_at is null),
		       (select count(*) from tasks where status = 'open'), (select count(*) from tasks where status = 'done'),
		       (select count(*) from task_comments)`).Scan(&guests, &groupMembers, &pushOn, &unread, &open, &done, &comments)
	// Unread: six of Fran's portal activity, and the firm admin's "New job from …".
	if guests != 1 || groupMembers != 2 || pushOn != 1 || unread != 7 || open != 1 || done != 1 || comments != 3 {
		t.Errorf("demo co-working: %d guests, %d group members, %d Push on, %d unread notifications, %d open and %d done tasks, %d comments; want 1, 2, 1, 7, 1, 1, 3",
			guests, groupMembers, pushOn, unread, open, done, comments)
	}
	var rooms, messages, direct int
	tdb.Owner.QueryRow(context.Background(), `select (select count(*) from chat_rooms), (select count(*) from chat_messages),
		(select count(*) from chat_rooms where kind = 'direct')`).Scan(&rooms, &messages, &direct)
	if rooms != 3 || messages != 7 || direct != 1 {
		t.Errorf("demo chat: %d rooms (%d direct), %d messages; want 3 (1), 7", rooms, direct, messages)
	}
	var issued, paid, pdfs int
	tdb.Owner.QueryRow(context.Background(), `select count(*), count(paid_at), (select count(*) from files where invoice_id is not null) from invoices`).
		Scan(&issued, &paid, &pdfs)
	if issued != 6 || paid != 3 || pdfs != 6 {
		t.Errorf("demo invoices: %d issued, %d paid, %d PDFs; want 6, 3, 6", issued, paid, pdfs)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// bench-data builds a company of the asked size that the app can serve, from a fresh database.
func TestRun_BenchData(t *testing.T) {
	tdb := dbtest.New(t)
	e := env(map[string]string{"MIGRATE_DATABASE_URL": tdb.OwnerURL})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"fieldops", "bench-data", "-jobs", "2000", "-tasks", "3000", "-name", "Small Bench"}, e, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2000 jobs") || !strings.Contains(out.String(), "3000 tasks") || !strings.Contains(out.String(), "@bench.example") {
		t.Errorf("bench-data printed %q", out.String())
	}
	var jobs, clients, staff, counted, maxNumber, next int
	tdb.Owner.QueryRow(context.Background(), `
		select (select count(*) from jobs), (select count(*) from clients), (select count(*) from memberships),
		       (select sum(n) from job_counts), (select max(number) from jobs), (select next_number from job_numbers)`).
		Scan(&jobs, &clients, &staff, &counted, &maxNumber, &next)
	if jobs != 2000 || clients != 5000 || staff != 50 || counted != 2000 || maxNumber != 3000 || next != 3000 {
		t.Errorf("bench company: %d jobs, %d clients, %d staff, counters %d, max number %d, next %d", jobs, clients, staff, counted, maxNumber, next)
	}
	var tasks, onTasks, clientless int
	tdb.Owner.QueryRow(context.Background(), `
		select (select count(*) from tasks), (select count(*) from task_people), (select count(*) from tasks where client_id is null)`).
		Scan(&tasks, &onTasks, &clientless)
	if tasks != 3000 || onTasks != 6000 || clientless == 0 || clientless > 1000 {
		t.Errorf("bench tasks: %d tasks, %d people on them, %d without a client", tasks, onTasks, clientless)
	}
	if err := run(context.Background(), []string{"fieldops", "bench-data", "-jobs", "0"}, e, &out); err == nil {
		t.Error("-jobs 0 was accepted")
	}
}
