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

// browserLogin logs the browser in through the login form and waits for the nav.
func browserLogin(base, email, password string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/login"),
		fill([2]string{"email", email}, [2]string{"password", password}),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav[aria-label=Main]`, chromedp.ByQuery),
	}
}

// An office admin on day one: adds a client with two sites, finds clients by search, and ticks some for a bulk
// action.
func TestBrowser_Clients(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	ctx := newBrowser(t)

	var empty, h1, record string
	err := chromedp.Run(ctx,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.Text(`.empty`, &empty, chromedp.ByQuery),
		chromedp.Click(`//a[text()="New client"]`),
		chromedp.WaitVisible(`input[name=site_name_1]`, chromedp.ByQuery),
		fill([2]string{"name", "Harbour View Apartments"}, [2]string{"email", "manager@harbourview.example"},
			[2]string{"site_name_0", "Block A"}, [2]string{"site_address_0", "12 Quay St"},
			[2]string{"site_name_1", "Block B"}, [2]string{"site_address_1", "14 Quay St"}),
		chromedp.Click(`//button[text()="Save client"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		chromedp.Text(`main`, &record, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(empty, "No clients yet") || h1 != "Harbour View Apartments" {
		t.Fatalf("empty state %q, record h1 %q", empty, h1)
	}
	for _, want := range []string{"Block A", "12 Quay St", "Block B", "14 Quay St", "manager@harbourview.example"} {
		if !strings.Contains(record, want) {
			t.Errorf("the record lacks %q", want)
		}
	}

	for _, name := range []string{"Harbour Master Marine", "Greenlane Medical", "Ponsonby Bakery"} {
		seedClient(t, tdb, acme, name)
	}
	var rows, count string
	var found int
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/clients"),
		fill([2]string{"q", "harbour"}),
		chromedp.Click(`form[role=search] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//a[text()="Clear"]`),
		chromedp.Evaluate(`document.querySelectorAll('tbody tr').length`, &found),
		chromedp.Text(`tbody`, &rows, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if found != 2 || strings.Contains(rows, "Bakery") {
		t.Errorf("search for harbour: %d rows: %q", found, rows)
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`input[aria-label="Select Harbour View Apartments"]`, chromedp.ByQuery),
		chromedp.Click(`input[aria-label="Select Harbour Master Marine"]`, chromedp.ByQuery),
		chromedp.Text(`[data-bulk-count]`, &count, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "2 selected" {
		t.Errorf("after ticking two, the bulk bar says %q", count)
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.Click(`input[data-bulk-all]`, chromedp.ByQuery),
		chromedp.Text(`[data-bulk-count]`, &count, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "4 selected" {
		t.Errorf("after Select all, the bulk bar says %q", count)
	}
}

// An admin invites a co-worker, resends (the first link dies), the co-worker joins from the email read back from
// Mailpit, is deactivated (their open session ends), and the next invitation hits the seat limit.
func TestBrowser_InviteAcceptDeactivate(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	acme := tdb.CreateCompany(t, "Acme")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	startTestWorker(t, tdb, m)
	admin := newBrowser(t)

	linkIn := func(n int) string {
		t.Helper()
		msgs := m.WaitFor(n, 10*time.Second)
		text := m.Message(msgs[0].ID).Text // newest first
		link := inviteLink.FindString(text)
		if link == "" {
			t.Fatalf("no link in %q", text)
		}
		return strings.Replace(link, "http://example.test", ts.URL, 1)
	}

	var notice string
	err := chromedp.Run(admin,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Click(`a[href="/staff"]`, chromedp.ByQuery),
		chromedp.Click(`//a[text()="Invite User"]`),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		fill([2]string{"email", "nia@example.com"}),
		chromedp.SetValue(`select[name=role]`, "co-worker", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send Invite"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	first := linkIn(1)
	err = chromedp.Run(admin,
		chromedp.Click(`//tr[contains(., "nia@example.com")]//button[contains(., "Resend")]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "old link no longer works")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	second := linkIn(2)
	if first == second {
		t.Fatal("Resend sent the same link")
	}

	invitee := newBrowser(t)
	var dead, welcome, nav string
	err = chromedp.Run(invitee,
		chromedp.Navigate(first),
		chromedp.Text(`h1`, &dead, chromedp.ByQuery),
		chromedp.Navigate(second),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		fill([2]string{"name", "Nia New"}, [2]string{"password", "nias-password"}),
		chromedp.Click(`//button[text()="Create my login"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &welcome, chromedp.ByQuery),
		chromedp.Text(`nav[aria-label=Main]`, &nav, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if dead != "This invitation link does not work" || welcome != "Welcome to Acme." || !strings.Contains(nav, "Clients") {
		t.Fatalf("old link %q; after joining %q with nav %q", dead, welcome, nav)
	}

	var status string
	err = chromedp.Run(admin,
		chromedp.Navigate(ts.URL+"/staff"),
		chromedp.Text(`//tr[contains(., "nia@example.com")]//span[contains(@class, "badge")]`, &status),
		chromedp.Click(`//a[text()="Nia New"]`),
		chromedp.Click(`//button[text()="Deactivate"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Deactivated")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "active" {
		t.Errorf("Nia's status on Staff is %q", status)
	}
	var h1 string
	err = chromedp.Run(invitee,
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
	)
	if err != nil || h1 != "Log in" {
		t.Errorf("the deactivated co-worker's next page: %q, %v", h1, err)
	}

	// The plan is full: the next invitation is refused in words.
	tdb.Owner.Exec(context.Background(), `update companies set seats = 1 where id = $1`, acme)
	var formError string
	err = chromedp.Run(admin,
		chromedp.Navigate(ts.URL+"/staff/invite"),
		fill([2]string{"email", "omar@example.com"}),
		chromedp.Click(`//button[text()="Send Invite"]`),
		chromedp.WaitVisible(`.form-error`, chromedp.ByQuery),
		chromedp.Text(`.form-error`, &formError, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if formError != "You are using 1 of 1 seats — upgrade your plan to add more." {
		t.Errorf("at the seat limit: %q", formError)
	}
}
