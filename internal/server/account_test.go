package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

var accountLink = regexp.MustCompile(`http://example\.test(/(?:verify|reset)/[A-Za-z0-9_-]{43})`)

// accountLinks are the verification or reset paths in the emails of kind queued for to, oldest first.
func accountLinks(t testing.TB, tdb *dbtest.TestDB, to, kind string) []string {
	return queuedLinks(t, tdb, to, kind, accountLink)
}

// TestSignup_VerifyBeforeEmailingAnyone: a sign-up emails its admin a verification link; until it is opened
// the company emails only its admins — an invitation is refused in words and nothing is queued — and the page
// says why and offers Resend verification, whose new link kills the old one.
func TestSignup_VerifyBeforeEmailingAnyone(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	ann := newClient(t, ts)
	res, _ := ann.post("/signup", url.Values{"company_name": {"Acme"}, "name": {"Ann"}, "email": {"ann@acme.example"}, "password": {"a-long-password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up = %d", res.StatusCode)
	}
	first := accountLinks(t, tdb, "ann@acme.example", "verify")
	if len(first) != 1 {
		t.Fatalf("sign-up queued %d verification links, want 1", len(first))
	}
	if _, body := ann.get("/"); !strings.Contains(body, "Verify your email address.") || !strings.Contains(body, "Resend verification") {
		t.Errorf("the home page does not say to verify: %.600s", body)
	}
	res, body := ann.post("/staff/invite", url.Values{"email": {"cora@acme.example"}, "role": {"co-worker"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Verify your email address first") {
		t.Errorf("invite before verifying = %d, want 422 in words: %.300s", res.StatusCode, body)
	}
	var invites int
	tdb.Owner.QueryRow(ctx, `select (select count(*) from invitations) + (select count(*) from outbox_emails where kind = 'invite')`).Scan(&invites)
	if invites != 0 {
		t.Errorf("%d invitation rows or emails saved before verifying", invites)
	}
	// Not even to herself: her address is as unproven as any (a sign-up could type a stranger's).
	if res, body := ann.post("/outbox/test", nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Verify your email address first") {
		t.Errorf("a test email before verifying = %d, want refused in words", res.StatusCode)
	}
	var others int
	tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where kind <> 'verify'`).Scan(&others)
	if others != 0 {
		t.Errorf("%d emails other than the verification were queued before verifying", others)
	}

	ann.post("/account/verify", nil)
	links := accountLinks(t, tdb, "ann@acme.example", "verify")
	if len(links) != 2 {
		t.Fatalf("Resend verification queued %d links in all, want 2", len(links))
	}
	// Opening the link changes nothing (mail scanners open every link); the button on its page does.
	if res, body := ann.get(links[1]); res.StatusCode != 200 || !strings.Contains(body, "Verify my email") {
		t.Errorf("the verification page = %d", res.StatusCode)
	}
	if _, body := ann.get("/"); !strings.Contains(body, "Verify your email address.") {
		t.Error("opening the link verified the email without the button")
	}
	if res, _ := ann.post(links[0], nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced link = %d, want 404", res.StatusCode)
	}
	if res, _ := ann.post(links[1], nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify = %d", res.StatusCode)
	}
	if _, body := ann.get("/"); strings.Contains(body, "Verify your email address.") || !strings.Contains(body, "your email address is verified") {
		t.Errorf("after verifying, the home page: %.600s", body)
	}
	if res, _ := ann.post(links[1], nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("a used link = %d, want 404", res.StatusCode)
	}
	if res, _ := ann.post("/staff/invite", url.Values{"email": {"cora@acme.example"}, "role": {"co-worker"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("invite after verifying = %d", res.StatusCode)
	}
}

// TestSendingLimits: over its hourly limit a company's Send Email is refused with 429 in words, and none of the
// copies is queued; a suspended company's staff see why on every page, and nothing new is queued.
func TestSendingLimits(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set email_hourly_limit = 3, email_daily_limit = 100 where id = $1`, acme)
	client := seedClient(t, tdb, acme, "Harbour View")
	job := seedJob(t, tdb, acme, client, "Leak")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	path := "/jobs/" + strconv.FormatInt(job, 10) + "/email"
	count := func() (n int) {
		tdb.Owner.QueryRow(ctx, `select count(*) from outbox_emails where company_id = $1`, acme).Scan(&n)
		return n
	}
	before := count()
	res, body := admin.post(path, url.Values{"custom": {"a@x.example, b@x.example, c@x.example, d@x.example"}, "subject": {"Hi"}, "body": {"Hello"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "its limit") {
		t.Errorf("4 recipients over a limit of 3 = %d, want 429 in words: %.300s", res.StatusCode, body)
	}
	if n := count(); n != before {
		t.Errorf("%d emails queued by a refused send", n-before)
	}
	if res, _ := admin.post(path, url.Values{"custom": {"a@x.example, b@x.example"}, "subject": {"Hi"}, "body": {"Hello"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("2 recipients within the limit = %d", res.StatusCode)
	}

	tdb.Owner.Exec(ctx, `update companies set suspended_at = now(), suspended_reason = 'Spam complaints', email_hourly_limit = null where id = $1`, acme)
	if _, body := admin.get("/jobs"); !strings.Contains(body, "is suspended:") || !strings.Contains(body, "Spam complaints") {
		t.Errorf("a suspended company's page does not say why: %.600s", body)
	}
	before = count()
	res, body = admin.post("/staff/invite", url.Values{"email": {"cora@acme.example"}, "role": {"co-worker"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "suspended") || count() != before {
		t.Errorf("invite while suspended = %d, want 422 in words and nothing queued", res.StatusCode)
	}
}

// TestLogin_ParallelGuessesAreCounted: 300 wrong passwords sent at once for one email get no more checks than
// the limit allows; the rest are told to wait (429) without a password hash being computed.
func TestLogin_ParallelGuessesAreCounted(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.PostForm(ts.URL+"/login", url.Values{"email": {"ann@acme.example"}, "password": {"guess-guess-guess"}})
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			statuses[res.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusUnprocessableEntity] > 5 || statuses[http.StatusTooManyRequests] < 295 {
		t.Errorf("300 parallel guesses: %v; want at most 5 checked (422), the rest 429", statuses)
	}
	// The owner, from another network, is not locked out by the guesses (their own network's count is clean).
	r, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(url.Values{"email": {"ann@acme.example"}, "password": {"password-123"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "198.51.100.7:1234"
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Errorf("the owner logging in from another network = %d, want 303", w.Code)
	}
}

// TestForgotPassword: the same answer whether or not the email has a login; a single-use link for an hour;
// saving the new password ends every session of the login.
func TestForgotPassword(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	laptop, phone := newClient(t, ts), newClient(t, ts)
	laptop.login("ann@acme.example", "password-123")
	phone.login("ann@acme.example", "password-123")

	visitor := newClient(t, ts)
	_, unknown := visitor.post("/forgot", url.Values{"email": {"nobody@acme.example"}})
	_, known := visitor.post("/forgot", url.Values{"email": {"ann@acme.example"}})
	strip := func(body, email string) string { return strings.ReplaceAll(body, email, "EMAIL") }
	if strip(unknown, "nobody@acme.example") != strip(known, "ann@acme.example") || !strings.Contains(known, "we have emailed it a link") {
		t.Error("the answer differs for an email with a login and one without")
	}
	links := accountLinks(t, tdb, "ann@acme.example", "reset")
	if len(links) != 1 || len(accountLinks(t, tdb, "nobody@acme.example", "reset")) != 0 {
		t.Fatalf("reset links: %v", links)
	}
	link := links[0]
	if res, body := visitor.get(link); res.StatusCode != 200 || !strings.Contains(body, "ann@acme.example") {
		t.Fatalf("the reset form = %d", res.StatusCode)
	}
	if res, body := visitor.post(link, url.Values{"password": {"short"}}); res.StatusCode != 422 || !strings.Contains(body, "at least 10 characters") {
		t.Errorf("a short password = %d", res.StatusCode)
	}
	if res, _ := visitor.post(link, url.Values{"password": {"a-brand-new-password"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("saving the new password = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for name, c := range map[string]*client{"laptop": laptop, "phone": phone} {
		if _, body := c.get("/jobs"); strings.Contains(body, "Log out") {
			t.Errorf("the %s session outlived the reset", name)
		}
	}
	if res, _ := visitor.get(link); res.StatusCode != http.StatusNotFound {
		t.Errorf("a used link = %d, want 404", res.StatusCode)
	}
	if res, _ := newClient(t, ts).post("/login", url.Values{"email": {"ann@acme.example"}, "password": {"password-123"}}); res.StatusCode != 422 {
		t.Errorf("the old password = %d, want refused", res.StatusCode)
	}
	newClient(t, ts).login("ann@acme.example", "a-brand-new-password")

	visitor.post("/forgot", url.Values{"email": {"ann@acme.example"}})
	links = accountLinks(t, tdb, "ann@acme.example", "reset")
	tdb.Owner.Exec(ctx, `update account_tokens set expires_at = now() - interval '1 second' where purpose = 'reset'`)
	if res, _ := visitor.get(links[len(links)-1]); res.StatusCode != http.StatusNotFound {
		t.Errorf("a link past its hour = %d, want 404", res.StatusCode)
	}
}

// TestChangePassword: the current password is required; the new one ends every other session of the login, and
// this one goes on.
func TestChangePassword(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, bolt, "ann@acme.example", "Ann", "", identity.RoleCoWorker)
	here, other := newClient(t, ts), newClient(t, ts)
	for _, c := range []*client{here, other} {
		c.login("ann@acme.example", "password-123") // two companies: logged in, not yet in one
	}
	here.post("/switch", url.Values{"membership_id": {membershipOf(t, tdb, acme, "ann@acme.example")}})
	if _, body := here.get("/account"); !strings.Contains(body, "Change password") {
		t.Fatal("no Change password on the account page")
	}
	if res, body := here.post("/account/password", url.Values{"current": {"wrong-password"}, "password": {"a-brand-new-password"}}); res.StatusCode != 422 || !strings.Contains(body, "not your current password") {
		t.Errorf("a wrong current password = %d", res.StatusCode)
	}
	if res, _ := here.post("/account/password", url.Values{"current": {"password-123"}, "password": {"a-brand-new-password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password = %d", res.StatusCode)
	}
	// Guessing the current password from a session is limited as logins are (5 from one network).
	statuses := map[int]int{}
	for range 8 {
		res, _ := here.post("/account/password", url.Values{"current": {"guess-guess-guess"}, "password": {"another-new-password"}})
		statuses[res.StatusCode]++
	}
	if statuses[http.StatusTooManyRequests] < 3 {
		t.Errorf("8 guesses of the current password: %v, want 429 after 5", statuses)
	}
	if _, body := here.get("/account"); !strings.Contains(body, "Password changed") {
		t.Error("this session did not go on after the change")
	}
	// The other login had not picked its company yet: it has ended too.
	if res, _ := other.get("/switch"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the other session's /switch = %d %s, want sent to log in", res.StatusCode, res.Header.Get("Location"))
	}
}

func membershipOf(t *testing.T, tdb *dbtest.TestDB, company int64, email string) string {
	t.Helper()
	var id int64
	tdb.Owner.QueryRow(context.Background(), `select m.id from memberships m join accounts a on a.id = m.account_id
	                                           where m.company_id = $1 and a.email = $2`, company, email).Scan(&id)
	return strconv.FormatInt(id, 10)
}
