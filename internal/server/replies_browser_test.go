package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// A client user with View messages reads the email the office sent to their client's address — with the name of
// the file it carried, which Mailpit received — and not the office's internal note, replies in the portal, and the
// office finds the reply on the job's Messages tab, marked from the client, with its Jobs badge raised. A client
// user without View messages sees no messages and no reply form, and a forged reply is a 403.
func TestBrowser_PortalReply(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{ViewMessages: true})
	seedClientUser(t, s, tdb, ts, acme, harbour, "gus@harbour.example", identity.Permissions{AddEdit: true})
	job := seedJob(t, tdb, acme, harbour, "Leaking roof")
	tdb.Owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body, visible_to_client) values ($1, $2, 'Ann', 'Internal: quote is thin', false)`, acme, job)
	var file int64
	tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size) values ($1, $2, 'roof-quote.pdf', 'application/pdf', 9) returning id`, acme, job).Scan(&file)
	tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', '%PDF-1.4 ')`, acme, file)

	admin := newBrowser(t)
	err := chromedp.Run(admin,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d/email", ts.URL, job)),
		chromedp.Click(`input[name=to][value="harbour.view@client.example"]`, chromedp.ByQuery),
		fill([2]string{"subject", "Roof visit on Friday"}),
		chromedp.SendKeys(`textarea[name=body]`, "Our roofer comes Friday at 9.", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`input[name=files][value="%d"]`, file), chromedp.ByQuery),
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
	if !strings.Contains(messages, "Roof visit on Friday") || !strings.Contains(messages, "Our roofer comes Friday at 9.") ||
		!strings.Contains(messages, "Attached: roof-quote.pdf") || strings.Contains(messages, "quote is thin") {
		t.Errorf("Fran's messages: %q; want the email to her client with its attachment's name, and not the internal note", messages)
	}
	sent := m.Message(m.WaitFor(1, 10*time.Second)[0].ID)
	if len(sent.Attachments) != 1 || sent.Attachments[0].FileName != "roof-quote.pdf" {
		t.Errorf("the email in Mailpit carried %+v, want roof-quote.pdf", sent.Attachments)
	}

	gus := newBrowser(t)
	var page, forged string
	err = chromedp.Run(gus,
		browserLogin(ts.URL, "gus@harbour.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/portal/jobs/%d", ts.URL, job)),
		chromedp.Text(`main`, &page, chromedp.ByQuery),
		chromedp.Evaluate(`fetch(location.pathname + '/messages', {method: 'POST', body: new URLSearchParams({body: 'Forged'})}).then(r => String(r.status))`, &forged, awaited),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page, "Messages") || strings.Contains(page, "Roof visit on Friday") || strings.Contains(page, "Reply to") || forged != "403" {
		t.Errorf("without View messages: page %q, forged reply %s; want no messages, no reply form, and 403", page, forged)
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
