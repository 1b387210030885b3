package faults

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/mail/mailtest"
)

// TestFaults_DatabaseRestartRecovers stops the database under load, then starts it, then restarts it
// (`pg_ctl restart -m fast`): while it is away /readyz says not ready and pages answer a clean 503 page at once,
// never a hang or a 500; within 5 s of its return everything answers 200 again, on its own; afterwards the
// server holds no more goroutines or connections than before.
func TestFaults_DatabaseRestartRecovers(t *testing.T) {
	c := newCluster(t)
	mp := mailtest.Start(t)
	profiler := fmt.Sprintf("127.0.0.1:%d", mailtest.FreePort(t))
	a := startApp(t, c.AppURL, c.OwnerURL, mp.SMTP(), "PPROF_ADDR="+profiler)
	o := newOffice(t, a)

	l := startLoad(a, o, 4)
	time.Sleep(time.Second)
	l.stop()
	goroutinesBefore := goroutines(t, profiler)

	l = startLoad(a, o, 4)
	c.ctl("stop")
	eventually(t, 5*time.Second, "/readyz to answer 503 with the database away", func() bool {
		status, _ := a.status("/readyz")
		return status == http.StatusServiceUnavailable
	})
	began := time.Now()
	res, body := o.Admin.get("/jobs")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Back in a moment") || res.Header.Get("Retry-After") == "" {
		t.Errorf("a page with the database away = %d, want the 503 page with Retry-After: %.300s", res.StatusCode, body)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("the 503 page took %v: it must not wait for the database", took)
	}
	time.Sleep(time.Second) // the load keeps knocking while it is away

	c.ctl("start")
	back := time.Now()
	recovered := func(what string) {
		eventually(t, 5*time.Second, what, func() bool {
			status, _ := a.status("/readyz")
			res, _, err := o.Admin.send("GET", "/jobs", nil, "")
			return status == 200 && err == nil && res.StatusCode == 200
		})
	}
	recovered("the server to serve again within 5 s of the database's start")
	t.Logf("serving again %v after the database started", time.Since(back).Round(time.Millisecond))

	c.ctl("restart")
	back = time.Now()
	recovered("the server to serve again within 5 s of `pg_ctl restart -m fast`")
	t.Logf("serving again %v after the restart", time.Since(back).Round(time.Millisecond))
	time.Sleep(time.Second)
	tally := l.stop()
	t.Logf("figures: %s", tally)
	if tally.bad > 0 {
		t.Errorf("%d answers were neither 200 nor 503 (or no answer): %s", tally.bad, tally.firstBad)
	}
	if tally.slowest > 5*time.Second {
		t.Errorf("the slowest answer took %v: a request hung on the database", tally.slowest)
	}

	// Nothing leaked: goroutines as before the fault, database connections within the pool's bound.
	var after int
	eventually(t, 10*time.Second, "the server's goroutines to settle back", func() bool {
		after = goroutines(t, profiler)
		return after <= goroutinesBefore+3
	})
	conn, err := pgx.Connect(context.Background(), c.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var conns int
	conn.QueryRow(context.Background(), `select count(*) from pg_stat_activity where usename = 'fieldops_app'`).Scan(&conns)
	if limit := max(8, 4*runtime.NumCPU()) + 1; conns > limit { // the pool's bound (db.Open), and the LISTEN connection
		t.Errorf("%d connections of the app role after the faults, want at most %d", conns, limit)
	}
	t.Logf("goroutines %d before the faults, %d after; %d database connections", goroutinesBefore, after, conns)
}

// load is a few users requesting the office's pages in a loop; stop ends it and returns what they got.
type load struct {
	stopped chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	tally   tally
}

type tally struct {
	requests, ok, unavailable, bad int
	firstBad                       string
	slowest                        time.Duration
}

func (t tally) String() string {
	return fmt.Sprintf("%d requests: %d answered 200, %d answered 503, %d other; slowest %v",
		t.requests, t.ok, t.unavailable, t.bad, t.slowest.Round(time.Millisecond))
}

// startLoad sends users requests in a loop, each user logged in as the office's admin, to the job list, a job,
// and /readyz.
func startLoad(a *app, o *office, users int) *load {
	l := &load{stopped: make(chan struct{})}
	paths := []string{"/jobs", o.JobPath, "/readyz"}
	for i := range users {
		l.wg.Go(func() {
			for n := i; ; n++ {
				select {
				case <-l.stopped:
					return
				default:
				}
				began := time.Now()
				res, _, err := o.Admin.send("GET", paths[n%len(paths)], nil, "")
				l.record(res, err, time.Since(began))
			}
		})
	}
	return l
}

func (l *load) record(res *http.Response, err error, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tally.requests++
	l.tally.slowest = max(l.tally.slowest, took)
	switch {
	case err != nil:
		l.tally.bad++
		l.tally.firstBad = firstOf(l.tally.firstBad, err.Error())
	case res.StatusCode == 200:
		l.tally.ok++
	case res.StatusCode == http.StatusServiceUnavailable:
		l.tally.unavailable++
	default:
		l.tally.bad++
		l.tally.firstBad = firstOf(l.tally.firstBad, fmt.Sprintf("%s %d", res.Request.URL.Path, res.StatusCode))
	}
}

// firstOf keeps the first of two descriptions.
func firstOf(first, next string) string {
	if first != "" {
		return first
	}
	return next
}

func (l *load) stop() tally {
	close(l.stopped)
	l.wg.Wait()
	http.DefaultClient.CloseIdleConnections() // the users' keep-alive connections would count as the server's goroutines
	return l.tally
}

// goroutines reads the server's goroutine count from its profiler.
func goroutines(t *testing.T, profiler string) int {
	t.Helper()
	res, err := http.Get("http://" + profiler + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	var n int
	if _, err := fmt.Sscanf(string(head), "goroutine profile: total %d", &n); err != nil {
		t.Fatalf("goroutine profile: %v: %q", err, head)
	}
	return n
}
