package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// A client user with Add and edit jobs asks for a visit in the portal: a day, a window and Cora — the co-worker
// the company lets Harbour View's people pick. A forged request naming Sam, whom the form does not offer, is a 403.
// The office finds the visit marked Requested with the window and who asked, schedules it from a form filled with
// that window, and the portal then shows the time. Both pages pass axe.
func TestBrowser_PortalVisitRequest(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Sparks", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	tdb.Owner.Exec(ctx, `update companies set portal_staff_pick = 'assigned' where id = $1`, acme)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{AddEdit: true})
	job := seedJob(t, tdb, acme, harbour, "Leaking roof")
	day := inDays(10)

	fran := newBrowser(t)
	var options, visitsCard, forged string
	err := chromedp.Run(fran,
		browserLogin(ts.URL, "fran@harbour.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/portal/jobs/%d", ts.URL, job)),
		chromedp.Text(`#request-visit select[name=assignee_id]`, &options, chromedp.ByQuery),
		chromedp.SetValue(`#request-visit input[name=date]`, day, chromedp.ByQuery),
		chromedp.SetValue(`#request-visit input[name=from]`, "09:00", chromedp.ByQuery),
		chromedp.SetValue(`#request-visit input[name=to]`, "12:00", chromedp.ByQuery),
		chromedp.SetValue(`#request-visit select[name=assignee_id]`, fmt.Sprint(cora), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Request visit"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Visit requested")]`),
		chromedp.Text(`//h2[text()="Visits"]/..`, &visitsCard),
		chromedp.Evaluate(fmt.Sprintf(`fetch(location.pathname + '/visits', {method: 'POST', body: new URLSearchParams({date: '%s', assignee_id: '%d'})})
			.then(r => String(r.status))`, day, sam), &forged, awaited),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(options, "Cora Coworker") || strings.Contains(options, "Sam Sparks") {
		t.Errorf("whom Fran may pick: %q; want Cora and not Sam", options)
	}
	if !strings.Contains(visitsCard, dayOf(day)+", 09:00–12:00") || !strings.Contains(visitsCard, "Cora Coworker") ||
		!strings.Contains(visitsCard, "Requested · waiting for a time") {
		t.Errorf("the portal's visits after the request: %q", visitsCard)
	}
	if forged != "403" {
		t.Errorf("a forged request naming Sam = %s, want 403", forged)
	}
	if found := axeSerious(t, fran); len(found) > 0 {
		t.Errorf("axe on the portal's job page:\n%s", strings.Join(found, "\n"))
	}

	office := newBrowser(t)
	var officeVisits, start, end string
	err = chromedp.Run(office,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=visits", ts.URL, job)),
		chromedp.Text(`ul.visits`, &officeVisits, chromedp.ByQuery),
		chromedp.Click(`//ul[@class="visits"]//a[text()="Schedule"]`),
		chromedp.WaitVisible(`//h1[text()="Schedule the requested visit"]`),
		chromedp.Value(`input[name=start]`, &start, chromedp.ByQuery),
		chromedp.Value(`input[name=end]`, &end, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(officeVisits, "Requested") || !strings.Contains(officeVisits, "09:00–12:00") || !strings.Contains(officeVisits, "requested by Fran Facilities (portal)") {
		t.Errorf("the office's visits: %q", officeVisits)
	}
	if start != day+"T09:00" || end != day+"T12:00" {
		t.Errorf("the schedule form offers %s–%s, want the requested window", start, end)
	}
	if found := axeSerious(t, office); len(found) > 0 {
		t.Errorf("axe on the schedule form:\n%s", strings.Join(found, "\n"))
	}
	err = chromedp.Run(office,
		chromedp.SetValue(`input[name=start]`, day+"T10:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, day+"T11:30", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save visit"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Visit saved")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(fran,
		chromedp.Navigate(fmt.Sprintf("%s/portal/jobs/%d", ts.URL, job)),
		chromedp.Text(`//h2[text()="Visits"]/..`, &visitsCard),
	)
	if err != nil || !strings.Contains(visitsCard, "10:00–11:30") || strings.Contains(visitsCard, "waiting for a time") {
		t.Errorf("the portal after the office scheduled it: %q (%v)", visitsCard, err)
	}
}
