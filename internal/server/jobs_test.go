package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// seedJob adds a job for client as the owner and returns its id.
func seedJob(t testing.TB, tdb *dbtest.TestDB, company, client int64, title string) int64 {
	t.Helper()
	var id int64
	err := tdb.Owner.QueryRow(context.Background(), `
		with n as (insert into job_numbers (company_id, next_number) values ($1, 1001)
		           on conflict (company_id) do update set next_number = job_numbers.next_number + 1 returning next_number)
		insert into jobs (company_id, number, client_id, billing_client_id, title)
		select $1, n.next_number, $2, $2, $3 from n returning id`, company, client, title).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// upload posts a multipart form with one file.
func (c *client) upload(path, name string, data []byte, fields map[string]string) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r, _ := http.NewRequest("POST", c.base+path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(r)
}

func TestJobs_CreateAndTabs(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View", "Block A")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)

	if _, body := admin.get("/jobs/new"); !strings.Contains(body, "Harbour View") {
		t.Fatal("the client picker does not list the client")
	}
	res, body := admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {""}})
	if res.StatusCode != 422 || !strings.Contains(body, "Enter a title") || !strings.Contains(body, "Block A") {
		t.Fatalf("no title = %d", res.StatusCode)
	}
	res, _ = admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Fix <leak>"}, "address": {"9 Side St"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create = %d", res.StatusCode)
	}
	job := res.Header.Get("Location")
	if _, body := admin.get(job); !strings.Contains(body, "J-1001") || !strings.Contains(body, "Fix &lt;leak&gt;") || !strings.Contains(body, "9 Side St") {
		t.Errorf("job page: %.2000s", body)
	}
	for _, c := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/visits", url.Values{"start": {"2026-11-25T10:00"}, "end": {"2026-11-25T09:00"}}, "The visit must end after it starts."},
		{"/lines", url.Values{"description": {"Labour"}, "quantity": {"-2"}, "unit_price": {"10"}}, "Enter a quantity from 0 to 100,000"},
		{"/messages", url.Values{"body": {"  "}}, "Write the note first."},
		{"/recalls", url.Values{"recall": {"J-9999"}}, "There is no job J-9999."},
		{"/status", url.Values{"status": {"teleported"}}, "Choose a status from the list."},
	} {
		res, body := admin.post(job+c.path, c.form)
		if res.StatusCode != 422 || !strings.Contains(body, c.want) {
			t.Errorf("POST %s %v = %d, want 422 with %q", c.path, c.form, res.StatusCode, c.want)
		}
	}
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/visits", url.Values{"start": {"2026-11-25T09:00"}, "end": {"2026-11-25T11:00"}}},
		{"/lines", url.Values{"description": {"Labour"}, "quantity": {"2"}, "unit_cost": {"40"}, "unit_price": {"90"}}},
		{"/messages", url.Values{"body": {"Gate code 1234"}}},
		{"/status", url.Values{"status": {"in-progress"}}},
		{"/defer", nil},
	} {
		if res, _ := admin.post(job+step.path, step.form); res.StatusCode != http.StatusSeeOther {
			t.Errorf("POST %s = %d", step.path, res.StatusCode)
		}
	}
	for tab, want := range map[string]string{
		"visits":   "Wed 25 Nov 2026, 09:00–11:00",
		"lines":    "$180.00",
		"messages": "Gate code 1234",
		"history":  "Deferred (Defer commission) from In progress",
	} {
		if _, body := admin.get(job + "?tab=" + tab); !strings.Contains(body, want) {
			t.Errorf("tab %s lacks %q", tab, want)
		}
	}
	if _, body := admin.get(job + "?tab=lines"); !strings.Contains(body, "Margin") {
		t.Error("an admin does not see the margin")
	}
}

func TestJobs_Files(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View", "Block A")
	job := seedJob(t, tdb, acme, client, "Leak")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	path := fmt.Sprintf("/jobs/%d/files", job)

	res, body := admin.upload(path, "virus.exe", []byte("MZ..."), nil)
	if res.StatusCode != 422 || !strings.Contains(body, "Files of this type cannot be uploaded.") {
		t.Errorf(".exe = %d", res.StatusCode)
	}
	res, body = admin.upload(path, "photo.png", []byte("<html><script>alert(1)</script>"), nil)
	if res.StatusCode != 422 || !strings.Contains(body, "not a png file") {
		t.Errorf("fake png = %d", res.StatusCode)
	}
	res, body = admin.upload(path, "big.pdf", append([]byte("%PDF-"), make([]byte, 11<<20)...), nil)
	if res.StatusCode != 422 || !strings.Contains(body, "larger than 10 MB") {
		t.Errorf("11 MB = %d", res.StatusCode)
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from files`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d files stored from refused uploads", n)
	}
	if res, _ := admin.upload(path, "roof.png", pngOf(800, 600), map[string]string{"visible_to_client": "1"}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	if res, _ := admin.upload(path, "quote.pdf", []byte("%PDF-1.7 quote"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	var png, pdf int64
	tdb.Owner.QueryRow(context.Background(), `select id from files where name = 'roof.png'`).Scan(&png)
	tdb.Owner.QueryRow(context.Background(), `select id from files where name = 'quote.pdf'`).Scan(&pdf)
	_, page := admin.get(fmt.Sprintf("/jobs/%d?tab=files", job))
	if !strings.Contains(page, fmt.Sprintf("/files/%d/thumbnail", png)) || !strings.Contains(page, "client can see") {
		t.Error("the files tab does not show the thumbnail and the client flag")
	}
	res, body = admin.get(fmt.Sprintf("%s/%d", path, pdf))
	if res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || body != "%PDF-1.7 quote" {
		t.Errorf("pdf download: %v", res.Header)
	}
	res, _ = admin.get(fmt.Sprintf("%s/%d/thumbnail", path, png))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") {
		t.Errorf("thumbnail: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := admin.get(fmt.Sprintf("%s/%d/thumbnail", path, pdf)); res.StatusCode != 404 {
		t.Errorf("thumbnail of a pdf = %d", res.StatusCode)
	}
	// A file of one job is not reachable through another.
	other := seedJob(t, tdb, acme, client, "Other")
	if res, _ := admin.get(fmt.Sprintf("/jobs/%d/files/%d", other, pdf)); res.StatusCode != 404 {
		t.Errorf("file through another job = %d", res.StatusCode)
	}
	// Files on a site, from the client's record.
	var site int64
	tdb.Owner.QueryRow(context.Background(), `select id from sites where client_id = $1`, client).Scan(&site)
	sitePath := fmt.Sprintf("/clients/%d/sites/%d/files", client, site)
	if res, _ := admin.upload(sitePath, "plan.pdf", []byte("%PDF-1.4 plan"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("site upload = %d", res.StatusCode)
	}
	if res, body := admin.upload(sitePath, "plan.pdf", []byte("not a pdf"), nil); res.StatusCode != 422 || !strings.Contains(body, "not a pdf file") {
		t.Errorf("bad site upload = %d", res.StatusCode)
	}
	if _, body := admin.get(fmt.Sprintf("/clients/%d", client)); !strings.Contains(body, "plan.pdf") {
		t.Error("the record does not list the site's file")
	}
}

func TestJobs_CoworkerScope(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	mine, theirs := seedClient(t, tdb, acme, "Mine"), seedClient(t, tdb, acme, "Theirs")
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(context.Background(), `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, mine, cora)
	myJob, theirJob, visitJob := seedJob(t, tdb, acme, mine, "My job"), seedJob(t, tdb, acme, theirs, "Their job"), seedJob(t, tdb, acme, theirs, "Visit job")
	tdb.Owner.Exec(context.Background(), `insert into visits (company_id, job_id, assignee_id) values ($1, $2, $3)`, acme, visitJob, cora)
	c := newClient(t, ts)
	c.login("cora@acme.example", "password-123")

	_, list := c.get("/jobs")
	if !strings.Contains(list, "My job") || !strings.Contains(list, "Visit job") || strings.Contains(list, "Their job") {
		t.Errorf("co-worker's job list: %.3000s", list)
	}
	for path, want := range map[string]int{
		fmt.Sprintf("/jobs/%d", myJob): 200, fmt.Sprintf("/jobs/%d", visitJob): 200, fmt.Sprintf("/jobs/%d", theirJob): 404,
		fmt.Sprintf("/jobs/%d?tab=history", theirJob): 404, "/settings": 404,
	} {
		if res, _ := c.get(path); res.StatusCode != want {
			t.Errorf("co-worker GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}
	if res, _ := c.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(theirs)}, "title": {"Sneaky"}}); res.StatusCode != 404 {
		t.Errorf("co-worker creating a job for an unassigned client = %d", res.StatusCode)
	}
	if res, _ := c.post(fmt.Sprintf("/jobs/%d/lines", myJob), url.Values{"description": {"Part"}, "quantity": {"1"}, "unit_cost": {"50"}, "unit_price": {"80"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("co-worker adding a line = %d", res.StatusCode)
	}
	var cost int64
	tdb.Owner.QueryRow(context.Background(), `select unit_cost_cents from job_lines`).Scan(&cost)
	if _, body := c.get(fmt.Sprintf("/jobs/%d?tab=lines", myJob)); cost != 0 || strings.Contains(body, "Margin") || strings.Contains(body, "Unit cost") {
		t.Errorf("a co-worker set cost %d or sees costs", cost)
	}
}

// The job page is one Read however many visits and lines it has: three round trips in all — the session row
// (scs), the membership check, and the page's Read.
func TestJobs_PageIsOneRead(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	small, big := seedJob(t, tdb, acme, client, "Small"), seedJob(t, tdb, acme, client, "Big")
	ctx := context.Background()
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, starts_at, ends_at) values ($1, $2, now(), now() + interval '1 hour')`, acme, small)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli) values ($1, $2, 'x', 1000)`, acme, small)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, starts_at, ends_at)
		select $1, $2, now() + g * interval '1 day', now() + g * interval '1 day' + interval '1 hour' from generate_series(1, 20) g`, acme, big)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli) select $1, $2, 'line ' || g, 1000 from generate_series(1, 50) g`, acme, big)

	for _, tab := range []string{"details", "visits", "lines", "files", "messages", "history"} {
		cost := func(job int64) int {
			path := fmt.Sprintf("/jobs/%d?tab=%s", job, tab)
			admin.get(path) // warm up: statements are prepared once per connection
			rt.Take()
			if res, _ := admin.get(path); res.StatusCode != 200 {
				t.Fatalf("GET %s = %d", path, res.StatusCode)
			}
			return rt.Take()
		}
		if a, b := cost(small), cost(big); a != 3 || b != 3 {
			t.Errorf("tab %s: %d round trips with 1 visit and line, %d with 20 visits and 50 lines; want 3 (session, membership, page)", tab, a, b)
		}
	}
}

func TestSettings(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	res, body := admin.post("/settings", url.Values{"name": {"Acme"}, "time_zone": {"Mars/Olympus"}, "currency": {"dollars"}})
	if res.StatusCode != 422 || !strings.Contains(body, "Choose a time zone from the list") || !strings.Contains(body, "three-letter currency code") ||
		!strings.Contains(body, `value="Mars/Olympus"`) {
		t.Errorf("bad settings = %d", res.StatusCode)
	}
	if res, _ := admin.post("/settings", url.Values{"name": {"Acme Ltd"}, "time_zone": {"Pacific/Auckland"}, "currency": {"nzd"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", res.StatusCode)
	}
	var tz, cur string
	tdb.Owner.QueryRow(context.Background(), `select time_zone, currency from companies where id = $1`, acme).Scan(&tz, &cur)
	if tz != "Pacific/Auckland" || cur != "NZD" {
		t.Errorf("saved %s %s", tz, cur)
	}
	// What invoices need: refused in words when unreadable, the rest kept; saved, read back as typed.
	form := url.Values{"name": {"Acme Ltd"}, "time_zone": {"Pacific/Auckland"}, "currency": {"NZD"}, "address": {"1 Queen St\nAuckland"},
		"tax_number": {"123-456-789"}, "tax_name": {"GST"}, "tax_rate": {"fifteen"}, "terms_days": {"400"}, "paper": {"Letter"}}
	if res, body := admin.post("/settings", form); res.StatusCode != 422 || !strings.Contains(body, "Enter a percentage from 0 to 100") ||
		!strings.Contains(body, "from 0 (due on issue) to 365") || !strings.Contains(body, `value="123-456-789"`) {
		t.Errorf("bad billing settings = %d", res.StatusCode)
	}
	form.Set("tax_rate", "12.5 %")
	form.Set("terms_days", "14")
	if res, _ := admin.post("/settings", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving billing settings = %d", res.StatusCode)
	}
	if _, body := admin.get("/settings"); !strings.Contains(body, `value="12.5"`) || !strings.Contains(body, `value="14"`) ||
		!strings.Contains(body, `<option value="Letter" selected`) {
		t.Errorf("the saved billing settings do not read back: %.4000s", body)
	}
	// The logo: a text file is refused in words; a PNG is kept, shown, and drawn on the next invoice.
	if res, body := admin.upload("/settings/logo", "logo.png", []byte("not an image at all"), nil); res.StatusCode != 422 || !strings.Contains(body, "That is not a PNG or JPEG image.") {
		t.Errorf("a logo that is no image = %d", res.StatusCode)
	}
	if res, body := admin.upload("/settings/logo", "big.png", bytes.Repeat([]byte{1}, 600<<10), nil); res.StatusCode != 422 || !strings.Contains(body, "larger than 512 KB") {
		t.Errorf("a logo too large = %d", res.StatusCode)
	}
	if res, _ := admin.upload("/settings/logo", "logo.png", pngOf(200, 60), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("uploading the logo = %d", res.StatusCode)
	}
	if res, body := admin.get("/settings/logo"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("the logo = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	client := seedClient(t, tdb, acme, "Harbour View")
	job := seedJob(t, tdb, acme, client, "Leaking tap")
	tdb.Owner.Exec(context.Background(), `insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents) values ($1, $2, 'Labour', 1000, 5000)`, acme, job)
	admin.post(fmt.Sprintf("/jobs/%d/invoice", job), nil)
	if _, pdf := admin.get(fmt.Sprintf("/jobs/%d/invoice/pdf", job)); !strings.Contains(pdf, "/Subtype /Image") {
		t.Error("the invoice issued after the logo does not draw it")
	}
	if res, _ := admin.post("/settings/logo/remove", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("removing the logo = %d", res.StatusCode)
	}
	if res, _ := admin.get("/settings/logo"); res.StatusCode != 404 {
		t.Errorf("the removed logo = %d", res.StatusCode)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// pngOf is a real PNG of w×h pixels.
func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.RGBA{200, 0, 0, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// TestJobs_CountsCacheSeesOwnChanges: with the view counts kept in memory, a change made through this instance
// shows in the counts at the next page — a new job, a deferral.
func TestJobs_CountsCacheSeesOwnChanges(t *testing.T) {
	_, tdb, logs := newTestServer(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2, CountsCacheTTL: time.Minute}, tdb.DB, slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	countOf := func(label string) string {
		_, body := admin.get("/jobs")
		i := strings.Index(body, label+" (")
		if i < 0 {
			t.Fatalf("no %q in the views", label)
		}
		rest := body[i+len(label)+2:]
		return rest[:strings.IndexByte(rest, ')')]
	}
	if n := countOf("All jobs"); n != "0" {
		t.Fatalf("All jobs (%s), want 0", n)
	}
	res, _ := admin.post("/jobs/new", url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Leak"}, "address": {"1 St"}})
	if n := countOf("All jobs"); n != "1" {
		t.Errorf("after creating a job here: All jobs (%s), want 1", n)
	}
	admin.post(res.Header.Get("Location")+"/defer", nil)
	if n := countOf("Deferred"); n != "1" {
		t.Errorf("after deferring it here: Deferred (%s), want 1", n)
	}
}
