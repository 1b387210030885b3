package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

// queueEmails enqueues n emails for company, to recipients named by i, and returns their ids in order. The
// company's sending limits are lifted first: these tests are about the outbox, not the limits.
func queueEmails(t *testing.T, tdb *dbtest.TestDB, company int64, n int, to func(i int) string) []int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := tdb.Owner.Exec(ctx, `
		update companies set email_hourly_limit = 1000000, email_daily_limit = 1000000 where id = $1`, company); err != nil {
		t.Fatal(err)
	}
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
		if strings.Count(body, `<tr id="email-`) != 1 || strings.Contains(body, `/retry"`) {
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
	startTestWorkerWith(t, tdb, m.SMTP(), nil)
}

// startTestWorkerWith runs a worker sending to smtp, tuned by tune (when not nil), until the test ends.
func startTestWorkerWith(t *testing.T, tdb *dbtest.TestDB, smtp mail.SMTP, tune func(*mail.Worker)) {
	t.Helper()
	w := &mail.Worker{DB: tdb.DB, ListenURL: tdb.AppURL, SMTP: smtp, From: "fieldops <no-reply@fieldops.test>", Files: files.Postgres{DB: tdb.DB},
		Log: slog.New(slog.DiscardHandler), Poll: 100 * time.Millisecond}
	if tune != nil {
		tune(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// outboxRow returns the row of email id on the Outbox page body, or fails the test.
func outboxRow(t *testing.T, body string, id int64) string {
	t.Helper()
	start := strings.Index(body, fmt.Sprintf(`<tr id="email-%d"`, id))
	if start < 0 {
		t.Fatalf("email %d is not on the page", id)
	}
	end := strings.Index(body[start:], "</tr>")
	return body[start : start+end]
}

// A failed email's row says why in words; the mail server's host, port and answer stay in the server log.
func TestOutbox_FailureReasonHidesTheMailServer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		arrange func(m *mailtest.Mailpit)
		reason  string
	}{
		{"server down past GiveUpAfter", func(m *mailtest.Mailpit) { m.Stop() },
			"The mail server was unreachable; fieldops kept trying for 300ms, then gave up."},
		{"recipient refused", func(m *mailtest.Mailpit) { m.RefuseRecipients(550) },
			"The mail server refused the recipient: gone@acme.example."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, tdb, _ := newTestServer(t)
			ts := httptest.NewServer(s)
			defer ts.Close()
			m := mailtest.Start(t)
			acme := tdb.CreateCompany(t, "Acme")
			admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
			tc.arrange(m)
			var logs strings.Builder
			startTestWorkerWith(t, tdb, m.SMTP(), func(w *mail.Worker) {
				w.GiveUpAfter, w.Backoff = 300*time.Millisecond, 50*time.Millisecond
				w.Log = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs}, nil))
			})
			ids := queueEmails(t, tdb, acme, 1, func(int) string { return "gone@acme.example" })
			waitForOutbox(t, tdb, ids[0], "failed")

			_, body := admin.get("/outbox")
			row := outboxRow(t, body, ids[0])
			if !strings.Contains(row, tc.reason) {
				t.Errorf("the row does not say %q: %s", tc.reason, row)
			}
			port := strconv.Itoa(m.SMTPPort)
			for _, leak := range []string{"127.0.0.1", port, "Chaos", "dial tcp"} {
				if strings.Contains(row, leak) {
					t.Errorf("the row shows %q: %s", leak, row)
				}
			}
			if l := logs.String(); !strings.Contains(l, "smtp_host=127.0.0.1") || !strings.Contains(l, "smtp_port="+port) {
				t.Errorf("the server log lacks the detail: %s", l)
			}
		})
	}
}

// lockedWriter lets the worker's goroutines write one log.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Retry all failed queues every failed email of the company again in one go, but for those whose private link was
// removed; another company's failed emails stay as they are.
func TestOutbox_RetryAllFailed(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	ids := queueEmails(t, tdb, acme, 4, func(i int) string { return fmt.Sprintf("late%d@acme.example", i) })
	for _, id := range ids[:3] {
		setStatus(t, tdb, id, "failed", "The mail server was unreachable; fieldops kept trying for 3 days, then gave up.")
	}
	setStatus(t, tdb, ids[3], "sent", "")
	redactFailed(t, tdb, ids[2])
	other := queueEmails(t, tdb, bolt, 1, func(int) string { return "x@bolt.example" })
	setStatus(t, tdb, other[0], "failed", "x")

	_, body := admin.get("/outbox")
	if !strings.Contains(body, `action="/outbox/retry-failed"`) || !strings.Contains(body, "Retry all failed (2)") {
		t.Errorf("no Retry all failed button for 2 emails: %.3000s", body)
	}
	startTestWorker(t, tdb, m)
	res, _ := admin.post("/outbox/retry-failed", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/outbox" {
		t.Fatalf("retry all failed = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = admin.get("/outbox")
	if want := "2 emails are queued to be sent again. 1 failed email held a private link, removed when it failed: send a new one from where it came from."; !strings.Contains(body, want) {
		t.Errorf("no notice %q", want)
	}
	waitForOutbox(t, tdb, ids[0], "sent")
	waitForOutbox(t, tdb, ids[1], "sent")
	if got := len(m.WaitFor(2, 10*time.Second)); got != 2 {
		t.Errorf("%d emails arrived, want 2", got)
	}
	for _, id := range []int64{ids[2], other[0]} {
		var status string
		tdb.Owner.QueryRow(context.Background(), `select status from outbox_emails where id = $1`, id).Scan(&status)
		if status != "failed" {
			t.Errorf("email %d is %s, want it left failed", id, status)
		}
	}
	if _, body = admin.get("/outbox"); strings.Contains(body, "Retry all failed") {
		t.Error("Retry all failed still shows with nothing left to retry")
	}
	if res, _ := admin.post("/outbox/retry-failed", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("retry all failed with none = %d", res.StatusCode)
	}
	if _, body = admin.get("/outbox"); !strings.Contains(body, "No failed emails to send again. 1 failed email held a private link") {
		t.Error("no notice when nothing was left to retry")
	}

	coworker := signedIn(t, s, tdb, ts, acme, identity.RoleCoWorker)
	if res, _ := coworker.post("/outbox/retry-failed", nil); res.StatusCode != 404 {
		t.Errorf("co-worker retry all failed = %d, want 404", res.StatusCode)
	}
}

// redactFailed makes email id what an email with a private link is once it failed for good.
func redactFailed(t *testing.T, tdb *dbtest.TestDB, id int64) {
	t.Helper()
	if _, err := tdb.Owner.Exec(context.Background(), `
		update outbox_emails
		   set status = 'failed', redact = true, text_body = '[This email held a private link. It was removed when sending failed.]'
		 where id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

// An email whose private link was removed when it failed has no Retry: sending the stored copy would give the
// recipient a note instead of the link. The row says what to do instead, and a Retry posted anyway says so too.
func TestOutbox_RetryRefusesARemovedLink(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	ids := queueEmails(t, tdb, acme, 1, func(int) string { return "new.hire@acme.example" })
	redactFailed(t, tdb, ids[0])

	_, body := admin.get("/outbox")
	row := outboxRow(t, body, ids[0])
	if strings.Contains(row, "/retry") || !strings.Contains(row, "It held a private link, removed when it failed: send a new one from where it came from.") {
		t.Errorf("row of a redacted email: %s", row)
	}
	if strings.Contains(body, "Retry all failed") {
		t.Error("Retry all failed shows for an email it would not queue")
	}
	res, _ := admin.post(fmt.Sprintf("/outbox/%d/retry", ids[0]), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry = %d", res.StatusCode)
	}
	if _, body := admin.get("/outbox"); !strings.Contains(body, "That email was not sent again: it held a private link, removed when it failed.") {
		t.Error("no notice saying why the email was not sent again")
	}
	waitForOutbox(t, tdb, ids[0], "failed")
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
