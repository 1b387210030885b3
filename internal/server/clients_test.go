package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// seedClient adds a client (and its sites) as the owner and returns its id.
func seedClient(t testing.TB, tdb *dbtest.TestDB, company int64, name string, sites ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, email) values ($1, $2, $3) returning id`,
		company, name, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"@client.example").Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if _, err := tdb.Owner.Exec(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, $3, $3 || ' Street 1')`,
			company, id, s); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func TestClients_Create(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)

	res, body := admin.post("/clients/new", url.Values{"name": {"<b>Bold</b> Café"}, "email": {"not-an-email"},
		"site_name_0": {"Head office"}, "site_address_0": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Enter an email address like name@example.com.") ||
		!strings.Contains(body, "Enter the site&#39;s address.") ||
		!strings.Contains(body, `value="&lt;b&gt;Bold&lt;/b&gt; Café"`) || !strings.Contains(body, `value="Head office"`) {
		t.Fatalf("bad input = %d; body %.3000s", res.StatusCode, body)
	}
	res, body = admin.post("/clients/new", url.Values{"name": {"Bold"}, "site_name_0": {"A"}, "site_address_0": {"1 Road"},
		"site_name_1": {""}, "site_address_1": {""}, "add_site": {"1"}})
	if res.StatusCode != 200 || strings.Count(body, `name="site_name_`) != 3 {
		t.Errorf("Add another site: %d with %d site rows, want 3", res.StatusCode, strings.Count(body, `name="site_name_`))
	}

	res, _ = admin.post("/clients/new", url.Values{"name": {"<b>Bold</b> Café"}, "email": {"ops@bold.example"}, "phone": {"+64 9 555 0101"},
		"site_name_0": {"Head office"}, "site_address_0": {"1 Queen St"},
		"site_name_1": {"Warehouse 2"}, "site_address_1": {"22 Dock Rd"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", res.StatusCode)
	}
	_, body = admin.get(res.Header.Get("Location"))
	for _, want := range []string{"&lt;b&gt;Bold&lt;/b&gt; Café", "Client saved.", "Head office", "1 Queen St", "Warehouse 2", "22 Dock Rd", "ops@bold.example"} {
		if !strings.Contains(body, want) {
			t.Errorf("record lacks %q", want)
		}
	}
}

func TestClients_ListSearchAndBadInput(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	for i := range 60 {
		seedClient(t, tdb, acme, fmt.Sprintf("Client %02d", i))
	}
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, body := admin.get("/clients")
	if n := strings.Count(body, `name="ids"`); n != 50 || !strings.Contains(body, "Next →") {
		t.Fatalf("first page: %d rows, want 50 and a Next link", n)
	}
	_, body = admin.get("/clients?q=client+05")
	if n := strings.Count(body, `name="ids"`); n != 1 {
		t.Errorf("search: %d rows", n)
	}
	res, body := admin.get("/clients?q=" + strings.Repeat("x", 10000))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Search with at most 200 characters.") {
		t.Errorf("10,000-character search = %d", res.StatusCode)
	}
	for _, q := range []string{"after=abc", "after=-1", "before=99999999", "q=%25_%5C"} {
		if res, _ := admin.get("/clients?" + q); res.StatusCode != 200 {
			t.Errorf("/clients?%s = %d", q, res.StatusCode)
		}
	}
}

func TestClients_CoworkerSeesAssignedOnly(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	mine, other := seedClient(t, tdb, acme, "Mine", "HQ"), seedClient(t, tdb, acme, "Other")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora", "password-123", identity.RoleCoWorker)
	coworker := newClient(t, ts)
	coworker.login("cora@acme.example", "password-123")

	if _, body := coworker.get("/clients"); !strings.Contains(body, "No clients are assigned to you yet") {
		t.Error("an unassigned co-worker sees clients")
	}
	if res, _ := admin.post(fmt.Sprintf("/clients/%d/coworkers", mine), url.Values{"membership_id": {fmt.Sprint(cora)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign = %d", res.StatusCode)
	}
	if _, body := coworker.get("/clients"); !strings.Contains(body, "Mine") || strings.Contains(body, "Other") {
		t.Errorf("co-worker's list: %.2000s", body)
	}
	for _, c := range []struct {
		method, path string
		form         url.Values
		want         int
	}{
		{"GET", fmt.Sprintf("/clients/%d", mine), nil, 200},
		{"GET", fmt.Sprintf("/clients/%d", other), nil, 404},
		{"GET", fmt.Sprintf("/clients/%d/edit", other), nil, 404},
		{"POST", fmt.Sprintf("/clients/%d/edit", other), url.Values{"name": {"Hacked"}}, 404},
		{"POST", fmt.Sprintf("/clients/%d/sites", other), url.Values{"site_name": {"X"}, "site_address": {"Y"}}, 404},
		{"GET", "/clients/new", nil, 404},
		{"POST", fmt.Sprintf("/clients/%d/coworkers", other), url.Values{"membership_id": {fmt.Sprint(cora)}}, 404},
		{"GET", "/staff", nil, 404},
	} {
		var res *http.Response
		if c.method == "GET" {
			res, _ = coworker.get(c.path)
		} else {
			res, _ = coworker.post(c.path, c.form)
		}
		if res.StatusCode != c.want {
			t.Errorf("co-worker %s %s = %d, want %d", c.method, c.path, res.StatusCode, c.want)
		}
	}
	// The export leaves out what the co-worker may not see.
	_, csv := coworker.post("/clients/export", url.Values{"ids": {fmt.Sprint(mine), fmt.Sprint(other)}})
	if !strings.Contains(csv, "Mine") || strings.Contains(csv, "Other") {
		t.Errorf("co-worker's export: %q", csv)
	}
}

func TestClients_Export(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	a, b := seedClient(t, tdb, acme, "Alpha"), seedClient(t, tdb, acme, "=HYPERLINK(1)")
	seedClient(t, tdb, acme, "Gamma")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	res, body := admin.post("/clients/export", url.Values{"ids": {fmt.Sprint(a), fmt.Sprint(b)}})
	if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(body, "Alpha,alpha@client.example") ||
		!strings.Contains(body, "'=HYPERLINK(1)") || strings.Contains(body, "Gamma") {
		t.Errorf("export: %s\n%s", res.Header.Get("Content-Type"), body)
	}
	if res, _ := admin.post("/clients/export", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("export of nothing = %d, want a redirect with a notice", res.StatusCode)
	}
}
