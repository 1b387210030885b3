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

// A client user with View messages replies on their job: the office sees it on the Messages tab marked from the
// client, the job is back in From clients (the admin's Jobs badge) until opened; an empty or oversized reply is
// refused in words; another client's job is a 404. Without View messages there is no form and a forged reply is a
// 403; nothing is saved.
func TestPortal_Replies(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{ViewMessages: true})
	ctx := context.Background()
	job := fmt.Sprintf("/portal/jobs/%d", f.jobA)
	if _, body := f.fran.get(job); !strings.Contains(body, "Send reply") {
		t.Fatal("no reply form with View messages")
	}
	for form, want := range map[string]string{"": "Write your message first.", strings.Repeat("x", 5001): "Use at most 5000 characters."} {
		if res, body := f.fran.post(job+"/messages", url.Values{"body": {form}}); res.StatusCode != 422 || !strings.Contains(body, want) {
			t.Errorf("a reply of %d characters = %d, want 422 with %q", len(form), res.StatusCode, want)
		}
	}
	badge := func() bool {
		_, body := f.admin.get("/clients")
		return strings.Contains(body, `title="New jobs from clients">1<`)
	}
	if badge() {
		t.Fatal("the Jobs badge is up before any reply")
	}
	// visible_to_client=0 is ignored: a client's reply is never internal.
	if res, _ := f.fran.post(job+"/messages", url.Values{"body": {"Ring the buzzer for unit 4"}, "visible_to_client": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply = %d", res.StatusCode)
	}
	if !badge() {
		t.Error("the admin's Jobs badge did not rise for the reply")
	}
	if _, body := f.admin.get(fmt.Sprintf("/jobs/%d?tab=messages", f.jobA)); !strings.Contains(body, "Ring the buzzer for unit 4") || !strings.Contains(body, "from the client") {
		t.Error("the office's Messages tab lacks the reply marked from the client")
	}
	// With Job Share, the job's dashboard shows the reply too.
	raw := "replytokenreplytokenreplytokenreplytokenrep"
	f.tdb.Owner.Exec(ctx, `insert into share_links (company_id, job_id, token_hash, recipient) values ($1, $2, sha256($3::bytea), 'a@b.example')`, f.acme, f.jobA, raw)
	dash := httptest.NewRecorder()
	f.s.ServeHTTP(dash, httptest.NewRequest("GET", "/share/"+raw, nil))
	if dash.Code != 200 || !strings.Contains(dash.Body.String(), "Ring the buzzer for unit 4") {
		t.Errorf("the dashboard = %d, without the client's reply", dash.Code)
	}
	if res, _ := f.fran.post(fmt.Sprintf("/portal/jobs/%d/messages", f.jobB), url.Values{"body": {"hi"}}); res.StatusCode != 404 {
		t.Errorf("a reply on another client's job = %d, want 404", res.StatusCode)
	}
	var replies int
	f.tdb.Owner.QueryRow(ctx, `select count(*) from job_messages where from_client and visible_to_client`).Scan(&replies)
	if replies != 1 {
		t.Errorf("%d replies stored, want 1", replies)
	}
	// Without View messages: no form, and a forged reply is refused.
	f.tdb.Owner.Exec(ctx, `update memberships set perm_view_messages = false where id = $1`, f.franID)
	if _, body := f.fran.get(job); strings.Contains(body, "Send reply") {
		t.Error("a reply form without View messages")
	}
	if res, _ := f.fran.post(job+"/messages", url.Values{"body": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a forged reply without View messages = %d, want 403", res.StatusCode)
	}
	f.tdb.Owner.QueryRow(ctx, `select count(*) from job_messages where from_client`).Scan(&replies)
	if replies != 1 {
		t.Errorf("%d replies after the forged one, want 1", replies)
	}
}

// View messages is one timeline, newest last: the note marked for the client, the email the office sent to the
// client's address (its subject, body and the names of the files it carried), and the client's reply — never the
// internal note or the email to a supplier. The composer refuses a file of another job as forged.
func TestPortal_Timeline(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{ViewMessages: true})
	ctx := context.Background()
	office := fmt.Sprintf("/jobs/%d", f.jobA)
	var quote, other int64
	f.tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size) values ($1, $2, 'quote.pdf', 'application/pdf', 9) returning id`, f.acme, f.jobA).Scan(&quote)
	f.tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size) values ($1, $2, 'bakery.pdf', 'application/pdf', 9) returning id`, f.acme, f.jobB).Scan(&other)
	if res, _ := f.admin.post(office+"/email", url.Values{"to": {"harbour.view@client.example"}, "subject": {"Forged"}, "body": {"x"}, "files": {fmt.Sprint(other)}}); res.StatusCode != 404 {
		t.Errorf("attaching another job's file = %d, want 404", res.StatusCode)
	}
	for _, form := range []url.Values{
		{"to": {"harbour.view@client.example"}, "subject": {"Your quote"}, "body": {"Here it is."}, "files": {fmt.Sprint(quote)}},
		{"custom": {"orders@pipes.example"}, "subject": {"Order for the supplier"}, "body": {"Two elbows."}},
	} {
		if res, body := f.admin.post(office+"/email", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %s = %d: %.500s", form.Get("subject"), res.StatusCode, body)
		}
	}
	if res, _ := f.fran.post(fmt.Sprintf("/portal/jobs/%d/messages", f.jobA), url.Values{"body": {"Thanks, go ahead."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply = %d", res.StatusCode)
	}
	_, body := f.fran.get(fmt.Sprintf("/portal/jobs/%d", f.jobA))
	at := func(s string) int { return strings.Index(body, s) }
	if at("We will call first") < 0 || at("Your quote") < at("We will call first") || at("Attached: quote.pdf") < at("Your quote") ||
		at("Thanks, go ahead.") < at("Attached: quote.pdf") {
		t.Errorf("the timeline, newest last: note %d, email %d, attachment %d, reply %d", at("We will call first"), at("Your quote"),
			at("Attached: quote.pdf"), at("Thanks, go ahead."))
	}
	for _, never := range []string{"margin is thin", "Order for the supplier", "Two elbows", "orders@pipes.example", "Forged"} {
		if strings.Contains(body, never) {
			t.Errorf("the client's timeline shows %q", never)
		}
	}
}
