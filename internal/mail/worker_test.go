package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

const from = "fieldops <no-reply@fieldops.test>"

// startWorker runs a worker against tdb and m until the test ends (or the returned stop is called).
func startWorker(t *testing.T, tdb *dbtest.TestDB, smtp mail.SMTP, tune func(*mail.Worker)) (stop func()) {
	t.Helper()
	w := &mail.Worker{DB: tdb.DB, ListenURL: tdb.AppURL, SMTP: smtp, From: from, Files: files.Postgres{DB: tdb.DB},
		Log: slog.New(slog.DiscardHandler), Backoff: 50 * time.Millisecond, Poll: 100 * time.Millisecond}
	if tune != nil {
		tune(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Error("the worker did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// createCompany creates a company whose sending limits are lifted: these tests are about delivery, not limits.
func createCompany(t *testing.T, tdb *dbtest.TestDB, name string) int64 {
	t.Helper()
	co := tdb.CreateCompany(t, name)
	if _, err := tdb.Owner.Exec(context.Background(), `
		update companies set email_hourly_limit = 1000000, email_daily_limit = 1000000 where id = $1`, co); err != nil {
		t.Fatal(err)
	}
	return co
}

func enqueue(t *testing.T, tdb *dbtest.TestDB, company int64, e mail.Email) int64 {
	t.Helper()
	var id int64
	err := tdb.InCompany(context.Background(), company, func(tx pgx.Tx) (err error) {
		id, err = mail.Enqueue(context.Background(), tx, company, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func testEmail(to, subject string) mail.Email {
	return mail.Email{Kind: mail.KindTest, To: []string{to}, Subject: subject,
		Text: "Hello in text: " + subject, HTML: "<p>Hello in <b>HTML</b>: " + subject + "</p>"}
}

type row struct {
	Status    string
	Attempts  int
	LastError *string
	TextBody  string
	MessageID *string
	CreatedAt time.Time
}

func outboxRow(t *testing.T, tdb *dbtest.TestDB, id int64) row {
	t.Helper()
	rows, _ := tdb.Owner.Query(context.Background(),
		`select status, attempts, last_error, text_body, message_id, created_at from outbox_emails where id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[row])
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waitStatus polls until the email has status, or fails the test.
func waitStatus(t *testing.T, tdb *dbtest.TestDB, id int64, status string, within time.Duration) row {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := outboxRow(t, tdb, id)
		if r.Status == status {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %d is %s (attempts %d, error %v), want %s", id, r.Status, r.Attempts, r.LastError, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOutbox_CommittedEmailArrivesWithBothParts(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	startWorker(t, tdb, m.SMTP(), nil)

	id := enqueue(t, tdb, co, testEmail("ann@acme.example", "Your visit"))
	msgs := m.WaitFor(1, 10*time.Second)
	got := m.Message(msgs[0].ID)
	if got.Subject != "Your visit" || len(got.To) != 1 || got.To[0].Address != "ann@acme.example" {
		t.Errorf("arrived: %+v", got)
	}
	if !strings.Contains(got.Text, "Hello in text: Your visit") || !strings.Contains(got.HTML, "<b>HTML</b>") {
		t.Errorf("parts: text %q, html %q", got.Text, got.HTML)
	}
	if !randomMessageID.MatchString(got.MessageID) {
		t.Errorf("Message-ID %q, want 32 random hex digits @fieldops.test", got.MessageID)
	}
	r := waitStatus(t, tdb, id, "sent", 5*time.Second)
	if r.Attempts != 1 || r.MessageID == nil || *r.MessageID != got.MessageID {
		t.Errorf("row after sending: %+v, arrived with %q", r, got.MessageID)
	}
}

// randomMessageID is a Message-ID of 16 random bytes: nothing in it names the company or the row.
var randomMessageID = regexp.MustCompile(`^[0-9a-f]{32}@fieldops\.test$`)

// Every email gets its own random Message-ID at its first try and keeps it through every retry, so a copy sent
// twice is recognisable.
func TestOutbox_MessageIDIsRandomAndKeptAcrossTries(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.RefuseSenders(true)
	startWorker(t, tdb, m.SMTP(), nil)

	first := enqueue(t, tdb, co, testEmail("ann@acme.example", "refused at first"))
	deadline := time.Now().Add(10 * time.Second)
	for outboxRow(t, tdb, first).Attempts < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("not retried: %+v", outboxRow(t, tdb, first))
		}
		time.Sleep(20 * time.Millisecond)
	}
	atFirstTry := outboxRow(t, tdb, first).MessageID
	if atFirstTry == nil || !randomMessageID.MatchString(*atFirstTry) ||
		strings.Contains(*atFirstTry, fmt.Sprint(co)+".") || strings.Contains(*atFirstTry, "outbox") {
		t.Fatalf("Message-ID after the first tries: %v", atFirstTry)
	}
	m.RefuseSenders(false)
	second := enqueue(t, tdb, co, testEmail("bob@acme.example", "second"))
	waitStatus(t, tdb, first, "sent", 10*time.Second)
	waitStatus(t, tdb, second, "sent", 10*time.Second)
	ids := map[string]string{}
	for _, msg := range m.WaitFor(2, 5*time.Second) {
		ids[msg.Subject] = msg.MessageID
	}
	if ids["refused at first"] != *atFirstTry {
		t.Errorf("sent with Message-ID %q, but the first try had %q", ids["refused at first"], *atFirstTry)
	}
	if ids["second"] == ids["refused at first"] || !randomMessageID.MatchString(ids["second"]) {
		t.Errorf("two emails, Message-IDs %q", ids)
	}
}

func TestOutbox_RolledBackEmailIsNeverSent(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	startWorker(t, tdb, m.SMTP(), nil)

	boom := errors.New("the change failed")
	err := tdb.InCompany(context.Background(), co, func(tx pgx.Tx) error {
		if _, err := mail.Enqueue(context.Background(), tx, co, testEmail("ann@acme.example", "rolled back")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	// A committed email after it: once that one arrives, the worker has looked at the queue.
	enqueue(t, tdb, co, testEmail("ann@acme.example", "committed"))
	time.Sleep(300 * time.Millisecond) // past a few polls, so a wrongly queued email would have gone too
	msgs := m.WaitFor(1, 10*time.Second)
	if len(msgs) != 1 || msgs[0].Subject != "committed" {
		t.Errorf("arrived: %+v, want only the committed email", msgs)
	}
}

func TestOutbox_RetriesWhileSMTPRefusesThenDelivers(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.RefuseSenders(true)
	startWorker(t, tdb, m.SMTP(), nil)

	id := enqueue(t, tdb, co, testEmail("ann@acme.example", "refused at first"))
	deadline := time.Now().Add(10 * time.Second)
	for outboxRow(t, tdb, id).Attempts < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("not retried: %+v", outboxRow(t, tdb, id))
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := outboxRow(t, tdb, id)
	if r.Status == "sent" || r.LastError == nil ||
		!strings.HasPrefix(*r.LastError, "The mail server asked to try again later; it will be tried again until ") {
		t.Errorf("while refused: %+v", r)
	}
	assertPlain(t, *r.LastError, m.SMTP())
	m.RefuseSenders(false)
	waitStatus(t, tdb, id, "sent", 10*time.Second)
	if msgs := m.WaitFor(1, 5*time.Second); len(msgs) != 1 {
		t.Errorf("%d copies arrived, want 1", len(msgs))
	}
}

func TestOutbox_RetriesWhileSMTPIsDown(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.Stop()
	startWorker(t, tdb, m.SMTP(), nil)

	id := enqueue(t, tdb, co, testEmail("ann@acme.example", "server down"))
	deadline := time.Now().Add(10 * time.Second)
	for outboxRow(t, tdb, id).LastError == nil {
		if time.Now().After(deadline) {
			t.Fatal("no failed attempt recorded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Three days from when it was queued, as the Outbox page writes times.
	r := outboxRow(t, tdb, id)
	until := r.CreatedAt.Add(72 * time.Hour).UTC().Format("2 Jan 2006 15:04 UTC")
	if want := "The mail server was unreachable; it will be tried again until " + until + "."; *r.LastError != want {
		t.Errorf("last error %q, want %q", *r.LastError, want)
	}
	assertPlain(t, *r.LastError, m.SMTP())
	m.Restart()
	waitStatus(t, tdb, id, "sent", 15*time.Second)
	m.WaitFor(1, 5*time.Second)
}

// assertPlain fails the test when a reason shown to the company's admins names the mail server or quotes it.
func assertPlain(t *testing.T, reason string, smtp mail.SMTP) {
	t.Helper()
	for _, leak := range []string{smtp.Host, strconv.Itoa(smtp.Port), "Chaos", "dial", "tcp"} {
		if strings.Contains(reason, leak) {
			t.Errorf("the reason %q shows %q", reason, leak)
		}
	}
}

// While the mail server only asks to try later, an email is tried again and again until GiveUpAfter has passed
// since it was queued; only then is it failed.
func TestOutbox_GivesUpOnlyAfterGiveUpAfter(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.RefuseSenders(true)
	const giveUpAfter = 1500 * time.Millisecond
	startWorker(t, tdb, m.SMTP(), func(w *mail.Worker) { w.GiveUpAfter = giveUpAfter })
	id := enqueue(t, tdb, co, testEmail("ann@acme.example", "never"))

	deadline := time.Now().Add(15 * time.Second)
	for {
		var status string
		var age time.Duration
		err := tdb.Owner.QueryRow(context.Background(),
			`select status, clock_timestamp() - queued_at from outbox_emails where id = $1`, id).Scan(&status, &age)
		if err != nil {
			t.Fatal(err)
		}
		if status == "failed" {
			if age < giveUpAfter {
				t.Fatalf("failed %v after it was queued, before GiveUpAfter (%v)", age, giveUpAfter)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %s after %v", status, age)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := outboxRow(t, tdb, id)
	if r.Attempts < 4 {
		t.Errorf("failed after %d tries, want it tried again and again", r.Attempts)
	}
	if want := "The mail server asked to try again later; fieldops kept trying for 1.5s, then gave up."; *r.LastError != want {
		t.Errorf("last error %q, want %q", *r.LastError, want)
	}
}

// A recipient the server refuses for good (5xx) fails the email at once, with the address in the reason.
func TestOutbox_RefusedRecipientFailsAtOnce(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.RefuseRecipients(550)
	startWorker(t, tdb, m.SMTP(), nil)
	id := enqueue(t, tdb, co, testEmail("gone@acme.example", "to nobody"))
	r := waitStatus(t, tdb, id, "failed", 10*time.Second)
	if r.Attempts != 1 {
		t.Errorf("failed after %d tries, want 1", r.Attempts)
	}
	if want := "The mail server refused the recipient: gone@acme.example."; r.LastError == nil || *r.LastError != want {
		t.Errorf("last error %v, want %q", r.LastError, want)
	}
}

// An email with a private link that fails for good loses the link from its stored copy, as a sent one does; so
// Retry refuses it, and Retry all failed leaves it, rather than send the recipient a note instead of the link.
func TestOutbox_FailedSecretBodyIsRedacted(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	m.RefuseRecipients(550)
	startWorker(t, tdb, m.SMTP(), nil)
	e := testEmail("gone@acme.example", "Your invitation")
	e.Text, e.HTML, e.Secret = "Open https://app.example/invite/SECRET-TOKEN", `<a href="https://app.example/invite/SECRET-TOKEN">Accept</a>`, true
	secret := enqueue(t, tdb, co, e)
	plain := enqueue(t, tdb, co, testEmail("gone@acme.example", "Your visit"))
	r := waitStatus(t, tdb, secret, "failed", 10*time.Second)
	waitStatus(t, tdb, plain, "failed", 10*time.Second)
	var html string
	tdb.Owner.QueryRow(context.Background(), `select html_body from outbox_emails where id = $1`, secret).Scan(&html)
	if strings.Contains(r.TextBody, "SECRET-TOKEN") || strings.Contains(html, "SECRET-TOKEN") || !strings.Contains(r.TextBody, "private link") {
		t.Errorf("the token is still stored: %q %q", r.TextBody, html)
	}
	if got := outboxRow(t, tdb, plain).TextBody; got != "Hello in text: Your visit" {
		t.Errorf("an email without a secret lost its body: %q", got)
	}

	ctx := context.Background()
	err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return mail.Retry(ctx, tx, co, secret) })
	if !errors.Is(err, mail.ErrLinkRemoved) {
		t.Errorf("Retry of the redacted email = %v, want ErrLinkRemoved", err)
	}
	var done mail.Requeued
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
		done, err = mail.RetryFailed(ctx, tx, co)
		return err
	})
	if err != nil || done != (mail.Requeued{Queued: 1, LinkRemoved: 1}) {
		t.Errorf("Retry all failed = %+v, %v; want the plain one queued, the redacted one left", done, err)
	}
	if got := outboxRow(t, tdb, secret).Status; got != "failed" {
		t.Errorf("the redacted email is %s, want failed", got)
	}
}

// A worker killed mid-send leaves its row in sending; when the lease lapses another worker sends it.
func TestOutbox_RescuesAnEmailLeftInSending(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	id := enqueue(t, tdb, co, testEmail("ann@acme.example", "orphaned"))
	// What a killed worker leaves: claimed, lease running.
	if _, err := tdb.Owner.Exec(context.Background(), `select * from outbox_claim(10, interval '1 second', 'fieldops.test')`); err != nil {
		t.Fatal(err)
	}
	if r := outboxRow(t, tdb, id); r.Status != "sending" {
		t.Fatalf("after the claim: %+v", r)
	}
	startWorker(t, tdb, m.SMTP(), nil)
	r := waitStatus(t, tdb, id, "sent", 15*time.Second)
	if r.Attempts != 2 {
		t.Errorf("attempts %d, want 2 (the killed one and the rescue)", r.Attempts)
	}
	if msgs := m.WaitFor(1, 5*time.Second); len(msgs) != 1 {
		t.Errorf("%d copies", len(msgs))
	}
}

func TestOutbox_TwoWorkersNeverSendTheSameRowTwice(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	acme, bolt := createCompany(t, tdb, "Acme"), createCompany(t, tdb, "Bolt")
	const burst = 500
	ctx := context.Background()
	for _, co := range []int64{acme, bolt} {
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
			for i := range burst / 2 {
				if _, err := mail.Enqueue(ctx, tx, co, testEmail(fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("burst %d-%d", co, i))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	startWorker(t, tdb, m.SMTP(), nil)
	startWorker(t, tdb, m.SMTP(), nil)

	deadline := time.Now().Add(90 * time.Second)
	for {
		var sent int
		tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where status = 'sent'`).Scan(&sent)
		if sent == burst {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sent", sent, burst)
		}
		time.Sleep(100 * time.Millisecond)
	}
	msgs := m.WaitFor(burst, 10*time.Second)
	seen := map[string]bool{}
	for _, msg := range msgs {
		if seen[msg.MessageID] {
			t.Errorf("%s arrived twice", msg.MessageID)
		}
		seen[msg.MessageID] = true
	}
	if len(msgs) != burst {
		t.Errorf("%d messages arrived, want %d", len(msgs), burst)
	}
}

func TestOutbox_SecretBodyIsRedactedOnceSent(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	startWorker(t, tdb, m.SMTP(), nil)
	e := testEmail("ann@acme.example", "Your invitation")
	e.Text, e.HTML, e.Secret = "Open https://app.example/invite/SECRET-TOKEN", `<a href="https://app.example/invite/SECRET-TOKEN">Accept</a>`, true
	id := enqueue(t, tdb, co, e)
	r := waitStatus(t, tdb, id, "sent", 10*time.Second)
	var html string
	tdb.Owner.QueryRow(context.Background(), `select html_body from outbox_emails where id = $1`, id).Scan(&html)
	if strings.Contains(r.TextBody, "SECRET-TOKEN") || strings.Contains(html, "SECRET-TOKEN") {
		t.Errorf("the token is still stored: %q %q", r.TextBody, html)
	}
	if got := m.Message(m.WaitFor(1, 5*time.Second)[0].ID); !strings.Contains(got.Text, "SECRET-TOKEN") {
		t.Errorf("the recipient did not get the link: %q", got.Text)
	}
}

// On shutdown the worker hands back what it claimed: nothing is left in sending.
func TestOutbox_ShutdownReleasesClaims(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	for i := range 60 {
		enqueue(t, tdb, co, testEmail("ann@acme.example", fmt.Sprint("mail ", i)))
	}
	stop := startWorker(t, tdb, m.SMTP(), func(w *mail.Worker) { w.Senders = 1 })
	m.WaitFor(5, 10*time.Second)
	stop()
	var sending, sent int
	tdb.Owner.QueryRow(context.Background(), `
		select count(*) filter (where status = 'sending'), count(*) filter (where status = 'sent') from outbox_emails`).Scan(&sending, &sent)
	if sending != 0 {
		t.Errorf("%d emails left in sending after shutdown", sending)
	}
	if arrived := len(m.Messages()); arrived != sent {
		t.Errorf("%d arrived but %d marked sent", arrived, sent)
	}
}

// An email carries the company's files: each arrives with its name, type and the very bytes stored. A file deleted
// before the email goes out fails it for good, with the reason in words on the Outbox page.
func TestOutbox_Attachments(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	ctx := context.Background()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 64<<10)...) // binary, 256 KB
	file := func(name string) (id int64) {
		err := tdb.Owner.QueryRow(ctx, `
			with c as (insert into clients (company_id, name) values ($1, 'C') returning id),
			     s as (insert into sites (company_id, client_id, name, address) select $1, id, 'S', 'A' from c returning id),
			     f as (insert into files (company_id, site_id, name, content_type, size) select $1, id, $2, 'application/pdf', $3 from s returning id)
			insert into file_blobs (company_id, file_id, variant, data) select $1, id, 'original', $4 from f returning file_id`,
			co, name, len(pdf), pdf).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	quote, gone := file("quote.pdf"), file("old.pdf")
	e := testEmail("client@acme.example", "Your quote")
	e.Attachments = []mail.Attachment{{FileID: quote, Name: "quote.pdf", ContentType: "application/pdf"}}
	sent := enqueue(t, tdb, co, e)
	e.Subject, e.Attachments = "The old one", []mail.Attachment{{FileID: gone, Name: "old.pdf", ContentType: "application/pdf"}}
	failed := enqueue(t, tdb, co, e)
	tdb.Owner.Exec(ctx, `delete from files where id = $1`, gone)
	startWorker(t, tdb, m.SMTP(), nil)
	waitStatus(t, tdb, sent, "sent", 10*time.Second)
	got := m.Message(m.WaitFor(1, 5*time.Second)[0].ID)
	if len(got.Attachments) != 1 || got.Attachments[0].FileName != "quote.pdf" || got.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("attachments: %+v", got.Attachments)
	}
	if b := m.Part(got.ID, got.Attachments[0].PartID); !bytes.Equal(b, pdf) {
		t.Errorf("the attachment's bytes differ: %d bytes, want %d", len(b), len(pdf))
	}
	r := waitStatus(t, tdb, failed, "failed", 10*time.Second)
	if r.LastError == nil || !strings.Contains(*r.LastError, "The attached file old.pdf was deleted before the email went out") {
		t.Errorf("the email whose file was deleted: %v", r.LastError)
	}
}

// A worker without file storage cannot send what emails carry: it refuses to start rather than fail them.
func TestWorker_NeedsFiles(t *testing.T) {
	tdb := dbtest.New(t)
	w := &mail.Worker{DB: tdb.DB, ListenURL: tdb.AppURL, From: from, Log: slog.New(slog.DiscardHandler)}
	if err := w.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "Worker.Files") {
		t.Errorf("Run without Files = %v", err)
	}
}
