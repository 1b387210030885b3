package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fieldops/internal/mail"
	"fieldops/internal/mail/mailtest"
)

// binary is the fieldops binary under test, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv("FIELDOPS_FAULTS") == "" {
		fmt.Println("faults: skipped; `make test-faults` runs them")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "fieldops-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "fieldops")
	if out, err := exec.Command("go", "build", "-o", binary, "fieldops/cmd/fieldops").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "faults: build the binary: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// app is one `fieldops serve` process, with the environment it was started with.
type app struct {
	t    *testing.T
	env  []string
	Base string
	cmd  *exec.Cmd
	exit chan error // receives the process's end once
	log  *lockedBuffer
}

// Settings that make the outbox's timings fit a test: fast polls, short leases, retries a fraction of a second
// apart. Each test may override them.
var testSettings = []string{"LOG_LEVEL=warn", "OUTBOX_POLL=100ms", "OUTBOX_LEASE=3s", "OUTBOX_BACKOFF=200ms",
	"SHUTDOWN_GRACE=10s", "MAIL_FROM=fieldops <no-reply@faults.example>"}

// startApp serves fieldops on a free loopback port against the given database and mail server, and waits until
// it is ready. The process is killed when the test ends, if it still runs.
func startApp(t *testing.T, appURL, ownerURL string, smtp mail.SMTP, settings ...string) *app {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", mailtest.FreePort(t))
	a := &app{t: t, Base: "http://" + addr, log: &lockedBuffer{}}
	a.env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + appURL, "MIGRATE_DATABASE_URL=" + ownerURL, "ADDR=" + addr, "BASE_URL=" + a.Base,
		fmt.Sprintf("SMTP_URL=smtp://%s:%d", smtp.Host, smtp.Port)}, testSettings...)
	a.env = append(a.env, settings...) // later entries win in exec's environment
	t.Cleanup(func() {
		a.kill()
		if t.Failed() {
			t.Logf("server log (last 4 KB):\n%s", a.log.tail(4096))
		}
	})
	a.start()
	return a
}

// start runs the process and waits until /readyz answers 200.
func (a *app) start() {
	a.t.Helper()
	a.cmd = exec.Command(binary, "serve")
	a.cmd.Env = a.env
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		a.t.Fatalf("start fieldops: %v", err)
	}
	a.exit = make(chan error, 1)
	go func(cmd *exec.Cmd, exit chan error) { exit <- cmd.Wait() }(a.cmd, a.exit)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _ := a.status("/readyz"); status == 200 {
			return
		}
		select {
		case err := <-a.exit:
			a.t.Fatalf("fieldops serve ended at start: %v\n%s", err, a.log.tail(4096))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("fieldops serve was not ready within 30s\n%s", a.log.tail(4096))
		}
	}
}

// status is the status code of a GET to path (0 when the request did not complete), with a short timeout.
func (a *app) status(path string) (int, string) {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(a.Base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// kill ends the process at once (SIGKILL), as a crash or an OOM kill would.
func (a *app) kill() {
	if a.cmd == nil || a.cmd.ProcessState != nil {
		return
	}
	a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.exit
	a.cmd = nil
}

// stop sends sig and waits for the process to end, at most within; it returns the exit error and how long it took.
func (a *app) stop(sig os.Signal, within time.Duration) (error, time.Duration) {
	a.t.Helper()
	began := time.Now()
	a.cmd.Process.Signal(sig)
	select {
	case err := <-a.exit:
		a.cmd = nil
		return err, time.Since(began)
	case <-time.After(within):
		a.t.Fatalf("fieldops did not exit within %v of %v\n%s", within, sig, a.log.tail(4096))
		return nil, 0
	}
}

// run runs an operator command of the binary (`fieldops company …`) in the app's environment and returns its output.
func (a *app) run(args ...string) string {
	a.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = a.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		a.t.Fatalf("fieldops %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// user is one person's browser: a cookie jar, redirects not followed (their Location is the answer).
type user struct {
	t    *testing.T
	base string
	http *http.Client
}

func (a *app) newUser() *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: a.t, base: a.Base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes one request; the error is the transport's (no answer), never the status.
func (u *user) send(method, path string, body io.Reader, contentType string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		return nil, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := u.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

func (u *user) get(path string) (*http.Response, string) {
	u.t.Helper()
	res, body, err := u.send("GET", path, nil, "")
	if err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

func (u *user) post(path string, form url.Values) (*http.Response, string) {
	u.t.Helper()
	res, body, err := u.send("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		u.t.Fatalf("POST %s: %v", path, err)
	}
	return res, body
}

// mustSee posts form to path and fails the test unless the answer is a redirect (303), whose target it returns.
func (u *user) mustSee(path string, form url.Values) string {
	u.t.Helper()
	target, err := u.seeOther(path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	return target
}

// seeOther posts form to path and returns the redirect's target, or an error unless the answer is a 303. It does
// not stop the test, so other goroutines may call it.
func (u *user) seeOther(path string, form url.Values) (string, error) {
	res, body, err := u.send("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", path, err)
	}
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST %s = %d, want 303: %.400s", path, res.StatusCode, body)
	}
	return res.Header.Get("Location"), nil
}

// office is a company made by the operator's command, its admin logged in, and a client with Job Share on (every
// job created for it emails the client a dashboard link).
type office struct {
	ID          int64
	Admin       *user
	ClientID    int64
	ClientEmail string
	JobPath     string // a job of the client's, "/jobs/N"
}

const adminPassword = "faults-admin-password-1"

// newOffice creates the company with `fieldops company create`, lifts its seats and email limits for the test's
// volume, and builds the rest through the app's own routes.
func newOffice(t *testing.T, a *app) *office {
	t.Helper()
	out := a.run("company", "create", "-name", "Faults & Co", "-admin-name", "Ann Admin",
		"-admin-email", "ann@faults.example", "-admin-password", adminPassword)
	m := regexp.MustCompile(`Created company (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("company create said: %s", out)
	}
	o := &office{ClientEmail: "harbour@client.example"}
	o.ID, _ = strconv.ParseInt(m[1], 10, 64)
	a.run("company", "set-seats", "-company", m[1], "-seats", "5000")
	a.run("company", "set-limits", "-company", m[1], "-hourly", "1000000", "-daily", "10000000")
	o.Admin = a.newUser()
	o.Admin.mustSee("/login", url.Values{"email": {"ann@faults.example"}, "password": {adminPassword}})
	client := o.Admin.mustSee("/clients/new", url.Values{"name": {"Harbour View"}, "email": {o.ClientEmail},
		"site_name_0": {"Block A"}, "site_address_0": {"1 Quay St"}})
	o.ClientID = idOf(t, client)
	o.Admin.mustSee(client+"/job-share", url.Values{"on": {"1"}})
	o.JobPath = o.Admin.mustSee("/jobs/new", url.Values{"client_id": {fmt.Sprint(o.ClientID)}, "title": {"Leaking roof"}})
	return o
}

// idOf is the last number of a path such as /clients/12.
func idOf(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("no id in %q", path)
	}
	return id
}

// lockedBuffer collects a process's output from two pipes at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// eventually polls cond every 50 ms until it holds, failing the test with what after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noAnswer says err is a request that got no HTTP answer because nothing listens (the process is gone).
func noAnswer(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded)
}
