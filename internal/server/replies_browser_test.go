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

// A client user with View messages reads the email the office sent to their client's address and not the office's
// internal note, replies in the portal, and the office finds the reply on the job's Messages tab, marked from the
// client, with its Jobs badge raised.
func TestBrowser_PortalReply(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{ViewMessages: true})
	job := seedJob(t, tdb, acme, harbour, "Leaking roof")
	tdb.Owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body, visible_to_client) values ($1, $2, 'Ann', 'Internal: quote is thin', false)`, acme, job)

	admin := newBrowser(t)
	err := chromedp.Run(admin,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d/email", ts.URL, job)),
		chromedp.Click(`input[name=to][value="harbour.view@client.example"]`, chromedp.ByQuery),
		fill([2]string{"subject", "Roof visit on Friday"}),
		chromedp.SendKeys(`textarea[name=body]`, "Our roofer comes Friday at 9.", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}

	fran := newBrowser(t)
	var messages string
	err = chromedp.Run(fran,
		browserLogin(ts.URL, "fran@harbour.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/portal/jobs/%d", ts.URL, job)),
		chromedp.WaitVisible(`#reply`, chromedp.ByQuery),
		chromedp.Text(`//h2[text()="Messages"]/..`, &messages),
		chromedp.SendKeys(`#reply textarea[name=body]`, "Ring the buzzer for unit 4", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send reply"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Reply sent")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(messages, "Roof visit on Friday") || !strings.Contains(messages, "Our roofer comes Friday at 9.") || strings.Contains(messages, "quote is thin") {
		t.Errorf("Fran's messages: %q; want the email to her client and not the internal note", messages)
	}
	if found := axeSerious(t, fran); len(found) > 0 {
		t.Errorf("axe on the portal's job page:\n%s", strings.Join(found, "\n"))
	}

	var badge, tab string
	err = chromedp.Run(admin,
		chromedp.Navigate(ts.URL+"/clients"),
		chromedp.Text(`nav[aria-label=Main] a[href="/jobs"] .nav-badge`, &badge, chromedp.ByQuery),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=messages", ts.URL, job)),
		chromedp.Text(`ul.messages`, &tab, chromedp.ByQuery),
	)
	if err != nil || badge != "1" || !strings.Contains(tab, "Ring the buzzer for unit 4") || !strings.Contains(tab, "from the client") {
		t.Errorf("the office: Jobs badge %q, Messages tab %q (%v)", badge, tab, err)
	}
}
