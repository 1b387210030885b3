package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

// queueEmails enqueues n emails for company, to recipients named by i, and returns their ids in order.
func queueEmails(t *testing.T, tdb *dbtest.TestDB, company int64, n int, to func(i int) string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := tdb.InCompany(ctx, company, func(tx pgx.Tx) error {
		for i := range n {
			id, err := mail.Enqueue(ctx, tx, company, mail.Email{Kind: mail.KindTest, To: []string{to(i)},
				Subject: fmt.Sprintf("Email %d", i), Text: "t", HTML: "<p>h</p>"})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func setStatus(t *testing.T, tdb *dbtest.TestDB, id int64, status, lastError string) {
	t.Helper()
	if _, err := tdb.Owner.Exec(context.Background(),
		`update outbox_emails set status = $2, last_error = nullif($3, ''), attempts = 8 where id = $1`, id, status, lastError); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxPage(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)

	_, body := admin.get("/outbox")
	if !strings.Contains(body, "No emails yet") {
		t.Errorf("empty outbox has no empty state: %.400s", body)
	}

	ids := queueEmails(t, tdb, acme, 120, func(i int) string { return fmt.Sprintf("client%d@example.com", i) })
	setStatus(t, tdb, ids[7], "failed", "The mail server refused the email: 550 mailbox unavailable")
	setStatus(t, tdb, ids[8], "sent", "")

	t.Run("newest first, 50 a page, keyset paging", func(t *testing.T) {
		_, body := admin.get("/outbox")
		if strings.Count(body, `<tr id="email-`) != 50 || !strings.Contains(body, "Email 119 <span") || strings.Contains(body, "Email 69 <span") {
			t.Fatalf("first page wrong: %d rows", strings.Count(body, `<tr id="email-`))
		}
		older := fmt.Sprintf(`/outbox?before=%d`, ids[70])
		if !strings.Contains(body, `href="`+older+`"`) {
			t.Fatalf("no Older link to %s", older)
		}
		_, body = admin.get(older)
		if strings.Count(body, `<tr id="email-`) != 50 || !strings.Contains(body, "Email 69 <span") || !strings.Contains(body, "← Previous") {
			t.Errorf("second page wrong")
		}
		_, body = admin.get(fmt.Sprintf(`/outbox?before=%d`, ids[20]))
		if strings.Count(body, `<tr id="email-`) != 20 || strings.Contains(body, "Next →") {
			t.Errorf("last page: %d rows", strings.Count(body, `<tr id="email-`))
		}
	})
	t.Run("a failure shows why, with Retry", func(t *testing.T) {
		_, body := admin.get("/outbox?status=failed")
		if strings.Count(body, `<tr id="email-`) != 1 || !strings.Contains(body, "550 mailbox unavailable") ||
			!strings.Contains(body, fmt.Sprintf(`action="/outbox/%d/retry"`, ids[7])) {
			t.Errorf("failed filter: %.2000s", body)
		}
		_, body = admin.get("/outbox?status=sent")
		if strings.Count(body, `<tr id="email-`) != 1 || strings.Contains(body, "/retry") {
			t.Errorf("sent filter shows %d rows", strings.Count(body, `<tr id="email-`))
		}
	})
	t.Run("search by recipient", func(t *testing.T) {
		_, body := admin.get("/outbox?recipient=CLIENT11@")
		if strings.Count(body, `<tr id="email-`) != 1 || !strings.Contains(body, "client11@example.com") {
			t.Errorf("search found %d", strings.Count(body, `<tr id="email-`))
		}
		res, body := admin.get("/outbox?recipient=" + url.QueryEscape(`%_\`))
		if res.StatusCode != 200 || !strings.Contains(body, "No emails match this filter") {
			t.Errorf("LIKE characters: %d", res.StatusCode)
		}
	})
	t.Run("bad input answers in words", func(t *testing.T) {
		res, body := admin.get("/outbox?status=exploded")
		if res.StatusCode != 422 || !strings.Contains(body, "Choose a status from the list.") {
			t.Errorf("unknown status = %d", res.StatusCode)
		}
		res, body = admin.get("/outbox?recipient=" + strings.Repeat("a", 300))
		if res.StatusCode != 422 || !strings.Contains(body, "Search with at most 254 characters.") {
			t.Errorf("long search = %d", res.StatusCode)
		}
		if res, _ := admin.get("/outbox?before=garbage"); res.StatusCode != 200 {
			t.Errorf("mangled cursor = %d, want the newest page", res.StatusCode)
		}
		if res, _ := admin.post("/outbox/abc/retry", nil); res.StatusCode != 404 {
			t.Errorf("retry of a non-number = %d", res.StatusCode)
		}
		if res, _ := admin.post(fmt.Sprintf("/outbox/%d/retry", ids[8]), nil); res.StatusCode != http.StatusConflict {
			t.Errorf("retry of a sent email = %d, want 409", res.StatusCode)
		}
	})
	t.Run("admins only", func(t *testing.T) {
		coworker := signedIn(t, s, tdb, ts, acme, identity.RoleCoWorker)
		if res, _ := coworker.get("/outbox"); res.StatusCode != 404 {
			t.Errorf("co-worker GET /outbox = %d, want 404", res.StatusCode)
		}
		if res, _ := coworker.post(fmt.Sprintf("/outbox/%d/retry", ids[7]), nil); res.StatusCode != 404 {
			t.Errorf("co-worker retry = %d, want 404", res.StatusCode)
		}
		if res, _ := newClient(t, ts).get("/outbox"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Foutbox" {
			t.Errorf("visitor → %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// The admin sees the failure, presses Retry, and the worker delivers it to a real SMTP server.
func TestOutbox_RetryDelivers(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	ids := queueEmails(t, tdb, acme, 1, func(int) string { return "late@acme.example" })
	setStatus(t, tdb, ids[0], "failed", "The mail server refused the connection (is it running?)")
	startTestWorker(t, tdb, m)

	res, _ := admin.post(fmt.Sprintf("/outbox/%d/retry", ids[0]), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry = %d", res.StatusCode)
	}
	if _, body := admin.get("/outbox"); !strings.Contains(body, "The email is queued to be sent again.") {
		t.Error("no confirmation after Retry")
	}
	msgs := m.WaitFor(1, 10*time.Second)
	if msgs[0].To[0].Address != "late@acme.example" {
		t.Errorf("delivered %+v", msgs[0])
	}
	waitForOutbox(t, tdb, ids[0], "sent")
}

func TestOutbox_TestEmail(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	acme := tdb.CreateCompany(t, "Acme <Plumbing>")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	startTestWorker(t, tdb, m)
	if res, _ := admin.post("/outbox/test", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("test email = %d", res.StatusCode)
	}
	got := m.Message(m.WaitFor(1, 10*time.Second)[0].ID)
	if got.Subject != "Test email from Acme <Plumbing>" || !strings.Contains(got.Text, "This test email from Acme <Plumbing> arrived") ||
		!strings.Contains(got.HTML, "Acme &lt;Plumbing&gt;") || !strings.Contains(got.Text, "http://example.test/outbox") {
		t.Errorf("test email: subject %q\ntext %q\nhtml %q", got.Subject, got.Text, got.HTML)
	}
}

func startTestWorker(t *testing.T, tdb *dbtest.TestDB, m *mailtest.Mailpit) {
	t.Helper()
	w := &mail.Worker{DB: tdb.DB, ListenURL: tdb.AppURL, SMTP: m.SMTP(), From: "fieldops <no-reply@fieldops.test>",
		Log: slog.New(slog.DiscardHandler), Poll: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitForOutbox(t *testing.T, tdb *dbtest.TestDB, id int64, status string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got string
		tdb.Owner.QueryRow(context.Background(), `select status from outbox_emails where id = $1`, id).Scan(&got)
		if got == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %d is %s, want %s", id, got, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
