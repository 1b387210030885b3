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

// Job Share Plus end to end: the office invites a client user from the client's record with Add and edit jobs;
// they accept from the email, see only their client's jobs, add one and edit it; the office finds it in From
// clients with a badge on Jobs; the next invitation meets the seat limit.
func TestBrowser_Portal(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View", "Block A")
	bakery := seedClient(t, tdb, acme, "Ponsonby Bakery")
	seedJob(t, tdb, acme, harbour, "Harbour roof")
	seedJob(t, tdb, acme, bakery, "Bakery oven")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	office := newBrowser(t)
	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + want + `")]`)
	}

	err := chromedp.Run(office,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.Click(`//a[text()="Harbour View"]`),
		chromedp.WaitVisible(`#job-share-plus`, chromedp.ByQuery),
		chromedp.SetValue(`#job-share-plus input[name=email]`, "fran@harbour.example", chromedp.ByQuery),
		chromedp.Click(`#job-share-plus input[name=perm_add_edit]`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send Invite"]`),
		notice("Job Share Plus invitation sent to fran@harbour.example"),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg := m.Message(m.WaitFor(1, 10*time.Second)[0].ID)
	link := inviteLink.FindString(msg.Text)
	if link == "" || !strings.Contains(msg.Text, "as a Job Share Plus client user") {
		t.Fatalf("invitation: %q", msg.Text)
	}

	fran := newBrowser(t)
	var rows, welcome string
	err = chromedp.Run(fran,
		chromedp.Navigate(strings.Replace(link, "http://example.test", ts.URL, 1)),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		fill([2]string{"name", "Fran Facilities"}, [2]string{"password", "frans-password"}),
		chromedp.Click(`//button[text()="Create my login"]`),
		chromedp.WaitVisible(`//h2[text()="Your open jobs"]`), // Today, the portal's home
		chromedp.Text(`.notice`, &welcome, chromedp.ByQuery),
		chromedp.Click(`//a[text()="All your jobs"]`),
		chromedp.WaitVisible(`//h1[text()="Your jobs"]`),
		chromedp.Text(`tbody`, &rows, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if welcome != "Welcome to Acme." || !strings.Contains(rows, "Harbour roof") || strings.Contains(rows, "Bakery oven") {
		t.Fatalf("after joining: %q; rows %q", welcome, rows)
	}
	var h1 string
	err = chromedp.Run(fran,
		chromedp.Click(`//a[text()="New job"]`),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Gutter overflowing"}),
		chromedp.Evaluate(`document.querySelector('select[name=site_id]').selectedIndex = 1`, nil),
		chromedp.Click(`//button[text()="Send job"]`),
		notice("Job sent to Acme"),
		chromedp.Click(`//a[text()="Edit"]`),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Gutter overflowing — urgent"}),
		chromedp.Click(`//button[text()="Save"]`),
		notice("Job saved"),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Gutter overflowing — urgent" {
		t.Errorf("after editing, the job is %q", h1)
	}

	var badge, fromClients string
	err = chromedp.Run(office,
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Text(`nav[aria-label=Main] .nav-badge`, &badge, chromedp.ByQuery),
		chromedp.SetValue(`select[name=view]`, "from-clients", chromedp.ByQuery),
		chromedp.WaitVisible(`//a[text()="Clear"]`),
		chromedp.Text(`tbody`, &fromClients, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if badge != "1" || !strings.Contains(fromClients, "Gutter overflowing — urgent") {
		t.Errorf("office: badge %q, From clients %q", badge, fromClients)
	}

	// The plan is full: the next client user is refused in words.
	var used int
	tdb.Owner.QueryRow(ctx, `select count(*) from memberships where company_id = $1 and active`, acme).Scan(&used)
	tdb.Owner.Exec(ctx, `update companies set seats = $2 where id = $1`, acme, used)
	var formError string
	err = chromedp.Run(office,
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.Click(`//a[text()="Ponsonby Bakery"]`),
		chromedp.WaitVisible(`#job-share-plus`, chromedp.ByQuery),
		chromedp.SetValue(`#job-share-plus input[name=email]`, "owner@bakery.example", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send Invite"]`),
		chromedp.WaitVisible(`.form-error`, chromedp.ByQuery),
		chromedp.Text(`.form-error`, &formError, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(formError, "seats — upgrade your plan to add more") {
		t.Errorf("at the seat limit: %q", formError)
	}
}
