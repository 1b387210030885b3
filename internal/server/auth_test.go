package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldops/internal/identity"
)

func signupForm(company, name, email, password string) url.Values {
	return url.Values{"company_name": {company}, "name": {name}, "email": {email}, "password": {password}}
}

func TestSignup_Validation(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Existing Co"), "taken@acme.example", "Taken", "password-123", identity.RoleAdmin)
	long := strings.Repeat("y", 201)

	cases := []struct {
		name                             string
		company, person, email, password string
		field, msg                       string
	}{
		{"everything missing", "", "", "", "", "company_name", "Enter your company&#39;s name."},
		{"name missing", "Acme", "", "ann@acme.example", "password-123", "name", "Enter your name."},
		{"malformed email", "Acme", "Ann", "ann.acme.example", "password-123", "email", "Enter an email address like name@example.com."},
		{"short password", "Acme", "Ann", "ann@acme.example", "short", "password", "Use at least 10 characters."},
		{"over-long company", long, "Ann", "ann@acme.example", "password-123", "company_name", "Use at most 200 characters."},
		{"over-long name", "Acme", long, "ann@acme.example", "password-123", "name", "Use at most 200 characters."},
		{"email taken", "Acme", "Ann", "TAKEN@acme.example", "password-123", "email", "This email already has an account. Log in instead, or use another email."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := newClient(t, ts).post("/signup", signupForm(c.company, c.person, c.email, c.password))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			want := fmt.Sprintf(`<p class="error" id="%s-error">%s</p>`, c.field, c.msg)
			if !strings.Contains(body, want) {
				t.Errorf("no %s next to %s in:\n%s", c.msg, c.field, body)
			}
			for _, typed := range []string{c.company, c.person, c.email} {
				if typed != "" && !strings.Contains(body, `value="`+typed+`"`) {
					t.Errorf("typed value %.30q was not kept", typed)
				}
			}
			if c.password != "" && strings.Contains(body, c.password) {
				t.Error("the password was sent back")
			}
		})
	}
	var companies int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from companies`).Scan(&companies)
	if companies != 1 {
		t.Errorf("%d companies after only failed sign-ups, want the 1 seeded", companies)
	}
}

func TestSignup_LogsInAsAdmin(t *testing.T) {
	s, _, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := newClient(t, ts)
	res, _ := c.post("/signup", signupForm("  Acme <b>Plumbing</b> ", "Ann Able", "ann@acme.example", "password-123"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign-up = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	ck := c.session()
	if ck == nil {
		t.Fatal("no session cookie")
	}
	setCookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("session cookie %q lacks %s", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("Secure cookie on plain http: %q", setCookie)
	}

	_, body := c.get("/")
	if !strings.Contains(body, "Welcome, Ann Able") {
		t.Errorf("home after sign-up: %.600s", body)
	}
	// Markup typed into a field comes back as text.
	if strings.Contains(body, "<b>Plumbing</b>") || !strings.Contains(body, "Acme &lt;b&gt;Plumbing&lt;/b&gt;") {
		t.Errorf("company name not escaped: %.800s", body)
	}
	for _, area := range []string{"/clients", "/staff", "/outbox"} {
		if !strings.Contains(body, `href="`+area+`"`) {
			t.Errorf("admin nav lacks %s", area)
		}
	}
	// The signed-up person can log in again.
	c2 := newClient(t, ts)
	c2.login("ann@acme.example", "password-123")
}

func TestLogin_WrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)

	wrong, wrongBody := newClient(t, ts).post("/login", url.Values{"email": {"ann@acme.example"}, "password": {"password-124"}})
	unknown, unknownBody := newClient(t, ts).post("/login", url.Values{"email": {"bob@acme.example"}, "password": {"password-124"}})
	if wrong.StatusCode != 422 || unknown.StatusCode != 422 {
		t.Fatalf("statuses %d and %d, want 422", wrong.StatusCode, unknown.StatusCode)
	}
	if !strings.Contains(wrongBody, "Email or password is wrong.") {
		t.Errorf("no message: %.500s", wrongBody)
	}
	if strings.ReplaceAll(wrongBody, "ann@", "bob@") != unknownBody {
		t.Error("a wrong password and an unknown email answer differently")
	}

	res, body := newClient(t, ts).post("/login", url.Values{"email": {""}, "password": {""}})
	if res.StatusCode != 422 || !strings.Contains(body, "Enter your email address.") || !strings.Contains(body, "Enter your password.") {
		t.Errorf("empty login = %d: %.500s", res.StatusCode, body)
	}
}

func TestLogin_RateLimitPerEmail(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	c := newClient(t, ts)
	for i := range 5 {
		if res, _ := c.post("/login", url.Values{"email": {"ann@acme.example"}, "password": {"guess-" + fmt.Sprint(i) + "xxxxx"}}); res.StatusCode != 422 {
			t.Fatalf("attempt %d = %d, want 422", i+1, res.StatusCode)
		}
	}
	// Now even the right password waits, and says for how long.
	res, body := c.post("/login", url.Values{"email": {"ANN@acme.example"}, "password": {"password-123"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts. Try again in 15 minutes.") {
		t.Fatalf("6th attempt = %d: %.600s", res.StatusCode, body)
	}
	if !strings.Contains(body, `value="ANN@acme.example"`) {
		t.Error("the typed email was not kept")
	}
	// Another account from the same address is not locked out by it.
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Bolt"), "bob@bolt.example", "Bob", "password-456", identity.RoleAdmin)
	c.login("bob@bolt.example", "password-456")
}

func TestLogin_RateLimitPerIP(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	c := newClient(t, ts)
	for i := range 20 { // a different email each time: only the IP limit can catch it
		c.post("/login", url.Values{"email": {fmt.Sprintf("user%d@acme.example", i)}, "password": {"password-123"}})
	}
	res, body := c.post("/login", url.Values{"email": {"ann@acme.example"}, "password": {"password-123"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
		t.Fatalf("after 20 failures from one IP = %d", res.StatusCode)
	}
}

func TestLogin_RenewsTheSessionToken(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	c := newClient(t, ts)
	c.login("ann@acme.example", "password-123")
	before := c.session().Value
	c.login("ann@acme.example", "password-123")
	if after := c.session().Value; after == before {
		t.Fatal("login kept the session token")
	}
	// The old token is dead.
	old := newClient(t, ts)
	u, _ := url.Parse(ts.URL)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: "fieldops_session", Value: before, Path: "/"}})
	if _, body := old.get("/"); strings.Contains(body, "Welcome, ") {
		t.Error("the token from before the second login still works")
	}
}

func TestLogin_NextStaysOnSite(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	for next, want := range map[string]string{"/jobs?view=all": "/jobs?view=all", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil.example": "/"} {
		res, _ := newClient(t, ts).post("/login", url.Values{"email": {"ann@acme.example"}, "password": {"password-123"}, "next": {next}})
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("next=%q → %q, want %q", next, got, want)
		}
	}
}

func TestSession_Ends(t *testing.T) {
	cases := []struct {
		name  string
		apply func(t *testing.T, s *Server, ctx context.Context, exec func(string, ...any))
	}{
		{"when the membership is deactivated", func(t *testing.T, s *Server, ctx context.Context, exec func(string, ...any)) {
			exec(`update memberships set active = false`)
		}},
		{"when the role changes (session version bumped)", func(t *testing.T, s *Server, ctx context.Context, exec func(string, ...any)) {
			exec(`update memberships set role = 'co-worker', session_version = session_version + 1`)
		}},
		{"after 12 idle hours", func(t *testing.T, s *Server, ctx context.Context, exec func(string, ...any)) {
			s.kit.Now = func() time.Time { return time.Now().Add(12*time.Hour + time.Minute) }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, tdb, _ := newTestServer(t)
			ts := httptest.NewServer(s)
			defer ts.Close()
			seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
			cl := newClient(t, ts)
			cl.login("ann@acme.example", "password-123")
			if _, body := cl.get("/"); !strings.Contains(body, "Welcome, Ann") {
				t.Fatal("not logged in")
			}
			ctx := context.Background()
			c.apply(t, s, ctx, func(sql string, args ...any) {
				if _, err := tdb.Owner.Exec(ctx, sql, args...); err != nil {
					t.Fatal(err)
				}
			})
			if _, body := cl.get("/"); strings.Contains(body, "Welcome, ") || !strings.Contains(body, `href="/login"`) {
				t.Errorf("still logged in: %.400s", body)
			}
		})
	}
}

func TestSession_ActivityKeepsItAlive(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	cl := newClient(t, ts)
	cl.login("ann@acme.example", "password-123")
	start := time.Now()
	for _, h := range []time.Duration{6, 12, 18} { // a request every 6 hours never idles 12
		s.kit.Now = func() time.Time { return start.Add(h * time.Hour) }
		if _, body := cl.get("/"); !strings.Contains(body, "Welcome, Ann") {
			t.Fatalf("logged out at +%dh despite activity", h)
		}
	}
}

func TestLogout(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	cl := newClient(t, ts)
	cl.login("ann@acme.example", "password-123")
	token := cl.session().Value
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from sessions where token = $1`, storedKey(token)).Scan(&n)
	if n != 1 {
		t.Fatalf("%d session rows under the token's hash before logout, want 1", n)
	}
	res, _ := cl.post("/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d", res.StatusCode)
	}
	tdb.Owner.QueryRow(context.Background(), `select count(*) from sessions where token = $1`, storedKey(token)).Scan(&n)
	if n != 0 {
		t.Error("the session row outlived logout")
	}
	if _, body := cl.get("/"); strings.Contains(body, "Welcome, ") {
		t.Error("still logged in after logout")
	}
}

// TestSessions_StoredHashed: the sessions table holds sha256 of each token, never the token: a copy of the table
// (a backup, a read as the app role) logs no one in.
func TestSessions_StoredHashed(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	cl := newClient(t, ts)
	cl.login("ann@acme.example", "password-123")
	token := cl.session().Value
	var raw, hashed int
	tdb.Owner.QueryRow(context.Background(), `select count(*) filter (where token = $1), count(*) filter (where token = $2) from sessions`,
		token, storedKey(token)).Scan(&raw, &hashed)
	if raw != 0 || hashed != 1 {
		t.Errorf("sessions: %d rows under the raw token, %d under its hash; want 0 and 1", raw, hashed)
	}
	var stolen string
	tdb.Owner.QueryRow(context.Background(), `select token from sessions limit 1`).Scan(&stolen)
	thief := newClient(t, ts)
	u, _ := url.Parse(ts.URL)
	thief.http.Jar.SetCookies(u, []*http.Cookie{{Name: cl.session().Name, Value: stolen, Path: "/"}})
	if _, body := thief.get("/"); strings.Contains(body, "Log out") {
		t.Error("a token read from the sessions table logged in")
	}
}

func TestSwitch(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme, bolt, other := tdb.CreateCompany(t, "Acme Plumbing"), tdb.CreateCompany(t, "Bolt Electrical"), tdb.CreateCompany(t, "Other Co")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	_, boltMembership := seedPerson(t, s, tdb, bolt, "ann@acme.example", "Ann", "", identity.RoleCoWorker)
	_, strangerMembership := seedPerson(t, s, tdb, other, "zed@other.example", "Zed", "password-999", identity.RoleAdmin)

	if res, _ := newClient(t, ts).get("/switch"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("/switch without login = %d → %s", res.StatusCode, res.Header.Get("Location"))
	}

	c := newClient(t, ts)
	if loc := c.login("ann@acme.example", "password-123").Header.Get("Location"); loc != "/switch" {
		t.Fatalf("login with two companies → %q, want /switch", loc)
	}
	if res, _ := c.get("/"); res.Header.Get("Location") != "/switch" {
		t.Errorf("home before picking a company → %q, want /switch", res.Header.Get("Location"))
	}
	_, body := c.get("/switch")
	if !strings.Contains(body, "Acme Plumbing") || !strings.Contains(body, "Bolt Electrical") || strings.Contains(body, "Other Co") {
		t.Fatalf("/switch lists: %.1000s", body)
	}
	// Another account's membership, forged into the form: 404.
	if res, _ := c.post("/switch", url.Values{"membership_id": {fmt.Sprint(strangerMembership)}}); res.StatusCode != 404 {
		t.Errorf("switch into a stranger's membership = %d, want 404", res.StatusCode)
	}
	before := c.session().Value
	if res, _ := c.post("/switch", url.Values{"membership_id": {fmt.Sprint(boltMembership)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch = %d", res.StatusCode)
	}
	if c.session().Value == before {
		t.Error("switching kept the session token")
	}
	_, body = c.get("/")
	if !strings.Contains(body, "Bolt Electrical") || !strings.Contains(body, "Co-worker") || strings.Contains(body, `href="/staff"`) {
		t.Errorf("after switching, home shows: %.800s", body)
	}
	if !strings.Contains(body, `href="/switch"`) {
		t.Error("the top bar offers no company switch")
	}
}

func TestSession_HTTPSCookie(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	secure := New(Config{BaseURL: "https://fieldops.example", Argon2: fastArgon2}, tdb.DB, s.log)
	t.Cleanup(secure.Close)
	seedPerson(t, secure, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	r := httptest.NewRequest("POST", "/login", strings.NewReader("email=ann%40acme.example&password=password-123"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ := do(t, secure, r)
	ck := res.Header.Get("Set-Cookie")
	if !strings.HasPrefix(ck, "__Host-fieldops_session=") || !strings.Contains(ck, "Secure") || strings.Contains(ck, "Domain=") {
		t.Errorf("https session cookie = %q, want __Host- prefix, Secure, no Domain", ck)
	}
}

// TestSessions_CacheSeesThisInstancesChanges: with the session cache on, a logout or a new login on this instance
// takes effect at once — the cache is written through — and a deactivation still ends the session at the next
// request (the membership check is never cached).
func TestSessions_CacheSeesThisInstancesChanges(t *testing.T) {
	_, tdb, logs := newTestServer(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2, SessionCacheTTL: time.Minute}, tdb.DB, slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	_, ann := seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, acme, "bob@acme.example", "Bob", "password-123", identity.RoleAdmin)
	cl := newClient(t, ts)
	cl.login("ann@acme.example", "password-123")
	if _, body := cl.get("/jobs"); !strings.Contains(body, "Log out") {
		t.Fatal("not logged in")
	}
	cl.post("/logout", nil)
	if _, body := cl.get("/jobs"); strings.Contains(body, "Log out") {
		t.Error("still logged in after logging out, with the cache on")
	}
	cl.login("ann@acme.example", "password-123")
	cl.get("/jobs")
	tdb.Owner.Exec(context.Background(), `update memberships set active = false, session_version = session_version + 1 where id = $1`, ann)
	if _, body := cl.get("/jobs"); strings.Contains(body, "Log out") {
		t.Error("a deactivated person's session outlived the deactivation, with the cache on")
	}
}
