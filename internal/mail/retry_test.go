package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"syscall"
	"testing"
	"time"
)

// An email the server keeps turning away is tried for at least GiveUpAfter from when it was queued, never more
// than an hour apart, and then given up.
func TestWorker_RetriesForDaysAtMostAnHourApart(t *testing.T) {
	w := &Worker{}
	w.defaults()
	queued := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := queued.Add(2 * time.Second) // the first try
	tries := 1
	for {
		next, ok := w.nextTry(now, queued, tries)
		if !ok {
			break
		}
		if wait := next.Sub(now); wait <= 0 || wait > time.Hour {
			t.Fatalf("after try %d at %v the next waits %v, want (0, 1h]", tries, now.Sub(queued), wait)
		}
		now = next
		tries++
		if tries > 1000 {
			t.Fatal("never gives up")
		}
	}
	if age := now.Sub(queued); age < 72*time.Hour || age > 73*time.Hour {
		t.Errorf("gave up %v after it was queued, want just past 72h", age)
	}
	if tries < 72 {
		t.Errorf("%d tries over three days, want about one an hour once the wait is capped", tries)
	}
}

func TestWorker_BackoffGrowsWithJitterAndACap(t *testing.T) {
	w := &Worker{}
	w.defaults()
	seen := map[time.Duration]bool{}
	for range 50 {
		d := w.backoff(1)
		if d < 24*time.Second || d > 30*time.Second {
			t.Errorf("backoff(1) = %v, want 24s–30s", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("backoff(1) took %d values in 50 draws: no jitter", len(seen))
	}
	for _, attempt := range []int{8, 20, 64, 1000} {
		if d := w.backoff(attempt); d < 48*time.Minute || d > time.Hour {
			t.Errorf("backoff(%d) = %v, want 48m–1h", attempt, d)
		}
	}
}

// A failure is classified by what it says about trying again; its reason is for the company's admins, in words.
func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 2525},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name      string
		err       error
		reason    string
		permanent bool
	}{
		{"connection refused", fmt.Errorf("dial: %w", refused), "The mail server was unreachable", false},
		{"no such host", &net.DNSError{Err: "no such host", Name: "smtp.example.net", IsNotFound: true}, "The mail server was unreachable", false},
		{"timeout", fmt.Errorf("dial: %w", context.DeadlineExceeded), "The mail server did not answer in time", false},
		{"something else", errors.New("tls: handshake failure"), "The mail server was unreachable", false},
		{"421 greeting", fmt.Errorf("%w, close: EOF", &textproto.Error{Code: 421, Msg: "4.3.2 Service not available"}), "The mail server asked to try again later", false},
		{"554 greeting", &textproto.Error{Code: 554, Msg: "no service"}, "The mail server turned the connection away", false},
		{"bad recipient", &refusal{reason: "A recipient address is not valid: x@", err: errors.New("mail: no angle-addr")},
			"A recipient address is not valid: x@", true},
		{"attachments unreadable", &unreadable{err: fmt.Errorf("read: %w", refused)}, "The files attached to it could not be read just now", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := classify(tc.err, []string{"ann@acme.example"})
			if f.reason != tc.reason || f.permanent != tc.permanent {
				t.Errorf("classify = %+v, want %q permanent=%t", f, tc.reason, tc.permanent)
			}
		})
	}
}

func TestInWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		72 * time.Hour: "3 days", 24 * time.Hour: "1 day", 36 * time.Hour: "36 hours", time.Hour: "1 hour",
		90 * time.Minute: "90 minutes", 1500 * time.Millisecond: "1.5s",
	} {
		if got := inWords(d); got != want {
			t.Errorf("inWords(%v) = %q, want %q", d, got, want)
		}
	}
}
