package faults

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

// TestFaults_MailServerDownThenBusy stops the mail server (connections refused), then puts in its place one that
// answers every connection "421 try later", each for longer than the first steps of the retry budget; when the
// real one is back, every email is delivered, once, and none is marked failed.
func TestFaults_MailServerDownThenBusy(t *testing.T) {
	mp := mailtest.Start(t)
	appURL, ownerURL := dbtest.Empty(t)
	a := startApp(t, appURL, ownerURL, mp.SMTP())
	o := newOffice(t, a)
	owner := ownerPool(t, ownerURL)
	ctx := context.Background()
	eventually(t, 10*time.Second, "the office's own email to be delivered", func() bool { return mp.Count("to:"+o.ClientEmail) == 1 })

	mp.Stop()
	const n = 50
	inParallel(t, n, 4, func(i int) error {
		_, err := o.Admin.seeOther(o.JobPath+"/email", url.Values{"custom": {fmt.Sprintf("d%02d%s", i, burstDomain)},
			"subject": {"Your job"}, "body": {"On our way."}})
		return err
	})
	// leastTries is the fewest tries any email of the burst has had; none may be marked failed meanwhile.
	leastTries := func() int {
		var least, failed int
		owner.QueryRow(ctx, `select coalesce(min(attempts), 0), count(*) filter (where status = 'failed')
		                       from outbox_emails where recipients[1] like '%'||$1`, burstDomain).Scan(&least, &failed)
		if failed > 0 {
			t.Fatalf("%d emails marked failed while the mail server was away", failed)
		}
		return least
	}
	eventually(t, 20*time.Second, "every email to be tried twice against the stopped mail server", func() bool { return leastTries() >= 2 })

	busy := answer421(t, mp.SMTPPort)
	before := leastTries()
	eventually(t, 20*time.Second, "every email to be tried twice more against the 421 server", func() bool { return leastTries() >= before+2 })
	busy.Close()
	var reason string
	owner.QueryRow(ctx, `select last_error from outbox_emails where recipients[1] like '%'||$1 limit 1`, burstDomain).Scan(&reason)
	if !strings.HasPrefix(reason, "The mail server asked to try again later; it will be tried again until ") {
		t.Errorf("after the 421s the Outbox page says %q", reason)
	}

	mp.Restart()
	eventually(t, 30*time.Second, "every email to arrive once the mail server is back", func() bool {
		return mp.Count("to:"+burstDomain) >= n
	})
	time.Sleep(500 * time.Millisecond)
	if got := mp.Count("to:" + burstDomain); got != n {
		t.Errorf("%d emails arrived, want %d (each once)", got, n)
	}
	var sent, attempts int
	owner.QueryRow(ctx, `select count(*) filter (where status = 'sent'), sum(attempts) from outbox_emails
	                      where recipients[1] like '%'||$1`, burstDomain).Scan(&sent, &attempts)
	if sent != n {
		t.Errorf("%d of %d emails marked sent", sent, n)
	}
	t.Logf("figures: %d emails, %d tries in all, all delivered once, none failed", n, attempts)
}

// answer421 listens on port in the mail server's place and greets every connection with "421 try later", as a
// mail server does when it is overloaded or going down. Close stops it.
func answer421(t *testing.T, port int) net.Listener {
	t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the stopped server's port may take a moment to be free
		if l, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("take the mail server's port: %v", err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("421 4.3.2 Service not available, try again later\r\n"))
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l
}
