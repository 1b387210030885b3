package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// Every page fits a 375 px phone: nothing makes the page scroll sideways (a wide table scrolls inside its own box).
// Pages of the office as an admin, and of the portal as a client user, each with something in it.
func TestBrowser_EveryPageFitsAPhone(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme Plumbing and Electrical Services")
	harbour := seedClient(t, tdb, acme, "Harbour View Apartments Body Corporate", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Administrator-Longname", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{AddEdit: true, ViewMessages: true, ViewPrices: true})
	job := seedJob(t, tdb, acme, harbour, "Replace the hot water cylinder in unit 14 and check the pressure valve")
	day := time.Now().UTC().Truncate(24 * time.Hour)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values
		($1, $2, $3, $4::timestamptz + interval '9 hours', $4::timestamptz + interval '11 hours'),
		($1, $2, null, $4::timestamptz + interval '34 hours', $4::timestamptz + interval '35 hours')`, acme, job, cora, day)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents) values ($1, $2, 'Labour', 2500, 4000, 9500)`, acme, job)
	tdb.Owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body, visible_to_client) values ($1, $2, 'Ann', 'We will call first', true)`, acme, job)
	var task int64
	tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id) values ($1, 'Order the cylinder', $2, $3) returning id`, acme, harbour, cora).Scan(&task)
	tdb.Owner.Exec(ctx, `insert into task_people (company_id, task_id, membership_id) select $1, $2, id from memberships where company_id = $1`, acme, task)
	var site, planned int64
	tdb.Owner.QueryRow(ctx, `select id from sites where client_id = $1`, harbour).Scan(&site)
	tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title, type, description, cost_centre)
		values ($1, $2, 'Annual boiler service and hot water cylinder inspection', 'Preventive', 'Service the boiler before winter', 'CC-410') returning id`,
		acme, site).Scan(&planned)
	tdb.Owner.Exec(ctx, `insert into planned_locations (company_id, planned_job_id, name) values ($1, $2, 'Plant room, basement level 2')`, acme, planned)
	tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party, note) values ($1, $2, 'client', 'Access via the loading dock')`, acme, planned)

	fits := func(b context.Context, who string, paths []string) {
		for _, path := range paths {
			var over []string
			err := chromedp.Run(b,
				chromedp.Navigate(ts.URL+path),
				chromedp.WaitVisible(`main`, chromedp.ByQuery),
				// The page scrolls sideways: name what sticks out, but for what is inside a box that scrolls on its own
				// (a wide table, the tab strip).
				chromedp.Evaluate(`document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1 ? [] :
					[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 &&
						![...document.querySelectorAll('*')].some(s => s !== e && s.contains(e) && ['auto', 'scroll'].includes(getComputedStyle(s).overflowX)))
					.slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
					.concat(['page ' + document.documentElement.scrollWidth + ' px'])`, &over),
			)
			if err != nil {
				t.Fatalf("%s %s: %v", who, path, err)
			}
			if len(over) > 0 {
				t.Errorf("%s: %s is wider than 375 px: %v", who, path, over)
			}
		}
	}
	phone := func() context.Context {
		b := newBrowser(t)
		if err := chromedp.Run(b, chromedp.EmulateViewport(375, 740)); err != nil {
			t.Fatal(err)
		}
		return b
	}
	admin := phone()
	if err := chromedp.Run(admin, browserLogin(ts.URL, "ann@acme.example", "password-123")); err != nil {
		t.Fatal(err)
	}
	id := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
	fits(admin, "admin", []string{"/", "/jobs", "/jobs/new", id("/jobs/%d", job), id("/jobs/%d?tab=visits", job), id("/jobs/%d?tab=lines", job),
		id("/jobs/%d?tab=files", job), id("/jobs/%d?tab=messages", job), id("/jobs/%d?tab=history", job), id("/jobs/%d/edit", job),
		id("/jobs/%d/email", job), "/clients", "/clients/new", id("/clients/%d", harbour), "/staff", "/staff/invite", "/staff/groups",
		"/tasks", "/tasks/new", id("/tasks/%d", task), "/settings", "/outbox", "/notifications", "/account",
		"/calendar/board?day=" + time.Now().Format("2006-01-02"), "/calendar", "/calendar?view=month", "/calendar?view=day",
		"/calendar/reminders/new", "/phonebook", "/phonebook/new", "/connections", "/planned", "/planned/new", id("/planned/new?site=%d", site), id("/planned/%d", planned),
		"/planned/shared", id("/planned/%d/building", planned), id("/settings/buildings/%d", site)})
	// The job lists are cards on a phone, each job number on one line.
	for _, c := range []struct {
		b    context.Context
		path string
	}{{admin, "/jobs"}} {
		var card string
		var lines int
		err := chromedp.Run(c.b, chromedp.Navigate(ts.URL+c.path), chromedp.WaitVisible(`table.cards`, chromedp.ByQuery),
			chromedp.Evaluate(`getComputedStyle(document.querySelector('table.cards tbody tr')).display`, &card),
			chromedp.Evaluate(`document.querySelector('table.cards .job-ref').getClientRects().length`, &lines))
		if err != nil || card != "grid" || lines != 1 {
			t.Errorf("%s on a phone: rows drawn as %q, the job number on %d lines (%v); want cards, one line", c.path, card, lines, err)
		}
	}
	fran := phone()
	if err := chromedp.Run(fran, browserLogin(ts.URL, "fran@harbour.example", "password-123")); err != nil {
		t.Fatal(err)
	}
	fits(fran, "client user", []string{"/", "/portal/jobs", "/portal/jobs/new", id("/portal/jobs/%d", job), "/portal/guests", "/tasks",
		"/portal/planned", id("/portal/planned/%d", planned)})
	var card string
	err := chromedp.Run(fran, chromedp.Navigate(ts.URL+"/portal/jobs"), chromedp.WaitVisible(`table.cards`, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('table.cards tbody tr')).display`, &card))
	if err != nil || card != "grid" {
		t.Errorf("the portal's job list on a phone: rows drawn as %q (%v), want cards", card, err)
	}
}
