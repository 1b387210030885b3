package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	gomail "github.com/wneessen/go-mail"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

// throughputEmails is how many emails each throughput benchmark delivers.
const throughputEmails = 10_000

// BenchmarkOutbox_Throughput delivers 10,000 queued emails to Mailpit through the worker — claims, sends, marks —
// and reports emails/s, beside BenchmarkPlainGoMail, a bare go-mail loop over one connection: the target is ≥ 0.8 ×
// its rate. `make bench` runs both.
func BenchmarkOutbox_Throughput(b *testing.B) {
	tdb := dbtest.New(b)
	ctx := context.Background()
	co := tdb.CreateCompany(b, "Acme")
	m := mailtest.Start(b)
	for range b.N {
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
			for i := range throughputEmails {
				if _, err := mail.Enqueue(ctx, tx, co, mail.Email{Kind: mail.KindTest, To: []string{fmt.Sprintf("r%d@example.test", i)},
					Subject: "Throughput", Text: "Hello", HTML: "<p>Hello</p>"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		w := &mail.Worker{DB: tdb.DB, ListenURL: tdb.AppURL, SMTP: m.SMTP(), From: from, Files: files.Postgres{DB: tdb.DB}, Log: slog.New(slog.DiscardHandler)}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		start := time.Now()
		b.ResetTimer()
		go func() { w.Run(wctx); close(done) }()
		deadline := time.Now().Add(10 * time.Minute)
		for {
			var pending int
			tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where company_id = $1 and status <> 'sent'`, co).Scan(&pending)
			if pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d emails not sent after 10 minutes", pending)
			}
			time.Sleep(20 * time.Millisecond)
		}
		b.StopTimer()
		b.ReportMetric(throughputEmails/time.Since(start).Seconds(), "emails/s")
		cancel()
		<-done
		tdb.Owner.Exec(ctx, `delete from outbox_emails where company_id = $1`, co)
	}
}

// BenchmarkPlainGoMail sends 10,000 emails to Mailpit with go-mail over one connection: the ceiling the outbox is
// measured against.
func BenchmarkPlainGoMail(b *testing.B) {
	m := mailtest.Start(b)
	for range b.N {
		c, err := gomail.NewClient("127.0.0.1", gomail.WithPort(m.SMTPPort), gomail.WithTLSPolicy(gomail.NoTLS))
		if err != nil {
			b.Fatal(err)
		}
		if err := c.DialWithContext(context.Background()); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := range throughputEmails {
			msg := gomail.NewMsg()
			msg.From(from)
			msg.To(fmt.Sprintf("r%d@example.test", i))
			msg.Subject("Throughput")
			msg.SetBodyString(gomail.TypeTextPlain, "Hello")
			msg.AddAlternativeString(gomail.TypeTextHTML, "<p>Hello</p>")
			if err := c.Send(msg); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(throughputEmails/time.Since(start).Seconds(), "emails/s")
		c.Close()
	}
}
