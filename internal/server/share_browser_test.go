package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// Job Share end to end: the office turns it on (all three ways), a new job emails the client a link, the client
// opens it in a browser with no cookies and sees the visit booked since; a manual Send Email gives two people
// two links; revoking one leaves the other working, and Revoke all links ends both.
func TestBrowser_JobShare(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	seedClient(t, tdb, acme, "Harbour View", "Block A")
	seedClient(t, tdb, acme, "Ponsonby Bakery")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	office := newBrowser(t)
	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + want + `")]`)
	}
	badges := func() (n int) {
		if err := chromedp.Run(office, chromedp.Navigate(ts.URL+"/clients"),
			chromedp.Evaluate(`[...document.querySelectorAll('tbody .badge')].filter(b => b.textContent === 'Job Share').length`, &n)); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// 1. Settings: on for every client.
	err := chromedp.Run(office,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/settings"),
		chromedp.Click(`//button[text()="Turn on Job Share for every client"]`),
		notice("Job Share turned on for 2 more clients"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := badges(); n != 2 {
		t.Fatalf("after the Settings action %d clients show Job Share, want 2", n)
	}
	// 2. The client list: off for the ticked one, then on again.
	err = chromedp.Run(office,
		chromedp.Click(`input[aria-label="Select Ponsonby Bakery"]`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Disable Job Share for selected"]`),
		notice("Job Share turned off for 1 clients"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := badges(); n != 1 {
		t.Fatalf("after Disable for selected %d clients show Job Share, want 1", n)
	}
	// 3. The client record: off and on.
	err = chromedp.Run(office,
		chromedp.Click(`//a[text()="Harbour View"]`),
		chromedp.Click(`//button[text()="Turn Job Share off"]`),
		notice("Job Share is off"),
		chromedp.Click(`//button[text()="Turn Job Share on"]`),
		notice("Job Share is on"),
	)
	if err != nil {
		t.Fatal(err)
	}

	// A new job for Harbour View emails its contact a link.
	err = chromedp.Run(office,
		chromedp.Click(`//a[text()="New job"]`),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Leaking roof"}),
		chromedp.Click(`//button[text()="Create job"]`),
		notice("Job created"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var jobURL string
	chromedp.Run(office, chromedp.Location(&jobURL))
	msg := m.Message(m.WaitFor(1, 10*time.Second)[0].ID)
	auto := shareLink.FindStringSubmatch(msg.Text)
	if msg.To[0].Address != "harbour.view@client.example" || auto == nil {
		t.Fatalf("automatic email to %v: %q", msg.To, msg.Text)
	}

	client := newBrowser(t) // a fresh browser: no cookies, no login
	var dash string
	err = chromedp.Run(client, chromedp.Navigate(ts.URL+auto[1]), chromedp.WaitVisible(`h1`, chromedp.ByQuery), chromedp.Text(`main`, &dash, chromedp.ByQuery))
	if err != nil || !strings.Contains(dash, "Leaking roof") || !strings.Contains(dash, "No visit is booked yet") {
		t.Fatalf("the client's dashboard (%v): %q", err, dash)
	}
	// The office books Cora; the client's next open shows it.
	err = chromedp.Run(office,
		chromedp.Navigate(jobURL+"?tab=visits"),
		chromedp.Evaluate(`document.querySelector('select[name=assignee_id]').selectedIndex = 2`, nil),
		chromedp.SetValue(`input[name=start]`, "2026-12-01T09:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, "2026-12-01T11:00", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add visit"]`),
		notice("Visit added"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(client, chromedp.Reload(), chromedp.WaitVisible(`ul.visits`, chromedp.ByQuery), chromedp.Text(`ul.visits`, &dash, chromedp.ByQuery))
	if err != nil || !strings.Contains(dash, "Cora Coworker") {
		t.Fatalf("after the visit was booked the dashboard says (%v): %q", err, dash)
	}

	// Send Email with Add JobShare Link to the client and a custom address: two copies, two links.
	err = chromedp.Run(office,
		chromedp.Navigate(jobURL),
		chromedp.Click(`//summary[text()="Send Message"]`),
		chromedp.Click(`//a[text()="Send Email"]`),
		chromedp.WaitVisible(`input[name=subject]`, chromedp.ByQuery),
		chromedp.Click(`input[value="harbour.view@client.example"]`, chromedp.ByQuery),
		fill([2]string{"custom", "manager@harbour.example"}),
		chromedp.SendKeys(`textarea[name=body]`, "Here is the live page for your roof job.", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send"]`),
		notice("Email queued to 2 recipients"),
	)
	if err != nil {
		t.Fatal(err)
	}
	msgs := m.WaitFor(3, 10*time.Second)
	links := map[string]string{}
	for _, mm := range msgs[:2] {
		full := m.Message(mm.ID)
		if l := shareLink.FindStringSubmatch(full.Text); l != nil {
			links[full.To[0].Address] = l[1]
		}
	}
	one, two := links["harbour.view@client.example"], links["manager@harbour.example"]
	if one == "" || two == "" || one == two || one == auto[1] {
		t.Fatalf("manual links %v (automatic %s): want two new, different links", links, auto[1])
	}

	// Revoke the manager's link on History: it dies, the client's still works.
	err = chromedp.Run(office,
		chromedp.Navigate(jobURL+"?tab=history"),
		chromedp.Click(`//tr[contains(., "manager@harbour.example")]//button[text()="Revoke"]`),
		notice("Link revoked"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var h1 string
	chromedp.Run(client, chromedp.Navigate(ts.URL+two), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Page not found" {
		t.Errorf("a revoked link shows %q", h1)
	}
	chromedp.Run(client, chromedp.Navigate(ts.URL+one), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Leaking roof" {
		t.Errorf("the other link shows %q", h1)
	}
	var icon string
	err = chromedp.Run(office,
		chromedp.Click(`//button[text()="Revoke all links"]`),
		notice("Every Job Share link of this job is revoked"),
		chromedp.Text(`.share-icon`, &icon, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	chromedp.Run(client, chromedp.Navigate(ts.URL+one), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Page not found" || icon != "Job Share · off" {
		t.Errorf("after Revoke all links: the client's link shows %q, the icon says %q", h1, icon)
	}
	var live int
	tdb.Owner.QueryRow(ctx, `select count(*) from share_links where revoked_at is null`).Scan(&live)
	if live != 0 {
		t.Errorf("%d links still live", live)
	}
}
