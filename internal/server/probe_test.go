package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
)

// probeRoute is one id-taking route, with another company's (or client's, or co-worker's) ids filled in.
type probeRoute struct {
	Method string
	Path   string
	Form   string // body of a POST, form-encoded
}

// probeLeaks requests each route as the prober (signIn dresses the request as them) and returns a line for every
// route that answered anything but 404: each is a leak across the boundary the probe tests.
func probeLeaks(h http.Handler, signIn func(*http.Request), routes []probeRoute) []string {
	var leaks []string
	for _, rt := range routes {
		r := httptest.NewRequest(rt.Method, rt.Path, strings.NewReader(rt.Form))
		if rt.Form != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		signIn(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			leaks = append(leaks, fmt.Sprintf("%s %s = %d, want 404", rt.Method, rt.Path, w.Code))
		}
	}
	return leaks
}

// assertProbe404 fails t for every route that is not a 404 to the prober: the cross-tenant probe of DESIGN.md.
func assertProbe404(t *testing.T, h http.Handler, signIn func(*http.Request), routes []probeRoute) {
	t.Helper()
	if len(routes) == 0 {
		t.Fatal("probe: no routes given")
	}
	for _, leak := range probeLeaks(h, signIn, routes) {
		t.Error("probe: " + leak)
	}
}

// The probe must catch a handler that forgets the company: one that serves any id is reported, one that scopes
// by company is not.
func TestProbe_CatchesALeak(t *testing.T) {
	owned := map[string]string{"7": "A"} // record 7 belongs to company A
	handler := func(scoped bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			co := r.Header.Get("X-Test-Company")
			id := strings.TrimPrefix(r.URL.Path, "/things/")
			if owner, ok := owned[id]; !ok || (scoped && owner != co) {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte("thing " + id))
		})
	}
	asB := func(r *http.Request) { r.Header.Set("X-Test-Company", "B") }
	routes := []probeRoute{{Method: "GET", Path: "/things/7"}}
	if leaks := probeLeaks(handler(false), asB, routes); len(leaks) != 1 {
		t.Errorf("a leaking handler gave %v, want one leak", leaks)
	}
	if leaks := probeLeaks(handler(true), asB, routes); len(leaks) != 0 {
		t.Errorf("a scoped handler gave %v, want none", leaks)
	}
}

// Company B's admin tries company A's ids on every id-taking route: each must be a 404, and nothing of A changes.
func TestCrossTenantProbe(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")

	emails := queueEmails(t, tdb, acme, 1, func(int) string { return "a@acme.example" })
	setStatus(t, tdb, emails[0], "failed", "x")
	client := seedClient(t, tdb, acme, "Acme Client", "HQ")
	var site int64
	tdb.Owner.QueryRow(ctx, `select id from sites where client_id = $1`, client).Scan(&site)
	_, person := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, client, person)
	var invitation int64
	tdb.Owner.QueryRow(ctx, `insert into invitations (company_id, email, role, token_hash, expires_at)
		values ($1, 'new@acme.example', 'co-worker', sha256('x'), now() + interval '7 days') returning id`, acme).Scan(&invitation)
	_, boltPerson := seedPerson(t, s, tdb, bolt, "bo@bolt.example", "Bo", "password-123", identity.RoleCoWorker)
	job := seedJob(t, tdb, acme, client, "Acme job")
	var visit, line, file, siteFile int64
	tdb.Owner.QueryRow(ctx, `insert into visits (company_id, job_id) values ($1, $2) returning id`, acme, job).Scan(&visit)
	var reminder int64
	tdb.Owner.QueryRow(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at, client_id)
		values ($1, 'reminder', 'Acme reminder', now(), now() + interval '1 hour', $2) returning id`, acme, client).Scan(&reminder)
	tdb.Owner.QueryRow(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents) values ($1, $2, 'x', 1000, 100) returning id`, acme, job).Scan(&line)
	tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size, has_thumbnail) values ($1, $2, 'a.png', 'image/png', 1, true) returning id`, acme, job).Scan(&file)
	tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x'), ($1, $2, 'thumbnail', 'x')`, acme, file)
	tdb.Owner.QueryRow(ctx, `insert into files (company_id, site_id, name, content_type, size) values ($1, $2, 'b.pdf', 'application/pdf', 1) returning id`, acme, site).Scan(&siteFile)
	tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, acme, siteFile)
	boltClient := seedClient(t, tdb, bolt, "Bolt Client")
	var link int64
	tdb.Owner.QueryRow(ctx, `insert into share_links (company_id, job_id, token_hash, recipient) values ($1, $2, sha256('probe'), 'a@acme.example') returning id`, acme, job).Scan(&link)

	_, acmeHost := seedClientUser(t, s, tdb, ts, acme, client, "hal@acme-client.example", identity.Permissions{})
	var acmeGuest int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('gus@guest.example', 'Gus', 'x') returning id)
		insert into memberships (company_id, account_id, role, host_id) select $1, a.id, 'guest', $2 from a returning id`, acme, acmeHost).Scan(&acmeGuest)
	var group int64
	tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Acme crew', $2) returning id`, acme, client).Scan(&group)
	tdb.Owner.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3)`, acme, group, person)
	var task int64
	tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id) values ($1, 'Acme task', $2, $3) returning id`, acme, client, person).Scan(&task)
	tdb.Owner.Exec(ctx, `insert into task_people (company_id, task_id, membership_id) values ($1, $2, $3)`, acme, task, person)
	var taskFile int64
	tdb.Owner.QueryRow(ctx, `insert into files (company_id, task_id, name, content_type, size, has_thumbnail) values ($1, $2, 'c.png', 'image/png', 1, true) returning id`, acme, task).Scan(&taskFile)
	tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x'), ($1, $2, 'thumbnail', 'x')`, acme, taskFile)
	// A message in the client's room and one in Cora and Hal's direct room.
	clientRoom, direct := fmt.Sprintf("/chat/client-%d", client), fmt.Sprintf("/chat/people-%d-%d", min(person, acmeHost), max(person, acmeHost))
	var chatRoom, chatMessage int64
	tdb.Owner.QueryRow(ctx, `insert into chat_rooms (company_id, key, kind, client_id, last_message_at) values ($1, $2, 'client', $3, now()) returning id`,
		acme, fmt.Sprint("client-", client), client).Scan(&chatRoom)
	tdb.Owner.QueryRow(ctx, `insert into chat_messages (company_id, room_id, sender_id, body) values ($1, $2, $3, 'Acme secret') returning id`,
		acme, chatRoom, person).Scan(&chatMessage)
	// An issued invoice of Acme's job.
	var invoice int64
	if err := tdb.InCompany(ctx, acme, func(tx pgx.Tx) error {
		inv, err := invoices.Issue(ctx, tx, files.Postgres{DB: tdb.DB}, acme, jobs.Everything, jobs.Actor{Name: "Ann"}, job, time.Now())
		invoice = inv.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var notification int64
	tdb.Owner.QueryRow(ctx, `insert into notifications (company_id, membership_id, area, client_id, title, link)
		values ($1, $2, 'jobs', $3, 'New job', '/jobs/1') returning id`, acme, person, client).Scan(&notification)
	// A subcontractor connection of Acme's (an invitation), and a job of Bolt's to try it on.
	var acmeSub int64
	tdb.Owner.QueryRow(ctx, `insert into connections (company_id, kind, name, email, token_hash, expires_at)
		values ($1, 'subcontractor', 'Acme sub', 'sub@acme-sub.example', sha256('conn'), now() + interval '7 days') returning id`, acme).Scan(&acmeSub)
	boltJob := seedJob(t, tdb, bolt, boltClient, "Bolt job")
	// A planned job of Acme's in the client's site, shared with the client, with a location, an intervention and a
	// document; and Bolt's own building.
	var plannedJob, asset, location, intervention, doc, boltSite int64
	tdb.Owner.QueryRow(ctx, `insert into assets (company_id, site_id, name) values ($1, $2, 'Boiler') returning id`, acme, site).Scan(&asset)
	tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title) values ($1, $2, 'Acme planned') returning id`, acme, site).Scan(&plannedJob)
	tdb.Owner.QueryRow(ctx, `insert into planned_locations (company_id, planned_job_id, name) values ($1, $2, 'Roof') returning id`, acme, plannedJob).Scan(&location)
	tdb.Owner.QueryRow(ctx, `insert into planned_interventions (company_id, planned_job_id, asset_id, task) values ($1, $2, $3, 'Fix') returning id`,
		acme, plannedJob, asset).Scan(&intervention)
	tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party) values ($1, $2, 'client')`, acme, plannedJob)
	// Shared with a supplier too — Cleo, not Bolt — so the supplier routes below are refused for being Bolt's.
	cleo := tdb.CreateCompany(t, "Cleo Supplies")
	tdb.Owner.Exec(ctx, `select connect_pair($1, null, $2, null, null)`, acme, cleo)
	tdb.Owner.Exec(ctx, `update planned_jobs set supplier_id = (select id from connections where company_id = $1 and peer_company_id = $3) where id = $2`, acme, plannedJob, cleo)
	tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party, connection_id)
		select $1, $2, 'supplier', id from connections where company_id = $1 and peer_company_id = $3`, acme, plannedJob, cleo)
	tdb.Owner.QueryRow(ctx, `insert into files (company_id, planned_job_id, name, content_type, size, visible_to_client) values ($1, $2, 'p.pdf', 'application/pdf', 1, true) returning id`,
		acme, plannedJob).Scan(&doc)
	tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, acme, doc)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Bolt HQ', '1 Bolt St') returning id`, bolt, boltClient).Scan(&boltSite)
	var boltPlanned int64
	tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title) values ($1, $2, 'Bolt planned') returning id`, bolt, boltSite).Scan(&boltPlanned)
	boltAdmin := signedIn(t, s, tdb, ts, bolt, identity.RoleAdmin)
	u, _ := url.Parse(ts.URL)
	cookies := boltAdmin.http.Jar.Cookies(u)
	asBolt := func(r *http.Request) {
		for _, c := range cookies {
			r.AddCookie(c)
		}
	}
	id := func(format string, args ...any) string { return fmt.Sprintf(format, args...) }
	assertProbe404(t, s, asBolt, []probeRoute{
		{Method: "POST", Path: id("/outbox/%d/retry", emails[0])},
		{Method: "GET", Path: id("/clients/%d", client)},
		{Method: "GET", Path: id("/clients/%d/edit", client)},
		{Method: "POST", Path: id("/clients/%d/edit", client), Form: "name=Hacked"},
		{Method: "POST", Path: id("/clients/%d/sites", client), Form: "site_name=X&site_address=Y"},
		{Method: "POST", Path: id("/clients/%d/sites/%d/remove", client, site)},
		{Method: "POST", Path: id("/clients/%d/coworkers", client), Form: id("membership_id=%d", boltPerson)},
		{Method: "POST", Path: id("/clients/%d/coworkers/%d/remove", client, person)},
		{Method: "GET", Path: id("/staff/%d", person)},
		{Method: "POST", Path: id("/staff/%d", person), Form: "name=Hacked&role=admin"},
		{Method: "POST", Path: id("/staff/%d/deactivate", person)},
		{Method: "POST", Path: id("/staff/%d/reactivate", person)},
		{Method: "POST", Path: id("/staff/invitations/%d/resend", invitation)},
		{Method: "POST", Path: id("/staff/invitations/%d/cancel", invitation)},
		{Method: "POST", Path: id("/clients/%d/sites/%d/files/%d/remove", client, site, siteFile)},
		{Method: "GET", Path: id("/clients/%d/sites/%d/files/%d", client, site, siteFile)},
		{Method: "GET", Path: id("/clients/%d/sites/%d/files/%d/thumbnail", client, site, siteFile)},
		{Method: "GET", Path: id("/jobs/new?client=%d", client)},
		{Method: "POST", Path: "/jobs/new", Form: id("client_id=%d&title=Hacked", client)},
		{Method: "POST", Path: "/jobs/new", Form: id("client_id=%d&title=Hacked&site_id=%d", boltClient, site)},
		{Method: "GET", Path: id("/jobs/%d", job)},
		{Method: "GET", Path: id("/jobs/%d?tab=history", job)},
		{Method: "GET", Path: id("/jobs/%d/edit", job)},
		{Method: "POST", Path: id("/jobs/%d/edit", job), Form: "title=Hacked"},
		{Method: "GET", Path: id("/jobs/%d/billing", job)},
		{Method: "POST", Path: id("/jobs/%d/billing", job), Form: id("billing_client_id=%d", boltClient)},
		{Method: "POST", Path: id("/jobs/%d/status", job), Form: "status=completed"},
		{Method: "POST", Path: id("/jobs/%d/defer", job)},
		{Method: "POST", Path: id("/jobs/%d/undefer", job)},
		{Method: "POST", Path: id("/jobs/%d/subjobs", job), Form: "title=Hacked"},
		{Method: "POST", Path: id("/jobs/%d/recalls", job)},
		{Method: "POST", Path: id("/jobs/%d/visits", job)},
		{Method: "POST", Path: id("/jobs/%d/visits/%d/remove", job, visit)},
		{Method: "GET", Path: id("/jobs/%d/visits/%d/edit", job, visit)},
		{Method: "POST", Path: id("/jobs/%d/visits/%d/edit", job, visit), Form: "notes=Hacked"},
		{Method: "POST", Path: id("/jobs/%d/lines", job), Form: "description=x&quantity=1&unit_price=1"},
		{Method: "POST", Path: id("/jobs/%d/lines/%d/remove", job, line)},
		{Method: "GET", Path: id("/jobs/%d/files/%d", job, file)},
		{Method: "GET", Path: id("/jobs/%d/files/%d/thumbnail", job, file)},
		{Method: "POST", Path: id("/jobs/%d/files/%d/remove", job, file)},
		{Method: "POST", Path: id("/jobs/%d/messages", job), Form: "body=Hacked"},
		{Method: "GET", Path: id("/jobs/%d/email", job)},
		{Method: "POST", Path: id("/jobs/%d/email", job), Form: "custom=x@evil.example&subject=Hi&body=Hi&add_link=1"},
		{Method: "POST", Path: id("/jobs/%d/share-links/%d/revoke", job, link)},
		{Method: "POST", Path: id("/jobs/%d/share-links/revoke", job)},
		{Method: "POST", Path: id("/clients/%d/job-share", client), Form: "on=1"},
		{Method: "POST", Path: id("/clients/%d/share-links/revoke", client)},
		{Method: "POST", Path: id("/clients/%d/portal-invite", client), Form: "email=spy@bolt.example"},
		{Method: "POST", Path: id("/clients/%d/portal-users/%d/permissions", client, person), Form: "perm_add_edit=1"},
		{Method: "POST", Path: "/staff/invite", Form: id("email=spy@bolt.example&role=guest&host_id=%d", acmeHost)},
		{Method: "POST", Path: "/staff/invite", Form: id("email=spy@bolt.example&role=client&client_id=%d", client)},
		{Method: "GET", Path: id("/staff/%d", acmeGuest)},
		{Method: "POST", Path: id("/staff/%d/deactivate", acmeGuest)},
		{Method: "POST", Path: id("/notifications/%d/open", notification)},
		{Method: "POST", Path: id("/clients/%d/push-on", client), Form: "push_jobs=1"},
		{Method: "POST", Path: id("/staff/%d/notifications", person), Form: "digest_jobs=1"},
		{Method: "GET", Path: id("/staff/groups/%d", group)},
		{Method: "POST", Path: id("/staff/groups/%d/members", group), Form: id("membership_id=%d", boltPerson)},
		{Method: "POST", Path: id("/staff/groups/%d/members/%d/remove", group, person)},
		{Method: "POST", Path: id("/staff/groups/%d/push-on", group), Form: "push_chat=1"},
		{Method: "POST", Path: "/staff/groups", Form: id("name=Spies&client_id=%d", client)},
		{Method: "GET", Path: id("/tasks/%d", task)},
		{Method: "POST", Path: id("/tasks/%d/comments", task), Form: "body=Hacked"},
		{Method: "POST", Path: id("/tasks/%d/people", task), Form: id("membership_id=%d", boltPerson)},
		{Method: "POST", Path: id("/tasks/%d/status", task), Form: "status=done"},
		{Method: "POST", Path: "/tasks/new", Form: id("title=Hacked&client_id=%d", client)},
		{Method: "POST", Path: id("/tasks/%d/people/%d/remove", task, person)},
		{Method: "POST", Path: id("/tasks/%d/guests", task), Form: id("email=spy@bolt.example&host_id=%d", acmeHost)},
		{Method: "GET", Path: id("/tasks/%d/files/%d", task, taskFile)},
		{Method: "GET", Path: id("/tasks/%d/files/%d/thumbnail", task, taskFile)},
		{Method: "POST", Path: id("/tasks/%d/files", task)},
		{Method: "GET", Path: id("/calendar/reminders/%d", reminder)},
		{Method: "POST", Path: id("/calendar/reminders/%d/delete", reminder)},
		{Method: "GET", Path: id("/calendar/reminders/%d/edit", reminder)},
		{Method: "POST", Path: id("/calendar/reminders/%d", reminder), Form: "kind=reminder&title=Hacked&date=2026-12-01&all_day=1&calendar=company"},
		{Method: "GET", Path: clientRoom},
		{Method: "GET", Path: clientRoom + "/after/0"},
		{Method: "POST", Path: clientRoom + "/messages", Form: "body=Hacked"},
		{Method: "POST", Path: clientRoom + "/read", Form: id("last=%d", chatMessage)},
		{Method: "POST", Path: id(clientRoom+"/messages/%d/delete", chatMessage)},
		{Method: "GET", Path: direct},
		{Method: "POST", Path: direct + "/messages", Form: "body=Hacked"},
		{Method: "GET", Path: id("/chat/group-%d", group)},
		{Method: "POST", Path: id("/chat/group-%d/messages", group), Form: "body=Hacked"},
		{Method: "POST", Path: id("/clients/%d/chat-guests", client), Form: "on=1"},
		{Method: "GET", Path: id("/chat/with?person=%d", person)},
		{Method: "POST", Path: id("/jobs/%d/invoice", job)},
		{Method: "POST", Path: id("/jobs/%d/invoice/paid", job)},
		{Method: "GET", Path: id("/jobs/%d/invoice/pdf", job)},
		{Method: "GET", Path: id("/jobs/%d/invoices/%d/pdf", job, invoice)},
		{Method: "GET", Path: id("/jobs/%d/invoice/send", job)},
		{Method: "POST", Path: id("/jobs/%d/invoice/send", job), Form: "to=acme.client%40client.example"},
		{Method: "GET", Path: id("/jobs/%d/invoice/dispatches", job)},
		{Method: "GET", Path: id("/jobs/%d/communicate", job)},
		{Method: "GET", Path: id("/jobs/%d/text", job)},
		{Method: "POST", Path: id("/jobs/%d/text", job), Form: "to=%2B64215550123&body=Hacked&consent=1"},
		{Method: "POST", Path: "/calendar/reminders", Form: id("kind=reminder&title=Hacked&date=2026-12-01&all_day=1&calendar=client-%d", client)},
		{Method: "POST", Path: "/calendar/reminders", Form: id("kind=reminder&title=Hacked&date=2026-12-01&all_day=1&calendar=person-%d", person)},
		{Method: "POST", Path: "/calendar/reminders", Form: id("kind=reminder&title=Hacked&date=2026-12-01&all_day=1&calendar=company&people=%d", person)},
		{Method: "POST", Path: id("/jobs/%d/assign", job), Form: id("connection_id=%d", acmeSub)},
		{Method: "POST", Path: id("/jobs/%d/assign", boltJob), Form: id("connection_id=%d", acmeSub)},
		{Method: "POST", Path: id("/jobs/%d/withdraw", job)},
		{Method: "POST", Path: "/jobs/new", Form: id("client_id=%d&title=Hacked&connection_id=%d", boltClient, acmeSub)},
		{Method: "POST", Path: id("/connections/subcontractors/%d/resend", acmeSub)},
		{Method: "POST", Path: id("/connections/subcontractors/%d/cancel", acmeSub)},
		{Method: "GET", Path: id("/planned/%d", plannedJob)},
		{Method: "POST", Path: id("/planned/%d", plannedJob), Form: id("title=Hacked&site_id=%d", boltSite)},
		{Method: "GET", Path: id("/planned/%d/building", plannedJob)},
		{Method: "POST", Path: id("/planned/%d/building", plannedJob), Form: id("site_id=%d", boltSite)},
		{Method: "POST", Path: id("/planned/%d/building", boltPlanned), Form: id("site_id=%d", site)},
		{Method: "GET", Path: id("/planned/new?site=%d", site)},
		{Method: "POST", Path: id("/planned/%d/locations", plannedJob), Form: "location=Hacked"},
		{Method: "POST", Path: id("/planned/%d/locations/%d/remove", plannedJob, location)},
		{Method: "POST", Path: id("/planned/%d/interventions", plannedJob), Form: id("asset_id=%d&task=Hacked", asset)},
		{Method: "POST", Path: id("/planned/%d/interventions/%d/remove", plannedJob, intervention)},
		{Method: "POST", Path: id("/planned/%d/share", plannedJob), Form: "client=1"},
		{Method: "POST", Path: id("/planned/%d/stop-sharing", plannedJob), Form: "party=client"},
		{Method: "POST", Path: id("/planned/%d/comments", plannedJob), Form: "body=Hacked"},
		{Method: "GET", Path: id("/planned/%d/files/%d", plannedJob, doc)},
		{Method: "GET", Path: id("/planned/shared/%d/%d", acme, plannedJob)},
		{Method: "POST", Path: id("/planned/shared/%d/%d/comments", acme, plannedJob), Form: "body=Hacked"},
		{Method: "GET", Path: id("/planned/shared/%d/%d/files/%d", acme, plannedJob, doc)},
		{Method: "POST", Path: id("/planned/shared/%d/%d/files", acme, plannedJob)},
		{Method: "POST", Path: id("/planned/%d/files", plannedJob)},
		{Method: "POST", Path: "/planned/new", Form: id("title=Hacked&site_id=%d", site)},
		{Method: "GET", Path: id("/settings/buildings/%d", site)},
		{Method: "POST", Path: id("/settings/buildings/%d", site), Form: id("client_id=%d", boltClient)},
		{Method: "POST", Path: id("/settings/buildings/%d", boltSite), Form: id("client_id=%d", client)},
		{Method: "POST", Path: id("/settings/buildings/%d/assets", site), Form: "asset=Hacked"},
	})
	// The supplier it is shared with opens it: the 404s above are Bolt's for not being that supplier.
	if res, _ := signedIn(t, s, tdb, ts, cleo, identity.RoleAdmin).get(id("/planned/shared/%d/%d", acme, plannedJob)); res.StatusCode != http.StatusOK {
		t.Errorf("the supplier opening the planned job shared with it = %d, want 200", res.StatusCode)
	}
	var boltJobs int
	tdb.Owner.QueryRow(ctx, `select count(*) from jobs where company_id = $1`, bolt).Scan(&boltJobs)
	if boltJobs != 1 {
		t.Errorf("Bolt has %d jobs after the probe: a refused Assign to left its new job behind", boltJobs)
	}
	// A client user of Bolt tries Acme's jobs in the portal, and an Acme client user's guest.
	boltUser, _ := seedClientUser(t, s, tdb, ts, bolt, boltClient, "fran@bolt.example", identity.Permissions{AddEdit: true, ViewMessages: true, ViewPrices: true})
	assertProbe404(t, s, boltUser.asCookies(), []probeRoute{
		{Method: "GET", Path: id("/portal/planned/%d", plannedJob)},
		{Method: "POST", Path: id("/portal/planned/%d/comments", plannedJob), Form: "body=Hacked"},
		{Method: "GET", Path: id("/portal/planned/%d/files/%d", plannedJob, doc)},
		{Method: "POST", Path: id("/portal/planned/%d/files", plannedJob)},
		{Method: "GET", Path: id("/portal/jobs/%d", job)},
		{Method: "GET", Path: id("/portal/jobs/%d/edit", job)},
		{Method: "POST", Path: id("/portal/jobs/%d/edit", job), Form: "title=Hacked"},
		{Method: "POST", Path: id("/portal/jobs/%d/visits", job)},
		{Method: "POST", Path: id("/portal/jobs/%d/visits/%d", job, visit), Form: "date=" + inDays(7)},
		{Method: "POST", Path: id("/portal/jobs/%d/lines", job), Form: "description=x&quantity=1"},
		{Method: "GET", Path: id("/portal/jobs/%d/files/%d", job, file)},
		{Method: "POST", Path: id("/portal/jobs/%d/messages", job), Form: "body=Hacked"},
		{Method: "POST", Path: "/portal/jobs/new", Form: id("title=Hacked&site_id=%d", site)},
		{Method: "GET", Path: id("/tasks/%d", task)},
		{Method: "POST", Path: id("/tasks/%d/comments", task), Form: "body=Hacked"},
		{Method: "POST", Path: id("/tasks/%d/people/%d/remove", task, person)},
		{Method: "POST", Path: id("/tasks/%d/guests", task), Form: "email=spy@bolt.example"},
		{Method: "GET", Path: id("/tasks/%d/files/%d", task, taskFile)},
		{Method: "POST", Path: id("/portal/guests/%d/deactivate", acmeGuest)},
		{Method: "POST", Path: id("/portal/guests/%d/reactivate", acmeGuest)},
		{Method: "GET", Path: id("/calendar/reminders/%d", reminder)},
		{Method: "POST", Path: id("/calendar/reminders/%d/delete", reminder)},
		{Method: "GET", Path: id("/calendar/reminders/%d/edit", reminder)},
		{Method: "POST", Path: id("/calendar/reminders/%d", reminder), Form: "kind=reminder&title=Hacked&date=2026-12-01&all_day=1&calendar=company"},
		{Method: "GET", Path: clientRoom},
		{Method: "GET", Path: clientRoom + "/after/0"},
		{Method: "POST", Path: clientRoom + "/messages", Form: "body=Hacked"},
		{Method: "POST", Path: clientRoom + "/read", Form: id("last=%d", chatMessage)},
		{Method: "POST", Path: id(clientRoom+"/messages/%d/delete", chatMessage)},
		{Method: "GET", Path: direct},
		{Method: "POST", Path: direct + "/messages", Form: "body=Hacked"},
		{Method: "GET", Path: id("/chat/group-%d", group)},
		{Method: "POST", Path: id("/chat/group-%d/messages", group), Form: "body=Hacked"},
	})
	// Bolt's own job may not point at Acme's rows either.
	assertProbe404(t, s, asBolt, []probeRoute{
		{Method: "GET", Path: id("/jobs/%d/files/%d", boltJob, file)},
		{Method: "POST", Path: id("/jobs/%d/visits/%d/remove", boltJob, visit)},
		{Method: "GET", Path: id("/jobs/%d/visits/%d/edit", boltJob, visit)},
		{Method: "POST", Path: id("/jobs/%d/visits/%d/edit", boltJob, visit), Form: "notes=Hacked"},
		{Method: "POST", Path: id("/jobs/%d/lines/%d/remove", boltJob, line)},
		{Method: "POST", Path: id("/jobs/%d/billing", boltJob), Form: id("billing_client_id=%d", client)},
		{Method: "POST", Path: id("/jobs/%d/share-links/%d/revoke", boltJob, link)},
		{Method: "GET", Path: id("/jobs/%d/invoices/%d/pdf", boltJob, invoice)},
	})
	// The bulk action with A's ids changes nothing of A.
	asBoltPost := httptest.NewRequest("POST", "/clients/job-share", strings.NewReader(id("ids=%d&action=job-share-on", client)))
	asBoltPost.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	asBolt(asBoltPost)
	s.ServeHTTP(httptest.NewRecorder(), asBoltPost)
	var jobShare bool
	var revoked *time.Time
	tdb.Owner.QueryRow(ctx, `select job_share from clients where id = $1`, client).Scan(&jobShare)
	tdb.Owner.QueryRow(ctx, `select revoked_at from share_links where id = $1`, link).Scan(&revoked)
	if jobShare || revoked != nil {
		t.Errorf("the probe changed A's Job Share: client on %t, link revoked %v", jobShare, revoked)
	}
	// A's rows are as they were.
	var status, clientName, role string
	var active bool
	var sites, coworkers int
	var cancelled *time.Time
	tdb.Owner.QueryRow(ctx, `select status from outbox_emails where id = $1`, emails[0]).Scan(&status)
	tdb.Owner.QueryRow(ctx, `select name, (select count(*) from sites where client_id = $1),
		(select count(*) from client_coworkers where client_id = $1) from clients where id = $1`, client).Scan(&clientName, &sites, &coworkers)
	tdb.Owner.QueryRow(ctx, `select role, active from memberships where id = $1`, person).Scan(&role, &active)
	tdb.Owner.QueryRow(ctx, `select cancelled_at from invitations where id = $1`, invitation).Scan(&cancelled)
	var jobRows, history, files, bolts int
	tdb.Owner.QueryRow(ctx, `select (select count(*) from jobs where company_id = $1), (select count(*) from job_history where company_id = $1),
		(select count(*) from files where company_id = $1), (select count(*) from visits where company_id = $1) + (select count(*) from job_lines where company_id = $1)`,
		acme).Scan(&jobRows, &history, &files, &bolts)
	var onTask int
	tdb.Owner.QueryRow(ctx, `select count(*) from task_people where company_id = $1`, acme).Scan(&onTask)
	if jobRows != 1 || history != 1 || files != 5 || bolts != 2 || onTask != 1 { // the invoice: its History line and its PDF; the planned job's document
		t.Errorf("the probe changed company A: %d jobs, %d history lines, %d files, %d visits+lines, %d on the task", jobRows, history, files, bolts, onTask)
	}
	var plannedTitle string
	var plannedItems, liveShares, siteClient int64
	tdb.Owner.QueryRow(ctx, `select p.title, (select count(*) from planned_locations where planned_job_id = p.id) + (select count(*) from planned_interventions where planned_job_id = p.id),
		(select count(*) from planned_shares where planned_job_id = p.id and stopped_at is null), (select client_id from sites where id = p.site_id)
		from planned_jobs p where p.id = $1`, plannedJob).Scan(&plannedTitle, &plannedItems, &liveShares, &siteClient)
	if plannedTitle != "Acme planned" || plannedItems != 2 || liveShares != 2 || siteClient != client {
		t.Errorf("the probe changed Acme's planned job: %q, %d items, %d live shares, its building's client %d", plannedTitle, plannedItems, liveShares, siteClient)
	}
	// Bolt's own planned job: an edit carrying Acme's building saves, but never moves it (only Move does).
	boltAdmin.post(id("/planned/%d", boltPlanned), url.Values{"title": {"Bolt planned"}, "site_id": {fmt.Sprint(site)}})
	var boltPlannedSite int64
	tdb.Owner.QueryRow(ctx, `select site_id from planned_jobs where id = $1`, boltPlanned).Scan(&boltPlannedSite)
	if boltPlannedSite != boltSite {
		t.Errorf("Bolt's planned job moved to site %d, one of Acme's", boltPlannedSite)
	}
	if status != "failed" || clientName != "Acme Client" || sites != 1 || coworkers != 1 || role != "co-worker" || !active || cancelled != nil {
		t.Errorf("the probe changed company A: email %s, client %q with %d sites and %d co-workers, person %s active %t, invitation cancelled %v",
			status, clientName, sites, coworkers, role, active, cancelled)
	}
}
