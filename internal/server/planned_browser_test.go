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

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// A facilities firm plans maintenance in its client's building and shares it: the office creates a planned job
// (every never-shared field holding a marker), adds a location and an intervention, and shares it with the
// building's client and its supplier; a forged edit of a locked field is refused (409, in words), an allowed one
// saved; the client's user opens it in the portal and comments, the supplier's admin in their own company — neither
// page nor email shows a marker; stopping the supplier's share ends their access while the client's stays, then the
// client's. The office page, the portal's and the supplier's pass axe.
func TestBrowser_PlannedJobs(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	fern, spark := tdb.CreateCompany(t, "Fern Facilities"), tdb.CreateCompany(t, "Spark Subs")
	seedPerson(t, s, tdb, fern, "ann@fern.example", "Ann", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, spark, "sam@spark.example", "Sam", "password-123", identity.RoleAdmin)
	tdb.Owner.Exec(ctx, `select connect_pair($1, null, $2, null, null)`, fern, spark)
	tdb.Owner.Exec(ctx, `update connections set email = 'sam@spark.example' where company_id = $1`, fern)
	harbour := seedClient(t, tdb, fern, "Harbour Towers", "Tower A")
	seedClient(t, tdb, fern, "Kelp Offices", "Tower B") // New planned job's search leaves it out
	var site int64
	tdb.Owner.QueryRow(ctx, `select id from sites where client_id = $1`, harbour).Scan(&site)
	var chiller int64
	tdb.Owner.QueryRow(ctx, `insert into assets (company_id, site_id, name) values ($1, $2, 'Chiller 2') returning id`, fern, site).Scan(&chiller)
	seedClientUser(t, s, tdb, ts, fern, harbour, "fran@harbour.example", identity.Permissions{})
	var supplier int64
	tdb.Owner.QueryRow(ctx, `select id from connections where company_id = $1`, fern).Scan(&supplier)

	b := newBrowserFor(t, 3*time.Minute)
	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[contains(@class, "notice") and contains(., "` + want + `")]`)
	}
	as := func(email string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(ts.URL + "/account"),
			chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`a[href="/login"]`, chromedp.ByQuery),
			browserLogin(ts.URL, email, "password-123"),
		}
	}
	text := func(sel string) string {
		var s string
		if err := chromedp.Run(b, chromedp.Text(sel, &s, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		return s
	}
	axe := func(where string) {
		if found := axeSerious(t, b); len(found) > 0 {
			t.Errorf("axe on %s:\n%s", where, strings.Join(found, "\n"))
		}
	}

	err := chromedp.Run(b,
		browserLogin(ts.URL, "ann@fern.example", "password-123"),
		chromedp.Navigate(ts.URL+"/planned/new"),
		fill([2]string{"q", "harbour"}),
		chromedp.Click(`//button[text()="Find"]`),
		chromedp.WaitVisible(`//ul[contains(@class, "pick-list")]//a[text()="Tower A"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("New planned job's building search")
	if list := text("ul.pick-list"); strings.Contains(list, "Tower B") {
		t.Errorf("the search for harbour lists %q", list)
	}
	err = chromedp.Run(b,
		chromedp.Click(`//ul[contains(@class, "pick-list")]//a[text()="Tower A"]`),
		chromedp.WaitVisible(`//p[contains(., "Tower A · Harbour Towers")]`),
		fill([2]string{"title", "Quarterly HVAC service"}, [2]string{"type", "Preventive"}, [2]string{"cost_centre", "MARKER-cc"},
			[2]string{"internal_notifications", "MARKER-notify"}, [2]string{"internal_sla", "MARKER-sla"}, [2]string{"gatekeeper", "MARKER-gate"},
			[2]string{"customer_satisfaction", "MARKER-csat"}),
		chromedp.SetValue(`select[name=supplier_id]`, fmt.Sprint(supplier), chromedp.ByQuery),
		chromedp.SetValue(`input[name=order_date]`, "2026-12-07", chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=description]`, "Service both chillers", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Create planned job"]`),
		notice("Planned job created"),
		fill([2]string{"location", "Plant room, level 12"}),
		chromedp.Click(`//button[text()="Add location"]`),
		notice("Location added"),
		chromedp.SetValue(`select[name=asset_id]`, fmt.Sprint(chiller), chromedp.ByQuery),
		fill([2]string{"task", "Replace filters"}),
		chromedp.Click(`//button[text()="Add intervention"]`),
		notice("Intervention added"),
		chromedp.Click(`input[name=supplier]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=note]`, "Access via the loading dock", chromedp.ByQuery),
		chromedp.Click(`#share button[type=submit]`, chromedp.ByQuery),
		notice("Shared"),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the planned job's page")
	var planned int64
	tdb.Owner.QueryRow(ctx, `select id from planned_jobs where company_id = $1`, fern).Scan(&planned)
	office := fmt.Sprintf("%s/planned/%d", ts.URL, planned)
	// A forged edit of a locked field (the order date's hidden input) is refused; the title may change.
	var heading string
	err = chromedp.Run(b,
		chromedp.SetValue(`#planned-form input[name=order_date]`, "2026-12-14", chromedp.ByQuery),
		chromedp.Click(`#planned-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[text()="That cannot be done"]`),
		chromedp.Text(`main`, &heading, chromedp.ByQuery),
		chromedp.Navigate(office),
		fill([2]string{"title", "Quarterly HVAC service, Tower A"}),
		chromedp.Click(`#planned-form button[type=submit]`, chromedp.ByQuery),
		notice("Planned job saved"),
	)
	if err != nil || !strings.Contains(heading, "order date cannot change: Stop sharing") {
		t.Fatalf("a forged edit of a locked field: %q (%v)", heading, err)
	}

	// The client's user, in the portal.
	err = chromedp.Run(b,
		as("fran@harbour.example"),
		chromedp.Navigate(ts.URL+"/portal/planned"),
		chromedp.Click(`//a[text()="Quarterly HVAC service, Tower A"]`),
		chromedp.WaitVisible(`//h1[text()="Quarterly HVAC service, Tower A"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the portal's planned job")
	if main := text("main"); strings.Contains(main, "MARKER") || !strings.Contains(main, "Replace filters") || !strings.Contains(main, "Plant room") ||
		!strings.Contains(main, "Access via the loading dock") {
		t.Fatalf("the client's view:\n%s", main)
	}
	err = chromedp.Run(b,
		chromedp.SendKeys(`textarea[name=body]`, "Dock opens at 7", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add comment"]`),
		notice("Comment added"),
		// The supplier, in its own company.
		as("sam@spark.example"),
		chromedp.Navigate(ts.URL+"/planned/shared"),
		chromedp.Click(`//a[text()="Quarterly HVAC service, Tower A"]`),
		chromedp.WaitVisible(`//li[contains(., "Dock opens at 7")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the supplier's planned job")
	supplierURL := fmt.Sprintf("%s/planned/shared/%d/%d", ts.URL, fern, planned)
	if main := text("main"); strings.Contains(main, "MARKER") || !strings.Contains(main, "Chiller 2") {
		t.Fatalf("the supplier's view:\n%s", main)
	}
	// The emails say nothing never-shared.
	for _, to := range []string{"fran@harbour.example", "sam@spark.example"} {
		found := false
		for _, msg := range m.Search("to:" + to) {
			full := m.Message(msg.ID)
			if strings.Contains(full.Subject, "shared a planned job") {
				found = true
				if strings.Contains(full.Text+full.HTML, "MARKER") {
					t.Errorf("the email to %s holds a never-shared field", to)
				}
			}
		}
		if !found {
			t.Errorf("no share email reached %s", to)
		}
	}

	// Stop sharing with the supplier: their access ends, the client's stays; then the client's.
	stop := func(party string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(office),
			chromedp.Click(`//summary[@aria-label="More sharing actions"]`),
			chromedp.Click(`//button[text()="Stop sharing with the ` + party + `"]`),
			notice("Stopped sharing with the " + party),
		}
	}
	err = chromedp.Run(b,
		as("ann@fern.example"), stop("supplier"),
		as("sam@spark.example"), chromedp.Navigate(supplierURL), chromedp.WaitVisible(`//h1[text()="Page not found"]`),
		as("fran@harbour.example"), chromedp.Navigate(fmt.Sprintf("%s/portal/planned/%d", ts.URL, planned)),
		chromedp.WaitVisible(`//h1[text()="Quarterly HVAC service, Tower A"]`),
		as("ann@fern.example"), stop("client"),
		as("fran@harbour.example"), chromedp.Navigate(fmt.Sprintf("%s/portal/planned/%d", ts.URL, planned)),
		chromedp.WaitVisible(`//h1[text()="Page not found"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// The cross-client probe for planned jobs: a client user sees a planned job only while it is shared with their own
// client — not another client's shared one, not their own building's unshared or stopped one — and none of the
// office's planned routes.
func TestPlanned_CrossClientProbe(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{AddEdit: true})
	ctx := context.Background()
	var siteB, theirs, unshared, stopped, doc int64
	f.tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Bakery', '2 Oven Rd') returning id`, f.acme, f.b).Scan(&siteB)
	newPlanned := func(site int64, title string, share string) (id int64) {
		f.tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title) values ($1, $2, $3) returning id`, f.acme, site, title).Scan(&id)
		if share != "" {
			f.tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party, stopped_at) values ($1, $2, 'client', `+share+`)`, f.acme, id)
		}
		return id
	}
	theirs, unshared, stopped = newPlanned(siteB, "Bakery's", "null"), newPlanned(f.site, "Not shared", ""), newPlanned(f.site, "Stopped", "now()")
	// Each with a shared document of its own, so a file probe fails on the share, not on the file's owner.
	var routes []probeRoute
	for _, id := range []int64{theirs, unshared, stopped} {
		f.tdb.Owner.QueryRow(ctx, `insert into files (company_id, planned_job_id, name, content_type, size, visible_to_client) values ($1, $2, 'b.pdf', 'application/pdf', 1, true) returning id`,
			f.acme, id).Scan(&doc)
		f.tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, f.acme, doc)
		routes = append(routes,
			probeRoute{Method: "GET", Path: fmt.Sprintf("/portal/planned/%d", id)},
			probeRoute{Method: "POST", Path: fmt.Sprintf("/portal/planned/%d/comments", id), Form: "body=Hacked"},
			probeRoute{Method: "GET", Path: fmt.Sprintf("/portal/planned/%d/files/%d", id, doc)},
			probeRoute{Method: "POST", Path: fmt.Sprintf("/portal/planned/%d/files", id)},
			probeRoute{Method: "GET", Path: fmt.Sprintf("/planned/%d", id)})
	}
	assertProbe404(t, f.s, f.fran.asCookies(), append(routes, probeRoute{Method: "GET", Path: "/planned"}, probeRoute{Method: "GET", Path: "/planned/shared"}))
	if _, body := f.fran.get("/portal/planned"); strings.Contains(body, "Bakery's") || strings.Contains(body, "Not shared") || strings.Contains(body, "Stopped") {
		t.Errorf("the portal's planned list shows another's or an unshared one: %.2000s", body)
	}
	var comments int
	f.tdb.Owner.QueryRow(ctx, `select count(*) from planned_activity`).Scan(&comments)
	if comments != 0 {
		t.Errorf("the probe wrote %d comments", comments)
	}
}

// Pages that find a building or a client by search, for a company with more than a select should hold: New
// planned job's building, Move to another building (refused in words while shared), and the building's client.
func TestPlanned_FindAndMove(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	fern := tdb.CreateCompany(t, "Fern Facilities")
	admin := signedIn(t, s, tdb, ts, fern, identity.RoleAdmin)
	harbour := seedClient(t, tdb, fern, "Harbour Towers", "Tower A", "Tower B")
	seedClient(t, tdb, fern, "Kelp Offices", "Kelp House")
	var towerA, towerB int64
	tdb.Owner.QueryRow(ctx, `select min(id), max(id) from sites where client_id = $1`, harbour).Scan(&towerA, &towerB)

	if res, body := admin.get("/planned/new?q=" + strings.Repeat("x", 201)); res.StatusCode != 422 || !strings.Contains(body, "Search with at most 200 characters.") {
		t.Errorf("a long search = %d", res.StatusCode)
	}
	if _, body := admin.get("/planned/new?q=kelp"); !strings.Contains(body, `href="/planned/new?site=`) ||
		!strings.Contains(body, "Kelp House") || strings.Contains(body, "Tower A") {
		t.Errorf("the search for kelp: %.3000s", body)
	}
	if res, _ := admin.post("/planned/new", url.Values{"title": {"Roof check"}, "site_id": {fmt.Sprint(towerA)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", res.StatusCode)
	}
	var id int64
	tdb.Owner.QueryRow(ctx, `select id from planned_jobs where company_id = $1`, fern).Scan(&id)
	path := fmt.Sprintf("/planned/%d/building", id)
	if _, body := admin.get(path + "?q=tower"); !strings.Contains(body, "It is here now") || strings.Count(body, ">Move here</button>") != 1 {
		t.Errorf("the move page: %.3000s", body)
	}
	if res, _ := admin.post(path, url.Values{"site_id": {fmt.Sprint(towerB)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move = %d", res.StatusCode)
	}
	if _, body := admin.get(fmt.Sprintf("/planned/%d", id)); !strings.Contains(body, "Moved: it is in the new building now.") || !strings.Contains(body, "Tower B · Harbour Towers") {
		t.Errorf("after the move: %.3000s", body)
	}
	tdb.Owner.Exec(ctx, `insert into planned_shares (company_id, planned_job_id, party) values ($1, $2, 'client')`, fern, id)
	if _, body := admin.get(path); !strings.Contains(body, "Stop sharing to edit it") || strings.Contains(body, "Move here") {
		t.Errorf("the move page while shared: %.3000s", body)
	}
	if res, body := admin.post(path, url.Values{"site_id": {fmt.Sprint(towerA)}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Stop sharing to edit it") {
		t.Errorf("a move while shared = %d", res.StatusCode)
	}

	// The building's client: its client first, then the clients matching the search.
	_, body := admin.get(fmt.Sprintf("/settings/buildings/%d?q=kelp", towerA))
	if !strings.Contains(body, ">Harbour Towers</option>") || !strings.Contains(body, ">Kelp Offices</option>") {
		t.Errorf("the client search: %.3000s", body)
	}
	if _, body := admin.get(fmt.Sprintf("/settings/buildings/%d?q=nomatch", towerA)); strings.Contains(body, ">Kelp Offices</option>") || !strings.Contains(body, ">Harbour Towers</option>") {
		t.Errorf("a search matching none: %.3000s", body)
	}
}

// Staff who are not admins read the planned jobs in their scope (planned.ScopeFor) — a co-worker those of their
// clients' buildings and those they are an assignee of, a subcontractor person only the latter — with the Planned
// nav link, its documents, and none of the admin's controls; every other planned job is a 404 and every change a
// refusal.
func TestPlanned_StaffRead(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	fern := tdb.CreateCompany(t, "Fern Facilities")
	harbour := seedClient(t, tdb, fern, "Harbour Towers", "Tower A")
	kelp := seedClient(t, tdb, fern, "Kelp Offices", "Kelp House")
	_, cora := seedPerson(t, s, tdb, fern, "cora@fern.example", "Cora", "password-123", identity.RoleCoWorker)
	_, sid := seedPerson(t, s, tdb, fern, "sid@fern.example", "Sid", "password-123", identity.RoleSubcontractor)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, fern, harbour, cora)
	newPlanned := func(client int64, title string) (id, doc int64) {
		tdb.Owner.QueryRow(ctx, `insert into planned_jobs (company_id, site_id, title, cost_centre)
			select $1, id, $3, 'CC-7' from sites where client_id = $2 returning id`, fern, client, title).Scan(&id)
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, planned_job_id, name, content_type, size) values ($1, $2, 'plan.pdf', 'application/pdf', 1) returning id`,
			fern, id).Scan(&doc)
		tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, fern, doc)
		return id, doc
	}
	tower, towerDoc := newPlanned(harbour, "Tower chillers")
	house, houseDoc := newPlanned(kelp, "House boiler")
	tdb.Owner.Exec(ctx, `insert into planned_assignees (company_id, planned_job_id, membership_id) values ($1, $2, $3)`, fern, house, sid)

	for _, c := range []struct {
		email          string
		mine, notMine  int64
		doc, notMyDoc  int64
		title, ignored string
	}{
		{"cora@fern.example", tower, house, towerDoc, houseDoc, "Tower chillers", "House boiler"},
		{"sid@fern.example", house, tower, houseDoc, towerDoc, "House boiler", "Tower chillers"},
	} {
		u := newClient(t, ts)
		u.login(c.email, "password-123")
		if _, body := u.get("/planned"); !strings.Contains(body, c.title) || strings.Contains(body, c.ignored) ||
			strings.Contains(body, "New planned job") || !strings.Contains(body, `href="/planned"`) {
			t.Errorf("%s's list: %.3000s", c.email, body)
		}
		res, body := u.get(fmt.Sprintf("/planned/%d", c.mine))
		if res.StatusCode != 200 || !strings.Contains(body, "CC-7") || !strings.Contains(body, "plan.pdf") ||
			strings.Contains(body, `id="planned-form"`) || strings.Contains(body, `id="share"`) || strings.Contains(body, "Add document") ||
			strings.Contains(body, "Add comment") {
			t.Errorf("%s's planned job = %d: %.3000s", c.email, res.StatusCode, body)
		}
		if res, _ := u.get(fmt.Sprintf("/planned/%d/files/%d", c.mine, c.doc)); res.StatusCode != 200 {
			t.Errorf("%s's document = %d", c.email, res.StatusCode)
		}
		for _, path := range []string{fmt.Sprintf("/planned/%d", c.notMine), fmt.Sprintf("/planned/%d/files/%d", c.notMine, c.notMyDoc)} {
			if res, _ := u.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s = %d", c.email, path, res.StatusCode)
			}
		}
		for _, path := range []string{fmt.Sprintf("/planned/%d", c.mine), fmt.Sprintf("/planned/%d/comments", c.mine), fmt.Sprintf("/planned/%d/share", c.mine)} {
			if res, _ := u.post(path, url.Values{"title": {"Hacked"}, "body": {"Hacked"}, "client": {"1"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s = %d", c.email, path, res.StatusCode)
			}
		}
	}
	var changed int
	tdb.Owner.QueryRow(ctx, `select (select count(*) from planned_jobs where title = 'Hacked') + (select count(*) from planned_activity) + (select count(*) from planned_shares)`).Scan(&changed)
	if changed != 0 {
		t.Errorf("the refused posts changed %d rows", changed)
	}
}
