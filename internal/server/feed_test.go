package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// A person's private calendar feed: made (and reset) from the calendar page, shown once; fetched without a session
// by a calendar app, it is valid iCalendar — parsed back here — holding their visits and the reminders on their
// calendar and nobody else's; a reset link, a made-up one and one of a deactivated person are 404.
func TestCalendarFeed(t *testing.T) {
	tdb := dbtest.New(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View")
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Sparks", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`, acme, harbour, cora, sam)
	job := seedJob(t, tdb, acme, harbour, "Harbour roof")
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Truncate(time.Hour)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4, $5), ($1, $2, $6, $4, $5)`,
		acme, job, cora, tomorrow, tomorrow.Add(2*time.Hour), sam)
	tdb.Owner.Exec(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at, membership_id) values
		($1, 'call', 'Ring the caretaker', $2, $3, $4), ($1, 'reminder', 'Sam''s dentist', $2, $3, $5)`, acme, tomorrow, tomorrow.Add(time.Hour), cora, sam)
	c := newClient(t, ts)
	c.login("cora@acme.example", "password-123")
	if _, body := c.get("/calendar"); !strings.Contains(body, "Make my calendar link") {
		t.Fatal("no way to make a feed link")
	}
	link := regexp.MustCompile(`http://example\.test(/calendar/feed/[A-Za-z0-9_-]{43}\.ics)`)
	newLink := func() string {
		res, body := c.post("/calendar/feed", nil)
		m := link.FindStringSubmatch(body)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("make a link = %d: %.1500s", res.StatusCode, body)
		}
		return m[1]
	}
	first := newLink()
	fetch := func(path string) (*http.Response, string) {
		res, err := http.Get(ts.URL + path) // a calendar app: no cookie
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := fetch(first)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("the feed = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Error("the feed's lines do not all end in CRLF (RFC 5545)")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	var summaries []string
	for _, e := range cal.Events() {
		summaries = append(summaries, e.GetProperty(ics.ComponentPropertySummary).Value)
		if start, err := e.GetStartAt(); err != nil || !start.Equal(tomorrow) {
			t.Errorf("%s starts %v (%v), want %v", e.Id(), start, err, tomorrow)
		}
	}
	if got := strings.Join(summaries, " | "); got != "J-1001 Harbour roof | Call reminder: Ring the caretaker" {
		t.Errorf("Cora's feed: %q", got)
	}
	if _, body := c.get("/calendar"); !strings.Contains(body, "Reset link") {
		t.Error("no Reset link once made")
	}
	second := newLink()
	if res, _ := fetch(first); res.StatusCode != 404 {
		t.Errorf("the reset link = %d, want 404", res.StatusCode)
	}
	if res, _ := fetch(second); res.StatusCode != 200 {
		t.Errorf("the new link = %d", res.StatusCode)
	}
	if res, _ := fetch("/calendar/feed/" + strings.Repeat("A", 43) + ".ics"); res.StatusCode != 404 {
		t.Errorf("a made-up link = %d", res.StatusCode)
	}
	tdb.Owner.Exec(ctx, `update memberships set active = false where id = $1`, cora)
	if res, _ := fetch(second); res.StatusCode != 404 {
		t.Errorf("a deactivated person's link = %d", res.StatusCode)
	}
}
