package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

// A batch on a slow server takes longer than a lease: the sender renews the leases of what it still holds, so the
// rescue never hands those emails to another sender while they wait their turn (each would arrive twice).
func TestOutbox_SlowBatchIsNotRescuedMidBatch(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	co := createCompany(t, tdb, "Acme")
	// Each email takes about a quarter of a second, far under half a lease (when the sender renews) even on a busy
	// machine; the batch takes over three leases.
	const n, lease = 40, 3 * time.Second
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = enqueue(t, tdb, co, testEmail(fmt.Sprintf("p%d@acme.example", i), fmt.Sprint("slow ", i)))
	}
	slow := m.SlowSMTP(40 * time.Millisecond) // a few delays an email (see SlowSMTP)
	start := time.Now()
	// Two senders: while one works through the batch, the other would take whatever the rescue put back.
	startWorker(t, tdb, slow, func(w *mail.Worker) { w.Lease, w.Batch, w.Senders = lease, n, 2 })
	for _, id := range ids {
		waitStatus(t, tdb, id, "sent", 60*time.Second)
	}
	if took := time.Since(start); took < 2*lease {
		t.Fatalf("the batch took %v, not longer than two leases (%v): the test proves nothing; slow the proxy down", took, lease)
	}
	for _, id := range ids {
		if r := outboxRow(t, tdb, id); r.Attempts != 1 || r.LastError != nil {
			t.Errorf("email %d was rescued mid-batch: %+v", id, r)
		}
	}
	msgs := m.WaitFor(n, 10*time.Second)
	seen := map[string]bool{}
	for _, msg := range msgs {
		if seen[msg.MessageID] {
			t.Errorf("%s (%s) arrived twice", msg.MessageID, msg.Subject)
		}
		seen[msg.MessageID] = true
	}
	if len(msgs) != n {
		t.Errorf("%d messages arrived, want %d", len(msgs), n)
	}
}

// enqueueMany adds n emails for company in one transaction, as a big mail-out does.
func enqueueMany(t *testing.T, tdb *dbtest.TestDB, company int64, n int, to func(i int) string) {
	t.Helper()
	ctx := context.Background()
	err := tdb.InCompany(ctx, company, func(tx pgx.Tx) error {
		for i := range n {
			if _, err := mail.Enqueue(ctx, tx, company, testEmail(to(i), fmt.Sprintf("mail-out %d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitArrived polls Mailpit until a message to address arrived, or fails the test.
func waitArrived(t *testing.T, m *mailtest.Mailpit, address string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(m.Search("to:"+address)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing arrived for %s within %v", address, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The claim takes companies in turns: one company's big mail-out, or many companies' backlogs, delay another
// company's single invitation by a batch, not by the whole queue.
func TestOutbox_ClaimTakesTurnsAcrossCompanies(t *testing.T) {
	for _, tc := range []struct {
		name             string
		busy, perCompany int
	}{
		// First in, first out would send all 2,000 before Bolt's one.
		{"one company's 2,000 emails", 1, 2000},
		// Taking the companies by their oldest due email would serve these 30 first, a batch at a time, until
		// their backlogs are younger than Bolt's email: first in, first out again.
		{"thirty companies' backlogs", 30, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tdb := dbtest.New(t)
			m := mailtest.Start(t)
			var busy []int64
			for i := range tc.busy {
				co := createCompany(t, tdb, fmt.Sprint("Busy ", i))
				enqueueMany(t, tdb, co, tc.perCompany, func(j int) string { return fmt.Sprintf("c%d-%d@busy.example", i, j) })
				busy = append(busy, co)
			}
			bolt := createCompany(t, tdb, "Bolt")
			enqueue(t, tdb, bolt, testEmail("new.hire@bolt.example", "Your invitation"))
			startWorker(t, tdb, m.SMTP(), nil)

			waitArrived(t, m, "new.hire@bolt.example", 30*time.Second)
			var waiting int
			tdb.Owner.QueryRow(context.Background(),
				`select count(*) from outbox_emails where company_id = any($1) and status <> 'sent'`, busy).Scan(&waiting)
			if total := tc.busy * tc.perCompany; waiting < total/2 {
				t.Errorf("Bolt's email arrived after %d of the busy companies' %d emails; want it before most of them", total-waiting, total)
			}
		})
	}
}

// A suspended company's emails stay queued, unsent, while everyone else's go; they go once it is let off.
func TestOutbox_SuspendedCompanyWaits(t *testing.T) {
	tdb := dbtest.New(t)
	m := mailtest.Start(t)
	ctx := context.Background()
	acme, bolt := createCompany(t, tdb, "Acme"), createCompany(t, tdb, "Bolt")
	// Queued before the operator suspended Acme (a suspended company can queue nothing new).
	held := enqueue(t, tdb, acme, testEmail("ann@acme.example", "held"))
	if _, err := tdb.Owner.Exec(ctx, `update companies set suspended_at = now(), suspended_reason = 'spam' where id = $1`, acme); err != nil {
		t.Fatal(err)
	}
	first := enqueue(t, tdb, bolt, testEmail("bob@bolt.example", "first"))
	startWorker(t, tdb, m.SMTP(), nil)
	waitStatus(t, tdb, first, "sent", 10*time.Second)
	// A second email for Bolt after it: once it is sent, the worker has looked at the queue again since.
	second := enqueue(t, tdb, bolt, testEmail("bob@bolt.example", "second"))
	waitStatus(t, tdb, second, "sent", 10*time.Second)

	if r := outboxRow(t, tdb, held); r.Status != "pending" || r.Attempts != 0 {
		t.Errorf("the suspended company's email: %+v, want pending and untried", r)
	}
	if got := m.Search("to:ann@acme.example"); len(got) != 0 {
		t.Errorf("the suspended company's email arrived: %+v", got)
	}

	if _, err := tdb.Owner.Exec(ctx, `update companies set suspended_at = null where id = $1`, acme); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, tdb, held, "sent", 10*time.Second)
}

// With 10,000 emails due the claim still reads only a few rows per company waiting: it walks the companies on
// the (company_id, next_attempt_at) index instead of sorting every due row.
func TestOutbox_ClaimStaysCheapWithManyDue(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	big := createCompany(t, tdb, "Big")
	others := make([]int64, 20)
	for i := range others {
		others[i] = tdb.CreateCompany(t, fmt.Sprint("Small ", i))
	}
	_, err := tdb.Owner.Exec(ctx, `
		insert into outbox_emails (company_id, kind, recipients, subject, text_body, html_body, next_attempt_at)
		select $1, 'test', array['a@big.example'], 's', 't', 'h', now() - g * interval '1 ms'
		  from generate_series(1, 10000) g`, big)
	if err == nil {
		_, err = tdb.Owner.Exec(ctx, `
			insert into outbox_emails (company_id, kind, recipients, subject, text_body, html_body)
			select c, 'test', array['b@small.example'], 's', 't', 'h'
			  from unnest($1::bigint[]) c, generate_series(1, 10)`, others)
	}
	if err == nil {
		_, err = tdb.Owner.Exec(ctx, `analyze outbox_emails`) // as autovacuum would after such an insert
	}
	if err != nil {
		t.Fatal(err)
	}

	tx, err := tdb.Owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var claimed, companies int
	if err := tx.QueryRow(ctx, `select count(*), count(distinct company_id) from outbox_claim(20, interval '1 minute', 'fieldops.test')`).Scan(&claimed, &companies); err != nil {
		t.Fatal(err)
	}
	if claimed != 20 || companies != 20 {
		t.Errorf("claimed %d emails of %d companies, want 20 of 20 (one each: 21 companies wait)", claimed, companies)
	}
	// What this transaction read of outbox_emails (pg_stat_xact_*: this transaction only).
	var seqScans, tuplesRead int64
	if err := tx.QueryRow(ctx, `
		select t.seq_scan,
		       (select sum(pg_stat_get_xact_tuples_returned(i.indexrelid)) from pg_index i where i.indrelid = t.relid)::bigint
		  from pg_stat_xact_user_tables t
		 where t.relname = 'outbox_emails'`).Scan(&seqScans, &tuplesRead); err != nil {
		t.Fatal(err)
	}
	t.Logf("the claim: %d sequential scans, %d index entries read", seqScans, tuplesRead)
	if seqScans != 0 || tuplesRead > 1000 {
		t.Errorf("the claim made %d sequential scans and read %d index entries of 10,200 due emails; want none and a few per company", seqScans, tuplesRead)
	}
}
