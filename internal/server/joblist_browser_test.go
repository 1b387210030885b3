package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// A dispatcher on the job list: switches views (the drop-down submits itself), searches, pages forward and back,
// and uses a row's Available Actions menu with JavaScript turned off.
func TestBrowser_JobList(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View Apartments")
	bakery := seedClient(t, tdb, acme, "Ponsonby Bakery")
	for i := range 60 {
		seedJob(t, tdb, acme, harbour, fmt.Sprintf("Routine check %02d", i))
	}
	for _, title := range []string{"Oven wiring", "Fridge seal"} {
		id := seedJob(t, tdb, acme, bakery, title)
		tdb.Owner.Exec(ctx, `update jobs set status = 'in-progress' where id = $1`, id)
	}
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	browser := newBrowser(t)

	var options, rows, first, second, back string
	var n int
	err := chromedp.Run(browser,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Text(`select[name=view]`, &options, chromedp.ByQuery),
		// SetValue fires the change event, as picking from the list does: the form submits itself.
		chromedp.SetValue(`select[name=view]`, "in-progress", chromedp.ByQuery),
		chromedp.WaitVisible(`//a[text()="Clear"]`),
		chromedp.Text(`tbody`, &rows, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(options, "All jobs (62)") || !strings.Contains(options, "In progress (2)") || !strings.Contains(options, "Completed jobs scheduled today (0)") {
		t.Errorf("view options: %q", options)
	}
	if !strings.Contains(rows, "Oven wiring") || !strings.Contains(rows, "Fridge seal") || strings.Contains(rows, "Routine") {
		t.Errorf("In progress view: %q", rows)
	}
	err = chromedp.Run(browser,
		chromedp.Navigate(ts.URL+"/jobs"),
		fill([2]string{"q", "bakery"}),
		chromedp.Click(`form[role=search] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//a[text()="Clear"]`),
		chromedp.Evaluate(`document.querySelectorAll('tbody tr').length`, &n),
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Text(`tbody tr:first-child td:first-child`, &first, chromedp.ByQuery),
		chromedp.Click(`//a[contains(., "Next")]`),
		chromedp.WaitVisible(`//a[contains(., "Previous")]`),
		chromedp.Text(`tbody tr:first-child td:first-child`, &second, chromedp.ByQuery),
		chromedp.Click(`//a[contains(., "Previous")]`),
		chromedp.WaitNotPresent(`//a[contains(., "Previous")]`),
		chromedp.Text(`tbody tr:first-child td:first-child`, &back, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || first != "J-1062" || second != "J-1012" || back != "J-1062" {
		t.Errorf("search found %d; pages start %s, %s, and back %s", n, first, second, back)
	}

	// Without JavaScript the Actions menu still opens (it is a <details>) and Defer commission works.
	nojs := newBrowser(t)
	var status string
	err = chromedp.Run(nojs,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Navigate(ts.URL+"/jobs?view=in-progress"),
		chromedp.Click(`summary[aria-label="Available Actions for J-1062"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//tr[contains(., "J-1062")]//button[text()="Defer commission"]`),
		chromedp.Click(`//tr[contains(., "J-1062")]//button[text()="Defer commission"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Job deferred")]`),
		chromedp.Location(&status),
	)
	if err != nil {
		t.Fatal(err)
	}
	var dbStatus string
	tdb.Owner.QueryRow(ctx, `select status from jobs where number = 1062 and company_id = $1`, acme).Scan(&dbStatus)
	if dbStatus != "deferred" || !strings.HasSuffix(status, "/jobs?view=in-progress") {
		t.Errorf("after Defer commission from the list: job %s, page %s", dbStatus, status)
	}
}
