package share

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
)

// letters render a letter as its body and link, enough to find the link again.
var letters = Letters{BaseURL: "http://example.test", Render: func(_ context.Context, l Letter) (mail.Email, error) {
	return mail.Email{Subject: l.Subject, Text: l.Body + "\n" + l.Link, HTML: "<p>" + l.Link + "</p>"}, nil
}}

var linkRE = regexp.MustCompile(`/share/([A-Za-z0-9_-]{43})`)

type fixture struct {
	tdb                    *dbtest.TestDB
	co, client, admin, job int64
	by                     jobs.Actor
}

func newFixture(t *testing.T, tdb *dbtest.TestDB, jobShare bool) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{tdb: tdb, co: tdb.CreateCompany(t, "Acme")}
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, email, job_share) values ($1, 'Harbour View', 'ops@harbour.example', $2) returning id`,
		f.co, jobShare).Scan(&f.client)
	tdb.Owner.QueryRow(ctx, `
		with a as (insert into accounts (email, name, password_hash) values ($2, 'Ann Admin', 'x') returning id)
		insert into memberships (company_id, account_id, role) select $1, id, 'admin' from a returning id`,
		f.co, fmt.Sprintf("ann.%d@acme.example", f.co)).Scan(&f.admin)
	f.by = jobs.Actor{MembershipID: f.admin, Name: "Ann Admin"}
	// jobs.Create tells the announcer, as every path that adds a job does.
	err := tdb.InCompany(ctx, f.co, func(tx pgx.Tx) (err error) {
		f.job, _, err = jobs.Create(ctx, tx, f.co, jobs.Everything, f.by, jobs.Form{ClientID: f.client, Title: "Fix leak"}, letters)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) queuedLinks(t *testing.T) []string {
	t.Helper()
	rows, _ := f.tdb.Owner.Query(context.Background(), `select text_body from outbox_emails where company_id = $1 order by id`, f.co)
	bodies, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	var raws []string
	for _, b := range bodies {
		if m := linkRE.FindStringSubmatch(b); m != nil {
			raws = append(raws, m[1])
		}
	}
	return raws
}

func TestLetters_JobAdded(t *testing.T) {
	tdb := dbtest.New(t)
	on, off := newFixture(t, tdb, true), newFixture(t, tdb, false)
	ctx := context.Background()
	if links := on.queuedLinks(t); len(links) != 1 {
		t.Fatalf("Job Share on: %d links emailed, want 1", len(links))
	}
	if links := off.queuedLinks(t); len(links) != 0 {
		t.Errorf("Job Share off: %d links emailed", len(links))
	}
	var what string
	tdb.Owner.QueryRow(ctx, `select what from job_history where job_id = $1 order by id desc limit 1`, on.job).Scan(&what)
	if what != "Job Share link emailed to ops@harbour.example" {
		t.Errorf("history: %q", what)
	}
	// The email is on the client's timeline, without its link.
	var subject, body string
	tdb.Owner.QueryRow(ctx, `select subject, body from job_messages where job_id = $1 and visible_to_client`, on.job).Scan(&subject, &body)
	if !strings.Contains(subject, "your job") || !strings.Contains(body, "No login needed.") || strings.Contains(body, "/share/") {
		t.Errorf("the Job Share email on the timeline: %q, %q", subject, body)
	}
	o, err := Open(ctx, tdb.Pool, on.queuedLinks(t)[0], nil)
	if err != nil || o.JobID != on.job || o.CompanyID != on.co {
		t.Errorf("Open = %+v, %v", o, err)
	}
}

func TestOpenRevokeExpire(t *testing.T) {
	tdb := dbtest.New(t)
	f := newFixture(t, tdb, true)
	ctx := context.Background()
	raw := f.queuedLinks(t)[0]
	opens := NewOpens(tdb.Pool)
	for range 3 {
		Open(ctx, tdb.Pool, raw, opens)
	}
	Open(ctx, tdb.Pool, raw, nil) // a file download is not an open
	if err := opens.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var links []Link
	tdb.Read(ctx, f.co, func(b *pgx.Batch) { QueueLinks(b, f.co, f.job, &links) })
	if len(links) != 1 || links[0].Opens != 3 || links[0].LastOpened == nil {
		t.Fatalf("links %+v", links)
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", 5000), raw + "x"} {
		if _, err := Open(ctx, tdb.Pool, bad, opens); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("Open(%.20q) = %v, want ErrNotFound", bad, err)
		}
	}
	// Expired: the company is named, no job.
	tdb.Owner.Exec(ctx, `update share_links set expires_at = now() - interval '1 minute'`)
	if o, err := Open(ctx, tdb.Pool, raw, opens); err != nil || !o.Expired || o.CompanyName != "Acme" || o.JobID != 0 {
		t.Errorf("expired: %+v %v", o, err)
	}
	tdb.Owner.Exec(ctx, `update share_links set expires_at = null`)
	err := tdb.InCompany(ctx, f.co, func(tx pgx.Tx) error { return Revoke(ctx, tx, f.co, jobs.Everything, f.by, f.job, links[0].ID) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, tdb.Pool, raw, opens); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a revoked link: %v", err)
	}
	err = tdb.InCompany(ctx, f.co, func(tx pgx.Tx) error { return Revoke(ctx, tx, f.co, jobs.Everything, f.by, f.job, links[0].ID) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}
}

// TestOpen_CountedPerLinkAndDay: a script opening a link in a loop grows no table: opens are one row per link
// and day, and History still shows their number.
func TestOpen_CountedPerLinkAndDay(t *testing.T) {
	tdb := dbtest.New(t)
	f := newFixture(t, tdb, true)
	ctx := context.Background()
	raw := f.queuedLinks(t)[0]
	opens := NewOpens(tdb.Pool)
	for range 200 {
		if _, err := Open(ctx, tdb.Pool, raw, opens); err != nil {
			t.Fatal(err)
		}
	}
	var pending []Link
	tdb.Read(ctx, f.co, func(b *pgx.Batch) { QueueLinks(b, f.co, f.job, &pending) })
	opens.Include(f.co, pending)
	if len(pending) != 1 || pending[0].Opens != 200 {
		t.Errorf("before the flush, History with this instance's counts: %+v", pending)
	}
	if err := opens.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	tdb.Owner.QueryRow(ctx, `select count(*) from share_link_days where company_id = $1`, f.co).Scan(&rows)
	var links []Link
	tdb.Read(ctx, f.co, func(b *pgx.Batch) { QueueLinks(b, f.co, f.job, &links) })
	if rows != 1 || len(links) != 1 || links[0].Opens != 200 {
		t.Errorf("200 opens: %d rows, links %+v; want 1 row and 200 opens", rows, links)
	}
}

func TestSend(t *testing.T) {
	tdb := dbtest.New(t)
	f := newFixture(t, tdb, false)
	ctx := context.Background()
	send := func(c Compose) (int, error) {
		var n int
		err := tdb.InCompany(ctx, f.co, func(tx pgx.Tx) (err error) {
			n, err = letters.Send(ctx, tx, f.co, jobs.Everything, f.by, f.job, c)
			return err
		})
		return n, err
	}
	for _, c := range []struct {
		compose Compose
		field   string
	}{
		{Compose{Subject: "Hi", Body: "x"}, "to"},
		{Compose{Custom: "not-an-address", Subject: "Hi", Body: "x"}, "custom"},
		{Compose{To: []string{"ops@harbour.example"}, Body: "x"}, "subject"},
		{Compose{To: []string{"ops@harbour.example"}, Subject: "Hi", Body: strings.Repeat("x", 20001)}, "body"},
	} {
		if _, err := send(c.compose); apperr.AsValidation(err).Field(c.field) == "" {
			t.Errorf("%+v: no message on %s (%v)", c.compose, c.field, err)
		}
	}
	if _, err := send(Compose{To: []string{"attacker@evil.example"}, Subject: "Hi", Body: "x"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a forged ticked recipient: %v", err)
	}
	if len(f.queuedLinks(t)) != 0 {
		t.Fatal("a refused send queued links")
	}
	n, err := send(Compose{To: []string{"ops@harbour.example"}, Custom: "boss@harbour.example, OPS@harbour.example", Subject: "Your job", Body: "See the link.", AddLink: true})
	if err != nil || n != 2 {
		t.Fatalf("send = %d, %v", n, err)
	}
	links := f.queuedLinks(t)
	if len(links) != 2 || links[0] == links[1] {
		t.Errorf("two recipients got links %v: want two different ones", links)
	}
	var msgs int
	tdb.Owner.QueryRow(ctx, `select count(*) from job_messages where job_id = $1 and visible_to_client and subject = 'Your job' and body = 'See the link.'`, f.job).Scan(&msgs)
	if msgs != 1 {
		t.Error("the email to the client is not on the job's Messages, visible to the client without its recipients")
	}
	// An email to someone else only is kept internal; the client's address typed by hand counts as the client's.
	for subject, c := range map[string]struct {
		custom  string
		visible bool
	}{"Order": {"supplier@pipes.example", false}, "Typed": {"Ops@Harbour.example", true}} {
		if _, err := send(Compose{Custom: c.custom, Subject: subject, Body: "Two elbows"}); err != nil {
			t.Fatal(err)
		}
		var visible bool
		tdb.Owner.QueryRow(ctx, `select visible_to_client from job_messages where subject = $1`, subject).Scan(&visible)
		if visible != c.visible {
			t.Errorf("the email to %s visible to the client: %v, want %v", c.custom, visible, c.visible)
		}
	}
	// Files of the job go with it: each copy carries them, and the message names them. Another job's file is a
	// forged request; more than MaxAttachBytes in all is refused in words.
	file := func(job int64, name string, size int) (id int64) {
		tdb.Owner.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size) values ($1, $2, $3, 'application/pdf', $4) returning id`,
			f.co, job, name, size).Scan(&id)
		return id
	}
	quote, plan, big := file(f.job, "quote.pdf", 1<<20), file(f.job, "plan.pdf", 2<<20), file(f.job, "scan.pdf", MaxAttachBytes)
	var other int64
	tdb.Owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, title, address)
		select company_id, number + 1, client_id, billing_client_id, 'Other', address from jobs where id = $1 returning id`, f.job).Scan(&other)
	if _, err := send(Compose{To: []string{"ops@harbour.example"}, Subject: "Forged", Body: "x", Files: []int64{quote, file(other, "theirs.pdf", 1)}}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another job's file: %v", err)
	}
	if _, err := send(Compose{To: []string{"ops@harbour.example"}, Subject: "Too big", Body: "x", Files: []int64{quote, big}}); !strings.Contains(apperr.AsValidation(err).Field("files"), "Attach at most 15 MB in all: these come to 16.0 MB.") {
		t.Errorf("too much attached: %v", err)
	}
	if n, err := send(Compose{To: []string{"ops@harbour.example"}, Custom: "boss@harbour.example", Subject: "Quote", Body: "Attached.", Files: []int64{plan, quote, quote}}); err != nil || n != 2 {
		t.Fatalf("send with files = %d, %v", n, err)
	}
	var attached, names string
	tdb.Owner.QueryRow(ctx, `select string_agg(a.name, ',' order by o.id, a.position) from outbox_attachments a
		  join outbox_emails o on o.company_id = a.company_id and o.id = a.email_id where o.subject = 'Quote'`).Scan(&attached)
	tdb.Owner.QueryRow(ctx, `select array_to_string(attachments, ',') from job_messages where subject = 'Quote'`).Scan(&names)
	if attached != "quote.pdf,plan.pdf,quote.pdf,plan.pdf" || names != "quote.pdf,plan.pdf" {
		t.Errorf("attachments queued %q, named on the message %q", attached, names)
	}
	var refused int
	if tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where subject in ('Forged', 'Too big')`).Scan(&refused); refused != 0 {
		t.Errorf("%d refused emails queued", refused)
	}
	var redacted int
	tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where company_id = $1 and redact`, f.co).Scan(&redacted)
	if redacted != 2 {
		t.Errorf("%d emails marked to redact, want 2", redacted)
	}
}
