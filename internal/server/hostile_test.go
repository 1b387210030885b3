package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// TestHostileForms walks every route of routes.go (so a new route is covered without editing this test) as each
// role and as a visitor, and sends what a fuzzer or a careless client would: every form field empty, very long, with
// NUL and control characters, of the wrong type, negative, huge, repeated, holding unknown ids and another
// company's ids; the route's own ids replaced by unknown, malformed and other companies' ids; a malformed
// multipart body. No answer may be a 5xx, and a refused post (4xx) must change no row of the database.
func TestHostileForms(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	w := seedWorld(t, s, tdb, ts)
	fields := formFields(t)
	routes := walkRoutes(t, s)
	fingerprint := tableFingerprint(t, tdb.Owner)
	before := fingerprint()
	tdb.Owner.Exec(context.Background(), `update jobs set title = title || '.' where id = $1`, w.acme.job)
	if fingerprint() == before {
		t.Fatal("the fingerprint does not see a changed row")
	}

	values := []struct{ label, value string }{
		{"empty", ""},
		{"long", strings.Repeat("Ω long value ", 300)}, // 4,000 characters in every field, the form within the body limit
		{"NUL and controls", "a\x00b\x01c\x1b[31m"},
		{"invalid UTF-8", "\xff\xfe"},
		{"text-direction control", "abc\u202edef"},
		{"word for a number", "seven"},
		{"negative", "-1"},
		{"huge", "99999999999999999999999999999"},
		{"not a number", "NaN"},
		{"bad date", "2026-02-31"},
		{"bad time", "25:99"},
		{"markup", `<script>alert(1)</script>'"; drop table jobs; --`},
		{"unknown id", "987654321"},
		{"another company's id", fmt.Sprint(w.bolt.client)},
		{"another company's job", fmt.Sprint(w.bolt.job)},
	}
	checked, refused := 0, 0
	for _, who := range w.roles {
		for _, rt := range routes {
			if skipHostile[rt.method+" "+rt.pattern] {
				continue
			}
			var tries []hostileTry
			for _, v := range values {
				tries = append(tries, hostileTry{v.label, rt.fill(w.acme, ""), formOf(fields, v.value, ""), ""})
			}
			tries = append(tries, hostileTry{"repeated fields", rt.fill(w.acme, ""), formOf(fields, "1", "seven"), ""},
				hostileTry{"over the body limit", rt.fill(w.acme, ""), formOf(fields[:1], strings.Repeat("x", maxFormBody+1), ""), ""})
			for _, id := range []string{"987654321", "0", "-5", "abc", "99999999999999999999", "%00"} {
				tries = append(tries, hostileTry{"route id " + id, rt.fill(w.acme, id), formOf(fields, "1", ""), ""})
			}
			tries = append(tries, hostileTry{"another company's route ids", rt.fill(w.bolt, ""), formOf(fields, "1", ""), ""})
			if rt.method == "POST" {
				tries = append(tries,
					hostileTry{"malformed multipart", rt.fill(w.acme, ""), "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG", "multipart/form-data; boundary=xyz"},
					hostileTry{"multipart without a boundary", rt.fill(w.acme, ""), "file=1", "multipart/form-data"},
					hostileTry{"JSON", rt.fill(w.acme, ""), `{"title": 1}`, "application/json"})
			}
			for _, try := range tries {
				before := fingerprint()
				status := who.send(s, rt.method, try)
				checked++
				if status >= 500 {
					t.Errorf("%s: %s %s (%s) = %d", who.name, rt.method, rt.pattern, try.label, status)
				}
				if rt.method == "POST" && status >= 400 {
					refused++
					if after := fingerprint(); after != before {
						t.Errorf("%s: %s %s (%s) was refused with %d but changed rows: %s", who.name, rt.method, rt.pattern, try.label, status, diff(before, after))
					}
				}
			}
		}
	}
	t.Logf("%d requests over %d routes as %d roles; %d refused posts changed nothing", checked, len(routes), len(w.roles), refused)
}

// skipHostile are the routes the crawl leaves alone, each for a reason.
var skipHostile = map[string]bool{
	"POST /logout":     true, // it ends the role's session, whatever the form says: the rest of the crawl would be a visitor's
	"GET /static/*":    true,
	"GET /chat/stream": true, // it answers for as long as the page stays open; TestChat reads it
}

// hostileTry is one request of the crawl: a path, and a body (a POST) or query string (a GET).
type hostileTry struct {
	label, path, form, contentType string
}

// send makes the request as w and returns its status.
func (w hostileRole) send(s *Server, method string, try hostileTry) int {
	var r *http.Request
	if method == "GET" {
		r = httptest.NewRequest("GET", try.path+"?"+try.form, nil)
	} else {
		r = httptest.NewRequest("POST", try.path, strings.NewReader(try.form))
		r.Header.Set("Content-Type", cmpOr(try.contentType, "application/x-www-form-urlencoded"))
	}
	if w.signIn != nil {
		w.signIn(r)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	return rec.Code
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// formOf sets every field to value; with again, each field is sent twice, the second time with again.
func formOf(fields []string, value, again string) string {
	v := url.Values{}
	for _, f := range fields {
		v.Add(f, value)
		if again != "" {
			v.Add(f, again)
		}
	}
	return v.Encode()
}

// formFields are the names of every form field the app has: name="…" in the templates and the names the handlers
// read, so a new field joins the crawl by itself.
func formFields(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	patterns := map[string]*regexp.Regexp{
		"../../templates": regexp.MustCompile(`\bname="([a-z][a-z0-9_]*)"`),
		".":               regexp.MustCompile(`(?:FormValue|Form|Query\(\)\.Get)[(\[]"([a-z][a-z0-9_]*)"`),
	}
	for root, re := range patterns {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") ||
				(!strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".templ")) {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				name := m[1]
				if strings.HasSuffix(name, "_") { // numbered rows: site_name_0, site_name_1 …
					name += "0"
				}
				seen[name] = true
			}
			return nil
		})
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range seen {
			if !yield(n) {
				return
			}
		}
	})
	if len(names) < 30 {
		t.Fatalf("found only %d form fields: %v", len(names), names)
	}
	return names
}

// hostileRoute is one route of the router: its method and pattern.
type hostileRoute struct{ method, pattern string }

// walkRoutes lists the router's routes, as routes.go declares them.
func walkRoutes(t *testing.T, s *Server) []hostileRoute {
	t.Helper()
	var out []hostileRoute
	err := chi.Walk(s.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, hostileRoute{method, route})
		return nil
	})
	if err != nil || len(out) < 50 {
		t.Fatalf("walk the routes: %v (%d routes)", err, len(out))
	}
	return out
}

var routeParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// fill puts ids of c into the route's parameters; a non-empty id replaces them all.
func (rt hostileRoute) fill(c hostileCompany, id string) string {
	return routeParam.ReplaceAllStringFunc(rt.pattern, func(param string) string {
		if id != "" {
			return id
		}
		name := param[1 : len(param)-1]
		switch {
		case name == "token":
			return "not-a-real-token"
		case name == "id" && strings.HasPrefix(rt.pattern, "/clients/"):
			return fmt.Sprint(c.client)
		case name == "id" && strings.HasPrefix(rt.pattern, "/tasks/"):
			return fmt.Sprint(c.task)
		case name == "id" && strings.HasPrefix(rt.pattern, "/staff/groups/"):
			return fmt.Sprint(c.group)
		case name == "id" && strings.HasPrefix(rt.pattern, "/staff/invitations/"):
			return fmt.Sprint(c.invitation)
		case name == "id" && strings.HasPrefix(rt.pattern, "/staff/"):
			return fmt.Sprint(c.coworker)
		case name == "id" && strings.HasPrefix(rt.pattern, "/outbox/"):
			return fmt.Sprint(c.email)
		case name == "id":
			return fmt.Sprint(c.job)
		case name == "fileID" && strings.HasPrefix(rt.pattern, "/clients/"):
			return fmt.Sprint(c.siteFile)
		case name == "fileID" && strings.HasPrefix(rt.pattern, "/tasks/"):
			return fmt.Sprint(c.taskFile)
		case name == "membershipID" && strings.Contains(rt.pattern, "/portal-users/"):
			return fmt.Sprint(c.clientUser)
		}
		return fmt.Sprint(map[string]int64{"siteID": c.site, "fileID": c.file, "visitID": c.visit, "lineID": c.line,
			"linkID": c.link, "membershipID": c.coworker}[name])
	})
}

// hostileCompany is one company's rows, one of each kind a route takes the id of.
type hostileCompany struct {
	id, client, site, job, visit, line, file, siteFile, link, coworker, clientUser, invitation, email, group, task, taskFile int64
}

type hostileRole struct {
	name   string
	signIn func(*http.Request) // nil: a visitor
}

// hostileWorld is Acme, whose people crawl, with one of everything, and Bolt, whose ids they try.
type hostileWorld struct {
	acme, bolt hostileCompany
	roles      []hostileRole
}

func seedWorld(t *testing.T, s *Server, tdb *dbtest.TestDB, ts *httptest.Server) hostileWorld {
	t.Helper()
	var w hostileWorld
	var coworker *client
	for i, name := range []string{"Acme", "Bolt"} {
		ctx := context.Background()
		c := hostileCompany{id: tdb.CreateCompany(t, name)}
		lower := strings.ToLower(name)
		c.client = seedClient(t, tdb, c.id, name+" Client", "HQ")
		tdb.Owner.QueryRow(ctx, `select id from sites where client_id = $1`, c.client).Scan(&c.site)
		_, c.coworker = seedPerson(t, s, tdb, c.id, "cora@"+lower+".example", "Cora", "password-123", identity.RoleCoWorker)
		tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, c.id, c.client, c.coworker)
		tdb.Owner.QueryRow(ctx, `insert into invitations (company_id, email, role, token_hash, expires_at)
			values ($1, 'new@'||$2||'.example', 'co-worker', sha256($2::bytea), now() + interval '7 days') returning id`, c.id, lower).Scan(&c.invitation)
		c.job = seedJob(t, tdb, c.id, c.client, name+" job")
		tdb.Owner.QueryRow(ctx, `insert into visits (company_id, job_id) values ($1, $2) returning id`, c.id, c.job).Scan(&c.visit)
		tdb.Owner.QueryRow(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli) values ($1, $2, 'x', 1000) returning id`, c.id, c.job).Scan(&c.line)
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size, has_thumbnail) values ($1, $2, 'a.png', 'image/png', 1, true) returning id`, c.id, c.job).Scan(&c.file)
		tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x'), ($1, $2, 'thumbnail', 'x')`, c.id, c.file)
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, site_id, name, content_type, size) values ($1, $2, 'b.pdf', 'application/pdf', 1) returning id`, c.id, c.site).Scan(&c.siteFile)
		tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, c.id, c.siteFile)
		tdb.Owner.QueryRow(ctx, `insert into share_links (company_id, job_id, token_hash, recipient) values ($1, $2, sha256($3::bytea), 'a@client.example') returning id`, c.id, c.job, "link-"+lower).Scan(&c.link)
		c.email = queueEmails(t, tdb, c.id, 1, func(int) string { return "a@client.example" })[0]
		tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Crew', $2) returning id`, c.id, c.client).Scan(&c.group)
		tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id) values ($1, 'Lights', $2, $3) returning id`, c.id, c.client, c.coworker).Scan(&c.task)
		tdb.Owner.Exec(ctx, `insert into task_people (company_id, task_id, membership_id) values ($1, $2, $3)`, c.id, c.task, c.coworker)
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, task_id, name, content_type, size) values ($1, $2, 'c.txt', 'text/plain; charset=utf-8', 1) returning id`, c.id, c.task).Scan(&c.taskFile)
		tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'x')`, c.id, c.taskFile)
		var portal *client
		portal, c.clientUser = seedClientUser(t, s, tdb, ts, c.id, c.client, "fran@"+lower+".example", identity.Permissions{AddEdit: true, ViewMessages: true, ViewPrices: true})
		if i == 0 {
			w.acme = c
			coworker = newClient(t, ts)
			coworker.login("cora@acme.example", "password-123")
			// Least powerful first: the admin, who may deactivate the co-worker, crawls last.
			w.roles = []hostileRole{{name: "visitor"}, {"client user", portal.asCookies()},
				{"subcontractor", signedIn(t, s, tdb, ts, c.id, identity.RoleSubcontractor).asCookies()},
				{"co-worker", coworker.asCookies()}, {"admin", signedIn(t, s, tdb, ts, c.id, identity.RoleAdmin).asCookies()}}
		} else {
			w.bolt = c
		}
	}
	return w
}

// tableFingerprint returns a function that counts and sums the rows of every table but sessions (a visit may
// refresh one), so two calls differ when any row was added, removed or changed.
func tableFingerprint(t *testing.T, owner *pgxpool.Pool) func() string {
	t.Helper()
	ctx := context.Background()
	rows, _ := owner.Query(ctx, `select table_name from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('sessions', 'goose_db_version') order by 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 10 {
		t.Fatalf("list tables: %v %v", err, tables)
	}
	var parts []string
	for _, name := range tables {
		parts = append(parts, fmt.Sprintf(`select '%[1]s' || ':' || count(*) || ':' || coalesce(sum(hashtext(x::text)), 0) from %[1]s x`, name))
	}
	query := `select string_agg(f, ' ') from (` + strings.Join(parts, " union all ") + `) t(f)`
	return func() string {
		var f string
		if err := owner.QueryRow(ctx, query).Scan(&f); err != nil {
			t.Fatalf("fingerprint: %v", err)
		}
		return f
	}
}

// diff names the tables whose counts or sums differ between two fingerprints.
func diff(before, after string) string {
	a := strings.Fields(after)
	var changed []string
	for i, f := range strings.Fields(before) {
		if i < len(a) && a[i] != f {
			changed = append(changed, f+" → "+a[i])
		}
	}
	return strings.Join(changed, ", ")
}
