package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldops/internal/identity"
)

// Invoices through the router: a job with no lines is refused in words, nothing issued; issued, the Time & parts
// tab shows it and Download invoice sends the PDF as a download; Resend invoice to customer refuses no recipient in
// words and a forged one with a 404, and queues the PDF to the billing contact, in the dispatch log and on Messages;
// Mark paid completes the job; a subcontractor and an unassigned co-worker get 404 on every invoice route.
func TestInvoices(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	job := seedJob(t, tdb, acme, harbour, "Leaking tap")
	tdb.Owner.Exec(ctx, `update jobs set status = 'awaiting-billing' where id = $1`, job)
	path := fmt.Sprintf("/jobs/%d", job)

	if res, body := admin.post(path+"/invoice", nil); res.StatusCode != 422 || !strings.Contains(body, "no time or parts to bill") {
		t.Errorf("issuing with no lines = %d", res.StatusCode)
	}
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'Labour', 2000, 5555, 8000)`, acme, job)
	if res, _ := admin.post(path+"/invoice", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issuing = %d", res.StatusCode)
	}
	if _, body := admin.get(path + "?tab=lines"); !strings.Contains(body, "INV-1001") || !strings.Contains(body, "Download invoice") ||
		!strings.Contains(body, "Awaiting payment") {
		t.Error("the Time & parts tab lacks the issued invoice, or the job did not move to Awaiting payment")
	}
	res, body := admin.get(path + "/invoice/pdf")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
		res.Header.Get("Content-Disposition") != `attachment; filename=INV-1001.pdf` {
		t.Errorf("Download invoice = %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	send := path + "/invoice/send"
	if _, body := admin.get(send); !strings.Contains(body, `value="harbour.view@client.example" checked`) {
		t.Errorf("the send form does not tick the billing contact: %.2000s", body)
	}
	if res, body := admin.post(send, url.Values{}); res.StatusCode != 422 || !strings.Contains(body, "Tick at least one recipient") {
		t.Errorf("sending to no one = %d", res.StatusCode)
	}
	if res, _ := admin.post(send, url.Values{"to": {"spy@elsewhere.example"}}); res.StatusCode != 404 {
		t.Errorf("a forged recipient = %d, want 404", res.StatusCode)
	}
	var emails int
	if tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where kind = 'invoice'`).Scan(&emails); emails != 0 {
		t.Fatalf("%d invoice emails queued by refusals", emails)
	}
	if res, _ := admin.post(send, url.Values{"to": {"harbour.view@client.example"}, "custom": {"accounts@harbour.example"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending = %d", res.StatusCode)
	}
	var attached []string
	tdb.Owner.QueryRow(ctx, `select array_agg(a.name) from outbox_emails e join outbox_attachments a on a.company_id = e.company_id and a.email_id = e.id
		where e.kind = 'invoice'`).Scan(&attached)
	if len(attached) != 2 || attached[0] != "INV-1001.pdf" {
		t.Errorf("the queued invoice emails carry %v", attached)
	}
	if _, body := admin.get(path + "/invoice/dispatches"); !strings.Contains(body, "accounts@harbour.example") || !strings.Contains(body, "harbour.view@client.example") ||
		!strings.Contains(body, "pending") {
		t.Errorf("the dispatch log: %.3000s", body)
	}
	if _, body := admin.get(path + "?tab=messages"); !strings.Contains(body, "Invoice INV-1001 from Acme") {
		t.Error("Messages lacks the invoice email")
	}
	if res, _ := admin.post(path+"/invoice/paid", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Mark paid = %d", res.StatusCode)
	}
	var status string
	if tdb.Owner.QueryRow(ctx, `select status from jobs where id = $1`, job).Scan(&status); status != "completed" {
		t.Errorf("after payment the job is %s", status)
	}
	if res, _ := admin.post(path+"/invoice/paid", nil); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusConflict {
		t.Errorf("paid twice = %d", res.StatusCode)
	}

	routes := []probeRoute{
		{Method: "POST", Path: path + "/invoice"},
		{Method: "POST", Path: path + "/invoice/paid"},
		{Method: "GET", Path: path + "/invoice/pdf"},
		{Method: "GET", Path: path + "/invoice/send"},
		{Method: "POST", Path: send, Form: "to=harbour.view%40client.example"},
		{Method: "GET", Path: path + "/invoice/dispatches"},
		{Method: "GET", Path: path + "/communicate"},
		{Method: "GET", Path: path + "/text"},
		{Method: "POST", Path: path + "/text", Form: "to=%2B64215550123&body=Hi&consent=1"},
	}
	sub := signedIn(t, s, tdb, ts, acme, identity.RoleSubcontractor)
	coworker := signedIn(t, s, tdb, ts, acme, identity.RoleCoWorker)
	// The subcontractor goes on a visit of the job: it is in their list, with no billing in its menu.
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id) select $1, $2, max(id) from memberships where company_id = $1 and role = 'subcontractor'`, acme, job)
	if _, body := sub.get("/jobs"); !strings.Contains(body, "Leaking tap") || strings.Contains(body, "Download invoice") || strings.Contains(body, "Send customer communication") {
		t.Error("the subcontractor's job list: want the job, without billing actions")
	}
	if _, body := admin.get("/jobs"); !strings.Contains(body, "Download invoice") || !strings.Contains(body, "Send customer communication") {
		t.Error("the admin's job list lacks the billing actions")
	}
	assertProbe404(t, s, sub.asCookies(), routes)
	assertProbe404(t, s, coworker.asCookies(), routes)
}
