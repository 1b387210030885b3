package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

var shareLink = regexp.MustCompile(`http://example\.test(/share/[A-Za-z0-9_-]{43})`)

// shareLinks are the dashboard paths in the emails queued for to, oldest first (read before the worker redacts).
func shareLinks(t testing.TB, tdb *dbtest.TestDB, to string) []string {
	return queuedLinks(t, tdb, to, "", shareLink)
}

// queuedLinks are the paths link finds (its first group) in the emails queued for to — of kind, or of any kind
// when kind is "" — oldest first, read before the worker redacts them.
func queuedLinks(t testing.TB, tdb *dbtest.TestDB, to, kind string, link *regexp.Regexp) []string {
	t.Helper()
	rows, err := tdb.Owner.Query(context.Background(), `
		select text_body from outbox_emails where $1 = any(recipients) and ($2 = '' or kind = $2) order by id`, to, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var paths []string
	for rows.Next() {
		var body string
		rows.Scan(&body)
		if m := link.FindStringSubmatch(body); m != nil {
			paths = append(paths, m[1])
		}
	}
	return paths
}

func TestShare_Dashboard(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme & Sons")
	client := seedClient(t, tdb, acme, "Harbour View", "Block A")
	tdb.Owner.Exec(ctx, `update clients set job_share = true where id = $1`, client)
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)

	res, _ := admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Leaking roof"}, "address": {"9 Side St"}})
	job := res.Header.Get("Location")
	links := shareLinks(t, tdb, "harbour.view@client.example")
	if len(links) != 1 {
		t.Fatalf("the new job emailed %d links, want 1", len(links))
	}
	link := links[0]
	if _, body := admin.get(job + "?tab=history"); !strings.Contains(body, "Job Share link emailed to harbour.view@client.example") {
		t.Error("History does not say the link was emailed")
	}
	admin.post(job+"/visits", url.Values{})
	admin.post(job+"/lines", url.Values{"description": {"Labour"}, "quantity": {"2"}, "unit_cost": {"41"}, "unit_price": {"97.35"}})
	admin.post(job+"/messages", url.Values{"body": {"Secret gate code 9911"}})
	admin.post(job+"/messages", url.Values{"body": {"We will call before arriving"}, "visible_to_client": {"1"}})
	admin.upload(job+"/files", "roof-photo.png", pngOf(20, 20), map[string]string{"visible_to_client": "1"})
	admin.upload(job+"/files", "internal-quote.pdf", []byte("%PDF-1.4 internal"), nil)

	visitor := newClient(t, ts)
	res, body := visitor.get(link)
	if res.StatusCode != 200 {
		t.Fatalf("dashboard = %d", res.StatusCode)
	}
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Error("the dashboard set a cookie")
	}
	for _, want := range []string{"Acme &amp; Sons", "Harbour View", "Leaking roof", "9 Side St", "Open dispatch", "Unscheduled", "Unassigned",
		"We will call before arriving", "roof-photo.png"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	for _, never := range []string{"97.35", "41.00", "$", "Secret gate code", "internal-quote.pdf", "Log in", "/jobs/"} {
		if strings.Contains(body, never) {
			t.Errorf("the dashboard shows %q", never)
		}
	}
	// Live: a visit booked and assigned shows at the next open.
	admin.post(job+"/visits", url.Values{"assignee_id": {fmt.Sprint(cora)}, "start": {"2026-12-01T09:00"}, "end": {"2026-12-01T10:00"}})
	if _, body := visitor.get(link); !strings.Contains(body, "Cora Coworker") || !strings.Contains(body, "Tuesday 1 December 2026, 09:00–10:00") {
		t.Error("the dashboard does not show the visit assigned since")
	}
	// Files: only those marked for the client.
	var shown, hidden int64
	tdb.Owner.QueryRow(ctx, `select id from files where name = 'roof-photo.png'`).Scan(&shown)
	tdb.Owner.QueryRow(ctx, `select id from files where name = 'internal-quote.pdf'`).Scan(&hidden)
	if res, _ := visitor.get(fmt.Sprintf("%s/files/%d", link, shown)); res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a file marked for the client = %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res, _ := visitor.get(fmt.Sprintf("%s/files/%d", link, hidden)); res.StatusCode != 404 {
		t.Errorf("an internal file through the dashboard = %d", res.StatusCode)
	}
	if _, body := admin.get(job + "?tab=history"); !regexp.MustCompile(`<td class="num">2</td>`).MatchString(body) {
		t.Error("History does not count the two opens")
	}

	// A subcontractor on the job may not send or revoke links.
	_, sub := seedPerson(t, s, tdb, acme, "sub@trades.example", "Sam Sub", "password-123", identity.RoleSubcontractor)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id) select $1, id, $2 from jobs where title = 'Leaking roof'`, acme, sub)
	subc := newClient(t, ts)
	subc.login("sub@trades.example", "password-123")
	if res, _ := subc.get(job); res.StatusCode != 200 {
		t.Errorf("the subcontractor's own job = %d", res.StatusCode)
	}
	if res, _ := subc.get(job + "/email"); res.StatusCode != 404 {
		t.Errorf("a subcontractor opening Send Email = %d, want 404", res.StatusCode)
	}
	if res, _ := subc.post(job+"/share-links/revoke", nil); res.StatusCode != 404 {
		t.Errorf("a subcontractor revoking links = %d, want 404", res.StatusCode)
	}

	// Revoked and made-up links get the same 404.
	var linkID int64
	tdb.Owner.QueryRow(ctx, `select id from share_links`).Scan(&linkID)
	if res, _ := admin.post(fmt.Sprintf("%s/share-links/%d/revoke", job, linkID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke = %d", res.StatusCode)
	}
	_, revoked := visitor.get(link)
	res, madeUp := visitor.get("/share/" + strings.Repeat("A", 43))
	_, malformed := visitor.get("/share/nope")
	if res.StatusCode != 404 || revoked != madeUp || malformed != madeUp {
		t.Errorf("revoked, made-up and malformed links differ (made-up = %d)", res.StatusCode)
	}
}

func TestShare_ExpiredAndRateLimit(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	tdb.Owner.Exec(ctx, `update clients set job_share = true where id = $1`, client)
	tdb.Owner.Exec(ctx, `update companies set share_link_days = 30 where id = $1`, acme)
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Secret project"}})
	admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Second"}})
	links := shareLinks(t, tdb, "harbour.view@client.example")
	var days int
	tdb.Owner.QueryRow(ctx, `select extract(day from expires_at - sent_at)::int from share_links limit 1`).Scan(&days)
	if days != 30 {
		t.Errorf("a link expires after %d days, want 30", days)
	}
	tdb.Owner.Exec(ctx, `update share_links set expires_at = now() - interval '1 minute' where id = (select min(id) from share_links)`)
	visitor := newClient(t, ts)
	res, body := visitor.get(links[0])
	if res.StatusCode != http.StatusGone || !strings.Contains(body, "This link has expired") || !strings.Contains(body, "Ask Acme for a new one.") ||
		strings.Contains(body, "Secret project") {
		t.Errorf("expired link = %d: %.1000s", res.StatusCode, body)
	}
	// Failed lookups from one IP are limited; a valid link is never throttled.
	limited := false
	for range 40 {
		if res, _ := visitor.get("/share/" + strings.Repeat("B", 43)); res.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("40 failed lookups were never answered 429")
	}
	if res, _ := visitor.get(links[1]); res.StatusCode != 200 {
		t.Errorf("a valid link from a limited IP = %d", res.StatusCode)
	}
	// Settings: link lifetime validated in words.
	if res, body := admin.post("/settings", url.Values{"name": {"Acme"}, "time_zone": {"UTC"}, "currency": {"NZD"}, "share_link_days": {"forever"}}); res.StatusCode != 422 ||
		!strings.Contains(body, "Enter a number of days from 1 to 3650") {
		t.Errorf("bad link lifetime = %d", res.StatusCode)
	}
}

// BenchmarkShareDashboard measures GET /share/{token}: the lookup (recording the open) and one Read.
func BenchmarkShareDashboard(b *testing.B) {
	tdb := dbtest.New(b)
	ctx := context.Background()
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, discardLog())
	b.Cleanup(s.Close)
	acme := tdb.CreateCompany(b, "Acme")
	client := seedClient(b, tdb, acme, "Harbour View", "Block A")
	job := seedJob(b, tdb, acme, client, "Leaking roof")
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, starts_at, ends_at)
		select $1, $2, now() + g * interval '1 day', now() + g * interval '1 day' + interval '2 hours' from generate_series(1, 5) g`, acme, job)
	raw := "benchmarktokenbenchmarktokenbenchmarktoken"
	tdb.Owner.Exec(ctx, `insert into share_links (company_id, job_id, token_hash, recipient) values ($1, $2, sha256($3::bytea), 'a@b.example')`, acme, job, raw)
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/share/"+raw, nil))
		if w.Code != 200 {
			b.Fatalf("dashboard = %d", w.Code)
		}
	}
}
