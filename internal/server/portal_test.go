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

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// seedClientUser gives client a Job Share Plus user with perms and returns a client logged in as them, and the
// membership id.
func seedClientUser(t *testing.T, s *Server, tdb *dbtest.TestDB, ts *httptest.Server, company, client int64, email string, p identity.Permissions) (*client, int64) {
	t.Helper()
	var id int64
	err := tdb.Owner.QueryRow(context.Background(), `
		with a as (insert into accounts (email, name, password_hash) values ($1, 'Fran Facilities', $2) returning id)
		insert into memberships (company_id, account_id, role, client_id, perm_add_edit, perm_view_messages, perm_view_prices)
		select $3, a.id, 'client', $4, $5, $6, $7 from a returning id`,
		email, s.hasher.Hash("password-123"), company, client, p.AddEdit, p.ViewMessages, p.ViewPrices).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, ts)
	c.login(email, "password-123")
	return c, id
}

// portalFixture: Acme with clients A and B, three jobs — A's, one billed to A, and B's — and A's client user.
type portalFixture struct {
	s                        *Server
	tdb                      *dbtest.TestDB
	ts                       *httptest.Server
	acme, a, b, site         int64
	jobA, jobBilledToA, jobB int64
	admin, fran              *client
	franID                   int64
}

func newPortalFixture(t *testing.T, p identity.Permissions) portalFixture {
	t.Helper()
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	f := portalFixture{s: s, tdb: tdb, ts: ts, acme: tdb.CreateCompany(t, "Acme")}
	f.a, f.b = seedClient(t, tdb, f.acme, "Harbour View", "Block A"), seedClient(t, tdb, f.acme, "Ponsonby Bakery")
	tdb.Owner.QueryRow(ctx, `select id from sites where client_id = $1`, f.a).Scan(&f.site)
	f.jobA, f.jobB = seedJob(t, tdb, f.acme, f.a, "Harbour roof"), seedJob(t, tdb, f.acme, f.b, "Bakery oven")
	f.jobBilledToA = seedJob(t, tdb, f.acme, f.b, "Billed to Harbour")
	tdb.Owner.Exec(ctx, `update jobs set billing_client_id = $1 where id = $2`, f.a, f.jobBilledToA)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'Labour', 1000, 4100, 9735)`, f.acme, f.jobA)
	tdb.Owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body, visible_to_client)
		values ($1, $2, 'Ann', 'Internal: margin is thin', false), ($1, $2, 'Ann', 'We will call first', true)`, f.acme, f.jobA)
	f.admin = signedIn(t, s, tdb, ts, f.acme, identity.RoleAdmin)
	f.fran, f.franID = seedClientUser(t, s, tdb, ts, f.acme, f.a, "fran@harbour.example", p)
	return f
}

func TestPortal_SeesOwnJobsOnly(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{})
	if res, body := f.fran.get("/"); res.StatusCode != 200 || !strings.Contains(body, "Your open jobs") || !strings.Contains(body, "Harbour roof") ||
		strings.Contains(body, "Bakery oven") {
		t.Errorf("a client user's start page (Today) = %d", res.StatusCode)
	}
	_, body := f.fran.get("/portal/jobs")
	if !strings.Contains(body, "Harbour roof") || !strings.Contains(body, "Billed to Harbour") || strings.Contains(body, "Bakery oven") ||
		!strings.Contains(body, "Harbour View") || strings.Contains(body, "New job") {
		t.Errorf("the portal list: %.3000s", body)
	}
	// Office URLs are 404 for client users.
	for _, path := range []string{"/jobs", "/clients", fmt.Sprintf("/jobs/%d", f.jobA), "/staff", "/settings", "/outbox"} {
		if res, _ := f.fran.get(path); res.StatusCode != 404 {
			t.Errorf("client user GET %s = %d, want 404", path, res.StatusCode)
		}
	}
	// Without the permissions: no prices, no messages, and forged requests refused with 403.
	_, page := f.fran.get(fmt.Sprintf("/portal/jobs/%d", f.jobA))
	for _, never := range []string{"97.35", "41.00", "$", "margin is thin", "We will call first", "Request a visit"} {
		if strings.Contains(page, never) {
			t.Errorf("without permissions the job shows %q", never)
		}
	}
	for _, rt := range []struct{ method, path, form string }{
		{"GET", "/portal/jobs/new", ""},
		{"POST", "/portal/jobs/new", "title=Forged"},
		{"GET", fmt.Sprintf("/portal/jobs/%d/edit", f.jobA), ""},
		{"POST", fmt.Sprintf("/portal/jobs/%d/edit", f.jobA), "title=Forged"},
		{"POST", fmt.Sprintf("/portal/jobs/%d/visits", f.jobA), ""},
		{"POST", fmt.Sprintf("/portal/jobs/%d/lines", f.jobA), "description=x&quantity=1"},
	} {
		var res *http.Response
		if rt.method == "GET" {
			res, _ = f.fran.get(rt.path)
		} else {
			v, _ := url.ParseQuery(rt.form)
			res, _ = f.fran.post(rt.path, v)
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("without Add and edit jobs, %s %s = %d, want 403", rt.method, rt.path, res.StatusCode)
		}
	}

	// The office gives View sale price and View messages: prices (never costs) and client-visible messages show.
	res, _ := f.admin.post(fmt.Sprintf("/clients/%d/portal-users/%d/permissions", f.a, f.franID),
		url.Values{"perm_view_messages": {"1"}, "perm_view_prices": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set permissions = %d", res.StatusCode)
	}
	_, page = f.fran.get(fmt.Sprintf("/portal/jobs/%d", f.jobA))
	if !strings.Contains(page, "$97.35") || strings.Contains(page, "41.00") || !strings.Contains(page, "We will call first") || strings.Contains(page, "margin is thin") {
		t.Errorf("with View sale price and View messages: %.4000s", page)
	}
}

func TestPortal_AddAndEditJobs(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{AddEdit: true})
	ctx := context.Background()
	res, body := f.fran.post("/portal/jobs/new", url.Values{"title": {""}, "site_id": {fmt.Sprint(f.site)}})
	if res.StatusCode != 422 || !strings.Contains(body, "Enter a title") {
		t.Errorf("no title = %d", res.StatusCode)
	}
	// A window in the past or ending before it starts is refused with the job: nothing is saved.
	for form, want := range map[string]string{
		"date=" + inDays(-1):                         "That time has passed",
		"date=" + inDays(7) + "&from=12:00&to=09:00": "The window must end after it starts.",
	} {
		q, _ := url.ParseQuery(form + "&title=Gutter+overflowing&site_id=" + fmt.Sprint(f.site))
		if res, body := f.fran.post("/portal/jobs/new", q); res.StatusCode != 422 || !strings.Contains(body, want) {
			t.Errorf("new job with %s = %d, want 422 %q", form, res.StatusCode, want)
		}
	}
	var n int
	if f.tdb.Owner.QueryRow(ctx, `select count(*) from jobs where title = 'Gutter overflowing'`).Scan(&n); n != 0 {
		t.Fatalf("%d jobs saved with a refused visit", n)
	}
	res, _ = f.fran.post("/portal/jobs/new", url.Values{"title": {"Gutter overflowing"}, "site_id": {fmt.Sprint(f.site)}, "date": {inDays(7)}, "from": {"08:00"}, "to": {"10:30"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new job = %d", res.StatusCode)
	}
	var id int64
	var source, desc string
	f.tdb.Owner.QueryRow(ctx, `select id, source, description from jobs where title = 'Gutter overflowing'`).Scan(&id, &source, &desc)
	if source != "portal" || desc != "" {
		t.Errorf("the portal job: source %s, description %q", source, desc)
	}
	// The preferred time is the visit's requested window, never text in the description.
	var requested string
	f.tdb.Owner.QueryRow(ctx, `select to_char(requested_start at time zone 'UTC', 'HH24:MI') || '-' || to_char(requested_end at time zone 'UTC', 'HH24:MI')
		  from visits where job_id = $1 and starts_at is null`, id).Scan(&requested)
	if requested != "08:00-10:30" {
		t.Errorf("the requested window of the new job's visit: %q", requested)
	}
	// The office: in From clients, a badge on Jobs, History "Added by … (portal)"; opening it clears both.
	if _, body := f.admin.get("/jobs?view=from-clients"); !strings.Contains(body, "Gutter overflowing") || !strings.Contains(body, `title="New jobs from clients"`) {
		t.Error("the office does not see the job in From clients with a badge")
	}
	// Only a person clicking through the office marks it seen: not a link from another site, nor a script.
	for name, headers := range map[string]map[string]string{
		"no browser headers":       nil,
		"a link from another site": {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
		"a prefetch":               {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Purpose": "prefetch"},
		"a script's fetch":         {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
	} {
		r, _ := http.NewRequest("GET", f.admin.base+fmt.Sprintf("/jobs/%d", id), nil)
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		f.admin.do(r)
		if _, body := f.admin.get("/jobs?view=from-clients"); !strings.Contains(body, "Gutter overflowing") {
			t.Errorf("%s marked the portal job seen", name)
		}
	}
	if _, body := f.admin.navigate(fmt.Sprintf("/jobs/%d?tab=history", id)); !strings.Contains(body, "Added by Fran Facilities (portal)") {
		t.Error("History lacks Added by … (portal)")
	}
	if _, body := f.admin.get("/jobs?view=from-clients"); strings.Contains(body, "Gutter overflowing") || strings.Contains(body, `title="New jobs from clients"`) {
		t.Error("after the office opened it, the job is still new")
	}
	// Edit, request a visit, add a line; another client's job is a 404 for each.
	if res, _ := f.fran.post(fmt.Sprintf("/portal/jobs/%d/edit", id), url.Values{"title": {"Gutter overflowing (urgent)"}, "site_id": {fmt.Sprint(f.site)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("edit = %d", res.StatusCode)
	}
	if res, _ := f.fran.post(fmt.Sprintf("/portal/jobs/%d/visits", id), url.Values{"date": {inDays(8)}, "from": {"09:00"}, "to": {"12:00"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("request visit = %d", res.StatusCode)
	}
	if res, body := f.fran.post(fmt.Sprintf("/portal/jobs/%d/visits", id), url.Values{"from": {"09:00"}}); res.StatusCode != 422 || !strings.Contains(body, "Pick the day someone should come.") {
		t.Errorf("a time without a day = %d", res.StatusCode)
	}
	if res, _ := f.fran.post(fmt.Sprintf("/portal/jobs/%d/lines", id), url.Values{"description": {"Ladder hire"}, "quantity": {"1"}, "unit_price": {"999"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("add line = %d", res.StatusCode)
	}
	var price int64
	f.tdb.Owner.QueryRow(ctx, `select unit_price_cents from job_lines where description = 'Ladder hire'`).Scan(&price)
	if price != 0 {
		t.Errorf("a client user set a price: %d", price)
	}
	// The cross-client probe: every portal route with another client's job (or its visit on this one).
	var visitB int64
	f.tdb.Owner.QueryRow(ctx, `insert into visits (company_id, job_id) values ($1, $2) returning id`, f.acme, f.jobB).Scan(&visitB)
	assertProbe404(t, f.s, f.fran.asCookies(), []probeRoute{
		{Method: "GET", Path: fmt.Sprintf("/portal/jobs/%d", f.jobB)},
		{Method: "GET", Path: fmt.Sprintf("/portal/jobs/%d/edit", f.jobB)},
		{Method: "POST", Path: fmt.Sprintf("/portal/jobs/%d/edit", f.jobB), Form: "title=Hacked"},
		{Method: "POST", Path: fmt.Sprintf("/portal/jobs/%d/visits", f.jobB)},
		{Method: "POST", Path: fmt.Sprintf("/portal/jobs/%d/visits/%d", f.jobB, visitB), Form: "date=" + inDays(7)},
		{Method: "POST", Path: fmt.Sprintf("/portal/jobs/%d/visits/%d", id, visitB), Form: "date=" + inDays(7)},
		{Method: "POST", Path: fmt.Sprintf("/portal/jobs/%d/lines", f.jobB), Form: "description=x&quantity=1"},
		{Method: "GET", Path: fmt.Sprintf("/portal/jobs/%d/files/1", f.jobB)},
		{Method: "POST", Path: "/portal/jobs/new", Form: fmt.Sprintf("title=Hacked&site_id=%d", f.site+1000)},
	})
	var title string
	f.tdb.Owner.QueryRow(ctx, `select title from jobs where id = $1`, f.jobB).Scan(&title)
	if title != "Bakery oven" {
		t.Errorf("the probe changed B's job to %q", title)
	}
}

// asCookies dresses a request as this client's session, for the probe.
func (c *client) asCookies() func(*http.Request) {
	u, _ := url.Parse(c.base)
	cookies := c.http.Jar.Cookies(u)
	return func(r *http.Request) {
		for _, ck := range cookies {
			r.AddCookie(ck)
		}
	}
}

// inDays is the date n days from now, as a date input sends it: clear of today in any time zone.
func inDays(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }
