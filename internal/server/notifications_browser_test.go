package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// An admin turns Push on for Jobs on one client; in another browser that client's user raises a job, and the
// admin's counter rises without a reload — for that client's activity, not for another's. Opening the
// notification goes to the job and clears the counter. The client user then invites a guest from the portal, who
// joins from the email in Mailpit, using no seat.
func TestBrowser_PushOnCounterAndGuest(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View", "Block A"), seedClient(t, tdb, acme, "Bay Rentals", "Unit 1")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{AddEdit: true})
	bea, _ := seedClientUser(t, s, tdb, ts, acme, bay, "bea@bay.example", identity.Permissions{AddEdit: true})
	startTestWorker(t, tdb, m)

	admin := newBrowser(t)
	var saved string
	err := chromedp.Run(admin,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/clients/%d", ts.URL, harbour)),
		chromedp.Click(`input[name=push_jobs]`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save Push on"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &saved, chromedp.ByQuery),
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.WaitReady(`#unread-count`, chromedp.ByQuery),
	)
	if err != nil || saved != "Push on saved." {
		t.Fatalf("Push on: %q, %v", saved, err)
	}

	client := newBrowser(t)
	err = chromedp.Run(client,
		browserLogin(ts.URL, "fran@harbour.example", "password-123"),
		chromedp.Navigate(ts.URL+"/portal/jobs/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Leaking tap in unit 4"}),
		chromedp.Click(`form[action="/portal/jobs/new"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	bea.post("/portal/jobs/new", url.Values{"title": {"Broken window"}}) // Bay Rentals: no Push on

	// The admin's page was not reloaded: the poll brings the counter.
	var count string
	err = chromedp.Run(admin,
		chromedp.Poll(`document.querySelector('#unread-count').textContent.trim() !== ''`, nil, chromedp.WithPollingTimeout(25*time.Second)),
		chromedp.Text(`#unread-count`, &count, chromedp.ByQuery),
	)
	if err != nil || count != "1" {
		t.Fatalf("the admin's counter without a reload = %q, %v; want 1 (Harbour's job, not Bay's)", count, err)
	}
	var h1, after string
	err = chromedp.Run(admin,
		chromedp.Click(`a.notifications-link`, chromedp.ByQuery),
		chromedp.WaitVisible(`ul.notifications`, chromedp.ByQuery),
		chromedp.Click(`//ul[@class="notifications"]//button[contains(., "Leaking tap in unit 4")]`),
		chromedp.WaitVisible(`nav.tabs`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		chromedp.Text(`#unread-count`, &after, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(h1, "Leaking tap in unit 4") || strings.TrimSpace(after) != "" {
		t.Fatalf("opening the notification: page %q, counter %q, %v", h1, after, err)
	}

	// The client user invites a guest; the guest joins from the email, and the seats do not change.
	seats := func() (used int) {
		tdb.Owner.QueryRow(ctx, `select count(*) from memberships where company_id = $1 and active and role <> 'guest'`, acme).Scan(&used)
		return used
	}
	before := seats()
	var invited string
	err = chromedp.Run(client,
		chromedp.Click(`a[href="/portal/guests"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/portal/guests"]`, chromedp.ByQuery),
		fill([2]string{"email", "gus@guest.example"}),
		chromedp.Click(`//button[text()="Send Invite"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &invited, chromedp.ByQuery),
	)
	if err != nil || invited != "Invitation sent to gus@guest.example." {
		t.Fatalf("inviting a guest: %q, %v", invited, err)
	}
	msgs := m.WaitFor(1, 10*time.Second)
	var link string
	for _, msg := range msgs {
		if msg.To[0].Address == "gus@guest.example" {
			link = strings.Replace(inviteLink.FindString(m.Message(msg.ID).Text), "http://example.test", ts.URL, 1)
		}
	}
	if link == "" {
		t.Fatalf("no invitation reached gus@guest.example: %+v", msgs)
	}
	guest := newBrowser(t)
	var home string
	err = chromedp.Run(guest,
		chromedp.Navigate(link),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		fill([2]string{"name", "Gus Guest"}, [2]string{"password", "guss-password"}),
		chromedp.Click(`//button[text()="Create my login"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`main`, &home, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(home, "As a guest you see the tasks and reminders you are added to") {
		t.Fatalf("the guest's first page: %q, %v", home, err)
	}
	if after := seats(); after != before {
		t.Errorf("seats in use went from %d to %d: a guest uses none", before, after)
	}
	var listed string
	err = chromedp.Run(client, chromedp.Navigate(ts.URL+"/portal/guests"), chromedp.Text(`ul.guests`, &listed, chromedp.ByQuery))
	if err != nil || !strings.Contains(listed, "Gus Guest") {
		t.Errorf("Fran's Guests page: %q, %v", listed, err)
	}

	// The admin builds a group for Harbour View from Staff, and puts the new guest in it.
	var people string
	err = chromedp.Run(admin,
		chromedp.Navigate(ts.URL+"/staff"),
		chromedp.Click(`//nav[@class="tabs"]//a[text()="Groups"]`),
		chromedp.WaitVisible(`form[action="/staff/groups"]`, chromedp.ByQuery),
		fill([2]string{"name", "Harbour crew"}),
		chromedp.SetValue(`select[name=client_id]`, fmt.Sprint(harbour), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Create group"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.SetValue(`select[name=membership_id]`, fmt.Sprint(guestID(t, tdb, "gus@guest.example")), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Added to the group.")]`),
		chromedp.Text(`ul.plain`, &people, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(people, "Gus Guest") {
		t.Errorf("building a group: people %q, %v", people, err)
	}
}

// guestID is the membership of the guest with email.
func guestID(t *testing.T, tdb *dbtest.TestDB, email string) int64 {
	t.Helper()
	var id int64
	if err := tdb.Owner.QueryRow(context.Background(), `select m.id from memberships m join accounts a on a.id = m.account_id
		where a.email = $1 and m.role = 'guest'`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
