package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ledongthuc/pdf"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// Billing a job as an office does: the admin issues the invoice from Time & parts, downloads it from the job list's
// Available Actions (a PDF, fetched in the page as the link gives it), resends it to the customer from the same menu
// — the email reaching Mailpit carries the PDF, whose text reads the number and total — sees the send in View all
// invoice dispatches, and marks it paid, which completes the job. The invoice card, the send form and the dispatch
// log pass axe.
func TestBrowser_Invoice(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme Plumbing")
	tdb.Owner.Exec(ctx, `update companies set tax_rate_bp = 1500, currency = 'NZD', address = '1 Queen St' where id = $1`, acme)
	harbour := seedClient(t, tdb, acme, "Harbour View")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	job := seedJob(t, tdb, acme, harbour, "Leaking tap")
	var number string
	tdb.Owner.QueryRow(ctx, `update jobs set status = 'awaiting-billing' where id = $1 returning number::text`, job).Scan(&number)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'Labour', 2000, 4444, 8000), ($1, $2, 'Washer kit', 1000, 333, 2000)`, acme, job)

	b := newBrowser(t)
	var notice string
	err := chromedp.Run(b,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=lines", ts.URL, job)),
		chromedp.Click(`//button[text()="Issue invoice"]`),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	// 2 × 80.00 + 20.00 = 180.00, GST 27.00: 207.00.
	if err != nil || !strings.Contains(notice, "Invoice INV-1001 issued: $207.00") {
		t.Fatalf("issuing: %q (%v)", notice, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the invoice card:\n%s", strings.Join(found, "\n"))
	}
	// Download invoice, from the row's menu.
	var download []any
	err = chromedp.Run(b,
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Click(`//details[summary[@aria-label="Available Actions for J-`+number+`"]]/summary`),
		chromedp.WaitVisible(`//a[text()="Download invoice"]`),
		chromedp.Evaluate(`(async () => {
			const a = [...document.querySelectorAll("details[open] a")].find(a => a.textContent === "Download invoice");
			const res = await fetch(a.href);
			const head = new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5));
			return [res.status, res.headers.get("content-type"), res.headers.get("content-disposition"), head];
		})()`, &download, awaited),
	)
	if err != nil || fmt.Sprint(download) != "[200 application/pdf attachment; filename=INV-1001.pdf %PDF-]" {
		t.Fatalf("Download invoice: %v (%v)", download, err)
	}
	// Resend invoice to customer, from the same menu: the billing contact comes ticked.
	var logged string
	err = chromedp.Run(b,
		chromedp.Click(`//details[@open]//a[text()="Resend invoice to customer"]`),
		chromedp.WaitVisible(`//h1[text()="Resend invoice to customer"]`),
		chromedp.WaitVisible(`input[name=to][value="harbour.view@client.example"]:checked`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the send form:\n%s", strings.Join(found, "\n"))
	}
	err = chromedp.Run(b,
		chromedp.Click(`//button[text()="Send invoice"]`),
		chromedp.WaitVisible(`//h1[text()="Invoice dispatches"]`),
		chromedp.Text(`table`, &logged, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(logged, "INV-1001") || !strings.Contains(logged, "harbour.view@client.example") || !strings.Contains(logged, "Ann Admin") {
		t.Fatalf("the dispatch log: %q (%v)", logged, err)
	}
	msgs := m.WaitFor(1, 10*time.Second)
	full := m.Message(msgs[0].ID)
	if full.Subject != "Invoice INV-1001 from Acme Plumbing" || len(full.Attachments) != 1 || full.Attachments[0].FileName != "INV-1001.pdf" ||
		full.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("the email: %q with %+v", full.Subject, full.Attachments)
	}
	data := m.Part(full.ID, full.Attachments[0].PartID)
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := r.GetPlainText()
	var text bytes.Buffer
	text.ReadFrom(tr)
	if !strings.Contains(text.String(), "INV-1001") || !strings.Contains(text.String(), "$207.00") || strings.Contains(text.String(), "44.44") {
		t.Errorf("the PDF in the email reads %q", text.String())
	}
	// The log shows it delivered once the worker has marked it sent.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var sent bool
		tdb.Owner.QueryRow(ctx, `select bool_and(status = 'sent') from outbox_emails where kind = 'invoice'`).Scan(&sent)
		if sent || time.Now().After(deadline) {
			break
		}
	}
	if err := chromedp.Run(b, chromedp.Reload(), chromedp.WaitVisible(`//table//*[contains(@class, "badge") and text()="sent"]`)); err != nil {
		t.Errorf("the dispatch log never showed the email sent: %v", err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the dispatch log:\n%s", strings.Join(found, "\n"))
	}
	// An email with two photos of the job and the invoice: three attachments, the total shown as they are ticked.
	for _, name := range []string{"before.png", "after.png"} {
		var file int64
		photo := pngOf(40, 30)
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size) values ($1, $2, $3, 'image/png', $4) returning id`,
			acme, job, name, len(photo)).Scan(&file)
		tdb.Owner.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', $3)`, acme, file, photo)
	}
	var total string
	err = chromedp.Run(b,
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d/email", ts.URL, job)),
		chromedp.Click(`input[name=to][value="harbour.view@client.example"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=body]`, "Before and after, with the invoice.", chromedp.ByQuery),
		chromedp.Click(`//label[contains(., "INV-1001.pdf")]/input`),
		chromedp.Click(`//label[contains(., "before.png")]/input`),
		chromedp.Click(`//label[contains(., "after.png")]/input`),
		chromedp.Text(`output[data-attach-total]`, &total, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
	)
	if err != nil || total == "0 bytes" {
		t.Fatalf("the email with attachments: total %q (%v)", total, err)
	}
	var withFiles mailtest.Full
	for _, msg := range m.WaitFor(2, 10*time.Second) {
		if full := m.Message(msg.ID); strings.Contains(full.Text, "Before and after") {
			withFiles = full
		}
	}
	var names []string
	for _, a := range withFiles.Attachments {
		names = append(names, a.FileName)
	}
	if len(names) != 3 || !slices.Contains(names, "INV-1001.pdf") || !slices.Contains(names, "before.png") || !slices.Contains(names, "after.png") {
		t.Errorf("the email carried %v, want the invoice and two photos", names)
	}
	// Paid: the job is completed.
	var status string
	err = chromedp.Run(b,
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=lines", ts.URL, job)),
		chromedp.Click(`//button[text()="Mark paid"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Invoice marked paid")]`),
		chromedp.Text(`.head-actions .badge`, &status, chromedp.ByQuery),
	)
	if err != nil || status != "Completed" {
		t.Errorf("after Mark paid the job is %q (%v)", status, err)
	}
}
