package faults

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

// burstDomain is the domain of every recipient the burst emails, apart from the office's own setup.
const burstDomain = "@burst.example"

// TestFaults_KilledMidBurstLosesNoEmail queues 1,000 emails through the app's own routes (500 staff invitations,
// 500 Send Emails), kills the server with SIGKILL while it is sending them, and starts it again: every recipient
// gets their email, and the only duplicates are emails that were in flight at the kill, each sent again with
// the same Message-ID.
func TestFaults_KilledMidBurstLosesNoEmail(t *testing.T) {
	mp := mailtest.Start(t)
	appURL, ownerURL := dbtest.Empty(t)
	// A mail server slow enough (a few ms per SMTP command) that the kill lands while the burst is being sent.
	a := startApp(t, appURL, ownerURL, mp.SlowSMTP(4*time.Millisecond))
	o := newOffice(t, a)

	const n = 1000
	began := time.Now()
	inParallel(t, n, 8, func(i int) error {
		to := fmt.Sprintf("r%04d%s", i, burstDomain)
		if i%2 == 0 {
			_, err := o.Admin.seeOther("/staff/invite", url.Values{"email": {to}, "role": {"co-worker"}})
			return err
		}
		_, err := o.Admin.seeOther(o.JobPath+"/email", url.Values{"custom": {to}, "subject": {"Your job"}, "body": {"On our way."}})
		return err
	})
	t.Logf("queued %d emails through the routes in %v", n, time.Since(began).Round(time.Millisecond))

	eventually(t, 30*time.Second, "the first 100 emails of the burst to arrive", func() bool {
		return mp.Count("to:"+burstDomain) >= 100
	})
	a.kill()
	atKill := mp.Count("to:" + burstDomain)
	if atKill >= n {
		t.Fatalf("all %d emails were sent before the kill: the test did not kill mid-send", n)
	}
	t.Logf("SIGKILL with %d of %d delivered", atKill, n)

	a.start()
	eventually(t, 90*time.Second, "every recipient of the burst to get their email", func() bool {
		return distinctRecipients(mp.Search("to:"+burstDomain)) == n
	})
	time.Sleep(time.Second) // a late duplicate would show now
	msgs := mp.Search("to:" + burstDomain)
	ids := map[string]map[string]bool{} // recipient → the Message-IDs they got
	for _, m := range msgs {
		to := m.To[0].Address
		if ids[to] == nil {
			ids[to] = map[string]bool{}
		}
		ids[to][m.MessageID] = true
	}
	for to, set := range ids {
		if len(set) != 1 {
			t.Errorf("%s got %d different Message-IDs: a re-send must keep the first one", to, len(set))
		}
	}
	duplicates := len(msgs) - n
	// In flight at the kill: the email each of the worker's senders (two) had handed to SMTP but not yet marked.
	if duplicates > 2 {
		t.Errorf("%d duplicates, want at most the 2 in flight at the kill", duplicates)
	}
	owner := ownerPool(t, ownerURL)
	var unsent int
	owner.QueryRow(context.Background(), `select count(*) from outbox_emails where status <> 'sent'`).Scan(&unsent)
	if unsent != 0 {
		t.Errorf("%d outbox emails are not marked sent", unsent)
	}
	t.Logf("figures: queued %d, delivered %d (every recipient), duplicated %d, delivered before the kill %d", n, len(msgs), duplicates, atKill)
}

// inParallel runs do(i) for i in [0, n) on workers goroutines; the test fails with the first error, once all ended.
func inParallel(t *testing.T, n, workers int, do func(i int) error) {
	t.Helper()
	next := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatalf("%v (and %d more failures)", err, len(errs))
	}
}

func distinctRecipients(msgs []mailtest.Message) int {
	seen := map[string]bool{}
	for _, m := range msgs {
		for _, to := range m.To {
			if strings.HasSuffix(to.Address, burstDomain) {
				seen[to.Address] = true
			}
		}
	}
	return len(seen)
}

// ownerPool connects as the owner role (past RLS) to read what the app left in the database.
func ownerPool(t *testing.T, ownerURL string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}
