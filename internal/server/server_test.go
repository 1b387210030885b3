package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// fastArgon2 keeps the many logins of the tests quick; identity's tests cover the production cost.
var fastArgon2 = identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// newTestServer is the real router on a fresh database; log lines go to the returned buffer.
func newTestServer(t *testing.T) (*Server, *dbtest.TestDB, *bytes.Buffer) {
	t.Helper()
	tdb := dbtest.New(t)
	var logs bytes.Buffer
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return s, tdb, &logs
}

// do sends a request through the router and returns the response and its body.
func do(t *testing.T, h http.Handler, r *http.Request) (*http.Response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestServer_Home(t *testing.T) {
	s, _, _ := newTestServer(t)
	res, body := do(t, s, httptest.NewRequest("GET", "/", nil))
	if res.StatusCode != 200 {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	for _, want := range []string{"<h1>", `href="/login"`, `href="/signup"`, `/static/app.css`, `/static/htmx.min.js`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if strings.Count(body, "<h1") != 1 {
		t.Errorf("home page has %d h1, want 1", strings.Count(body, "<h1"))
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	s, _, _ := newTestServer(t)
	for _, path := range []string{"/", "/no-such-page", "/static/app.css"} {
		res, _ := do(t, s, httptest.NewRequest("GET", path, nil))
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q must allow own scripts only", path, csp)
		}
		if !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q must forbid framing", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: missing nosniff, Referrer-Policy or X-Request-Id: %v", path, h)
		}
	}
}

// TestServer_CachingAndHSTS: logged-in pages and invitation pages are never stored by a cache; a visitor's
// public pages may be; HSTS is sent only when BASE_URL is https.
func TestServer_CachingAndHSTS(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	admin := signedIn(t, s, tdb, ts, tdb.CreateCompany(t, "Acme"), identity.RoleAdmin)
	for _, path := range []string{"/", "/jobs", "/clients", "/no-such-page"} {
		if res, _ := admin.get(path); res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("logged-in %s: Cache-Control %q, want no-store", path, res.Header.Get("Cache-Control"))
		}
	}
	if res, _ := newClient(t, ts).get("/invite/made-up-token"); res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("invitation page: Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
	}
	res, _ := newClient(t, ts).get("/login")
	if res.Header.Get("Cache-Control") == "no-store" || res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("visitor's /login over http: Cache-Control %q, HSTS %q", res.Header.Get("Cache-Control"), res.Header.Get("Strict-Transport-Security"))
	}
	secure := New(Config{BaseURL: "https://fieldops.example", Argon2: fastArgon2}, tdb.DB, s.log)
	defer secure.Close()
	if res, _ := do(t, secure, httptest.NewRequest("GET", "/login", nil)); !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("https BASE_URL: HSTS %q, want max-age", res.Header.Get("Strict-Transport-Security"))
	}
}

func TestServer_Health(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	if res, body := do(t, s, httptest.NewRequest("GET", "/healthz", nil)); res.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz = %d %q", res.StatusCode, body)
	}
	if res, _ := do(t, s, httptest.NewRequest("GET", "/readyz", nil)); res.StatusCode != 200 {
		t.Errorf("readyz with the database up = %d", res.StatusCode)
	}
	tdb.DB.Close()
	if res, _ := do(t, s, httptest.NewRequest("GET", "/readyz", nil)); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database gone = %d, want 503", res.StatusCode)
	}
}

func TestServer_NotFoundPage(t *testing.T) {
	s, _, _ := newTestServer(t)
	res, body := do(t, s, httptest.NewRequest("GET", "/no-such-page", nil))
	if res.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, `class="topbar"`) {
		t.Errorf("unknown path = %d, want the 404 page in the layout; body: %.300s", res.StatusCode, body)
	}
	if res, _ := do(t, s, httptest.NewRequest("DELETE", "/", nil)); res.StatusCode != 404 {
		t.Errorf("DELETE / = %d, want 404", res.StatusCode)
	}
}

func TestServer_CrossSitePostRefused(t *testing.T) {
	s, _, _ := newTestServer(t)
	r := httptest.NewRequest("POST", "/", strings.NewReader("a=b"))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	res, body := do(t, s, r)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Not allowed") {
		t.Errorf("cross-site POST = %d, want the 403 page", res.StatusCode)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader("a=b"))
	r.Header.Set("Origin", "https://evil.example")
	r.Host = "example.test"
	if res, _ := do(t, s, r); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST from a foreign Origin = %d, want 403", res.StatusCode)
	}
}

func TestServer_PanicBecomes500(t *testing.T) {
	s, _, logs := newTestServer(t)
	h := s.requestID(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("kaboom")
	})))
	res, body := do(t, h, httptest.NewRequest("GET", "/", nil))
	if res.StatusCode != 500 || !strings.Contains(body, "Something went wrong") || strings.Contains(body, "kaboom") {
		t.Errorf("panic = %d, want the 500 page without the cause; body %.200s", res.StatusCode, body)
	}
	if id := res.Header.Get("X-Request-Id"); id == "" || !strings.Contains(body, "Reference: <code>"+id+"</code>") {
		t.Errorf("the 500 page does not give the request's id (%q) to quote: %.2000s", id, body)
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("the panic was not logged: %s", logs.String())
	}
}

func TestServer_RenderFailureIsClean500(t *testing.T) {
	s, _, _ := newTestServer(t)
	broken := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		io.WriteString(w, "<p>half a page")
		return errors.New("view failed")
	})
	w := httptest.NewRecorder()
	s.kit.Render(w, httptest.NewRequest("GET", "/", nil), nil, broken)
	if w.Code != 500 || strings.Contains(w.Body.String(), "half a page") {
		t.Errorf("a failing view = %d with body %.200q, want a clean 500 page", w.Code, w.Body.String())
	}
}

func TestServer_LogMasksTokens(t *testing.T) {
	s, _, logs := newTestServer(t)
	for _, path := range []string{"/share/SECRETTOKEN123", "/invite/SECRETTOKEN123", "/calendar/feed/SECRETTOKEN123.ics"} {
		do(t, s, httptest.NewRequest("GET", path, nil))
	}
	if strings.Contains(logs.String(), "SECRETTOKEN123") {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "path=/share/…") {
		t.Errorf("the masked path is not logged:\n%s", logs.String())
	}
}

// A conflict with its reason (apperr.Conflict) is a 409 page that says the reason, not a form error.
func TestServer_ConflictInWords(t *testing.T) {
	s, _, _ := newTestServer(t)
	w := httptest.NewRecorder()
	s.kit.Fail(w, httptest.NewRequest("POST", "/", nil), apperr.Conflict("This task was made without a client."))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "This task was made without a client.") {
		t.Errorf("a conflict in words = %d: %.300s", w.Code, w.Body.String())
	}
}
