package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// Today in a browser, for an admin, a co-worker and a client user: each sees their own day (a co-worker only their
// clients' visits, a client user only their jobs); a bar of the workflow leads to its view of the job list with the
// same count; axe finds nothing serious on any of the three.
func TestBrowser_Today(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set time_zone = 'UTC' where id = $1`, acme)
	harbour, bay := seedClient(t, tdb, acme, "Harbour View", "Block A"), seedClient(t, tdb, acme, "Bay Rentals", "Unit 1")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{ViewMessages: true})
	lobby, roof := seedJob(t, tdb, acme, harbour, "Lobby rewiring"), seedJob(t, tdb, acme, bay, "Roof leak")
	for _, title := range []string{"Gutter clean", "Boiler service"} {
		j := seedJob(t, tdb, acme, bay, title)
		tdb.Owner.Exec(ctx, `update jobs set status = 'in-progress' where id = $1`, j)
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values
		($1, $2, $4, $5::timestamptz + interval '9 hours', $5::timestamptz + interval '11 hours'),
		($1, $3, null, $5::timestamptz + interval '13 hours', $5::timestamptz + interval '14 hours'),
		($1, $2, $4, $5::timestamptz + interval '33 hours', $5::timestamptz + interval '35 hours')`, acme, lobby, roof, cora, day)
	tdb.Owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body, visible_to_client) values ($1, $2, 'Ann', 'We start at nine', true)`, acme, lobby)

	admin := newBrowser(t)
	var timeline, barCount, viewCount string
	var rows int
	err := chromedp.Run(admin,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Text(`.timeline-wide`, &timeline, chromedp.ByQuery),
		chromedp.Text(`//a[@href="/jobs?view=in-progress"]/span[@class="workflow-count"]`, &barCount),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(timeline, "Cora Coworker") || !strings.Contains(timeline, "Unassigned") || !strings.Contains(timeline, "Roof leak") {
		t.Errorf("the admin's timeline: %q", timeline)
	}
	if found := axeSerious(t, admin); len(found) > 0 {
		t.Errorf("axe on the admin's Today:\n%s", strings.Join(found, "\n"))
	}
	err = chromedp.Run(admin,
		chromedp.Click(`//a[@href="/jobs?view=in-progress"]`),
		chromedp.WaitVisible(`table.list`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('table.list tbody tr').length`, &rows),
		chromedp.Evaluate(`document.querySelector('select[name=view]').selectedOptions[0].textContent`, &viewCount),
	)
	if err != nil || barCount != "2" || rows != 2 || !strings.Contains(viewCount, "(2)") {
		t.Errorf("the In progress bar says %q; its view lists %d jobs and counts %q (%v)", barCount, rows, viewCount, err)
	}

	coraB := newBrowser(t)
	err = chromedp.Run(coraB, browserLogin(ts.URL, "cora@acme.example", "password-123"), chromedp.Text(`.timeline-wide`, &timeline, chromedp.ByQuery))
	if err != nil || !strings.Contains(timeline, "Lobby rewiring") || strings.Contains(timeline, "Roof leak") {
		t.Errorf("Cora's timeline: %q (%v); want her client's visit only", timeline, err)
	}
	if found := axeSerious(t, coraB); len(found) > 0 {
		t.Errorf("axe on the co-worker's Today:\n%s", strings.Join(found, "\n"))
	}

	fran := newBrowser(t)
	var open, messages string
	err = chromedp.Run(fran, browserLogin(ts.URL, "fran@harbour.example", "password-123"),
		chromedp.Text(`section[aria-labelledby=open-jobs]`, &open, chromedp.ByQuery),
		chromedp.Text(`section[aria-labelledby=messages]`, &messages, chromedp.ByQuery))
	if err != nil || !strings.Contains(open, "Lobby rewiring") || !strings.Contains(open, "Cora Coworker is coming") || strings.Contains(open, "Roof leak") ||
		!strings.Contains(messages, "We start at nine") {
		t.Errorf("Fran's Today: open %q, messages %q (%v)", open, messages, err)
	}
	if found := axeSerious(t, fran); len(found) > 0 {
		t.Errorf("axe on the client user's Today:\n%s", strings.Join(found, "\n"))
	}
}
