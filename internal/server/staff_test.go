package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

var inviteLink = regexp.MustCompile(`http://example\.test/invite/[A-Za-z0-9_-]{43}`)

// lastInviteLink is the link in the newest invitation email queued for to (read from the outbox before the worker
// redacts it).
func lastInviteLink(t *testing.T, tdb *dbtest.TestDB, to string) string {
	t.Helper()
	var text string
	err := tdb.Owner.QueryRow(context.Background(), `
		select text_body from outbox_emails where kind = 'invite' and $1 = any(recipients) order by id desc limit 1`, to).Scan(&text)
	if err != nil {
		t.Fatal(err)
	}
	link := inviteLink.FindString(text)
	if link == "" {
		t.Fatalf("no invitation link in %q", text)
	}
	return strings.TrimPrefix(link, "http://example.test")
}

func TestStaff_InviteValidationAndSeats(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	tdb.Owner.Exec(context.Background(), `update companies set seats = 2 where id = $1`, acme)

	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"email": {"nope"}, "role": {"co-worker"}}, "Enter an email address like name@example.com."},
		{url.Values{"email": {"a@acme.example"}, "role": {"owner"}}, "Choose Admin, Co-worker, Client user or Guest."},
		{url.Values{"email": {"a@acme.example"}, "role": {"client"}}, "Choose the client this user belongs to."},
		{url.Values{"email": {"a@acme.example"}, "role": {"guest"}}, "Choose the client user this guest works with."},
	} {
		res, body := admin.post("/staff/invite", c.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("invite %v = %d, want 422 with %q", c.form, res.StatusCode, c.want)
		}
	}
	if res, _ := admin.post("/staff/invite", url.Values{"email": {"a@acme.example"}, "role": {"co-worker"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite = %d", res.StatusCode)
	}
	res, body := admin.post("/staff/invite", url.Values{"email": {"a@acme.example"}, "role": {"co-worker"}})
	if res.StatusCode != 422 || !strings.Contains(body, "An invitation to this address is already pending.") {
		t.Errorf("duplicate invitation = %d", res.StatusCode)
	}
	res, body = admin.post("/staff/invite", url.Values{"email": {"b@acme.example"}, "role": {"admin"}})
	if res.StatusCode != 422 || !strings.Contains(body, "You are using 2 of 2 seats — upgrade your plan to add more.") {
		t.Errorf("over the seat limit = %d: %.2000s", res.StatusCode, body)
	}
	if _, body := admin.get("/staff"); !strings.Contains(body, "a@acme.example") || strings.Contains(body, "b@acme.example") ||
		!strings.Contains(body, "2 of 2") {
		t.Error("the Staff page does not show exactly the one invitation and the seats")
	}
}

func TestInvite_Links(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme & Sons")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	admin.post("/staff/invite", url.Values{"email": {"nia@example.com"}, "role": {"co-worker"}})
	link := lastInviteLink(t, tdb, "nia@example.com")

	visitor := newClient(t, ts)
	if res, body := visitor.get("/invite/" + strings.Repeat("A", 43)); res.StatusCode != 404 || !strings.Contains(body, "This invitation link does not work") {
		t.Errorf("made-up link = %d", res.StatusCode)
	}
	if res, body := visitor.get(link); res.StatusCode != 200 || !strings.Contains(body, "Join Acme &amp; Sons") || !strings.Contains(body, "Choose a password") {
		t.Fatalf("link = %d: %.1500s", res.StatusCode, body)
	}
	res, body := visitor.post(link, url.Values{"name": {""}, "password": {"short"}})
	if res.StatusCode != 422 || !strings.Contains(body, "Enter your name.") || !strings.Contains(body, "Use at least 10 characters.") {
		t.Errorf("bad input = %d", res.StatusCode)
	}
	res, _ = visitor.post(link, url.Values{"name": {"Nia New"}, "password": {"a-long-password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept = %d", res.StatusCode)
	}
	if _, body := visitor.get("/"); !strings.Contains(body, "Nia New") || !strings.Contains(body, "Welcome to Acme &amp; Sons.") {
		t.Errorf("after accepting, the home page is %.1500s", body)
	}
	if res, body := newClient(t, ts).get(link); res.StatusCode != http.StatusGone || !strings.Contains(body, "This invitation was already used") ||
		strings.Contains(body, "<form method=\"post\" action=\"/invite") {
		t.Errorf("used link = %d", res.StatusCode)
	}
	if _, body := admin.get("/staff"); !strings.Contains(body, "registered") || !strings.Contains(body, "Nia New") {
		t.Error("Staff does not show the registered invitation and the new person")
	}

	// Expired: a page naming the company, nothing else.
	admin.post("/staff/invite", url.Values{"email": {"late@example.com"}, "role": {"co-worker"}})
	late := lastInviteLink(t, tdb, "late@example.com")
	tdb.Owner.Exec(ctx, `update invitations set expires_at = now() - interval '1 minute' where email = 'late@example.com'`)
	if res, body := newClient(t, ts).get(late); res.StatusCode != http.StatusGone || !strings.Contains(body, "Ask Acme &amp; Sons to send you a new one.") {
		t.Errorf("expired link = %d", res.StatusCode)
	}
	if res, _ := newClient(t, ts).post(late, url.Values{"name": {"Late"}, "password": {"a-long-password"}}); res.StatusCode != http.StatusGone {
		t.Errorf("accepting an expired link = %d", res.StatusCode)
	}
}

// An invitation to an email that already has a login asks for that login's password, and joins that account —
// not whoever is logged in in the browser.
func TestInvite_ExistingAccount(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	seedPerson(t, s, tdb, bolt, "pat@example.com", "Pat", "pats-password", identity.RoleAdmin)
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	admin.post("/staff/invite", url.Values{"email": {"pat@example.com"}, "role": {"co-worker"}})
	link := lastInviteLink(t, tdb, "pat@example.com")

	// The admin opens the link in their own browser: the page is still about Pat's login.
	if _, body := admin.get(link); !strings.Contains(body, "This email already has a fieldops login.") || strings.Contains(body, "Choose a password") {
		t.Fatalf("existing-account page: %.1500s", body)
	}
	res, body := admin.post(link, url.Values{"password": {"wrong-password"}})
	if res.StatusCode != 422 || !strings.Contains(body, "That is not the password of this login.") {
		t.Errorf("wrong password = %d", res.StatusCode)
	}
	if res, _ := admin.post(link, url.Values{"password": {"pats-password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept = %d", res.StatusCode)
	}
	if _, body := admin.get("/"); !strings.Contains(body, "Pat · Acme") {
		t.Errorf("after accepting, the browser is not Pat in Acme: %.1000s", body)
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from memberships m join accounts a on a.id = m.account_id where a.email = 'pat@example.com'`).Scan(&n)
	if n != 2 {
		t.Errorf("Pat has %d memberships, want 2", n)
	}
}

func TestStaff_DeactivateEndsSessionAndLastAdmin(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	_, adminID := seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	admin := newClient(t, ts)
	admin.login("ann@acme.example", "password-123")
	_, coraID := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora", "password-123", identity.RoleCoWorker)
	cora := newClient(t, ts)
	cora.login("cora@acme.example", "password-123")
	if res, _ := cora.get("/clients"); res.StatusCode != 200 {
		t.Fatalf("co-worker /clients = %d", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("/staff/%d/deactivate", coraID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate = %d", res.StatusCode)
	}
	if res, _ := cora.get("/clients"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("a deactivated co-worker's next request = %d %s, want the login page", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := admin.post(fmt.Sprintf("/staff/%d/deactivate", adminID), nil); res.StatusCode != 422 ||
		!strings.Contains(body, "Ann is the last active admin. Make someone else an admin first.") {
		t.Errorf("deactivating the last admin = %d", res.StatusCode)
	}
	res, body := admin.post(fmt.Sprintf("/staff/%d", adminID), url.Values{"name": {"Ann"}, "role": {"co-worker"}})
	if res.StatusCode != 422 || !strings.Contains(body, "last active admin") || !strings.Contains(body, `<option value="co-worker" selected>`) {
		t.Errorf("demoting the last admin = %d", res.StatusCode)
	}
	if res, body := admin.post(fmt.Sprintf("/staff/%d", coraID), url.Values{"name": {""}, "role": {"co-worker"}}); res.StatusCode != 422 ||
		!strings.Contains(body, "Enter their name.") {
		t.Errorf("empty name = %d", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("/staff/%d/reactivate", coraID), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("reactivate = %d", res.StatusCode)
	}
	cora.login("cora@acme.example", "password-123")
}

// Invitation emails are delivered for real, with the link in both parts, and redacted once sent.
func TestInvite_EmailDeliveredAndRedacted(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	acme := tdb.CreateCompany(t, "Acme")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	startTestWorker(t, tdb, m)
	admin.post("/staff/invite", url.Values{"email": {"nia@example.com"}, "role": {"admin"}})
	got := m.Message(m.WaitFor(1, 10*time.Second)[0].ID)
	if got.Subject != "Join Acme on fieldops" || !inviteLink.MatchString(got.Text) || !inviteLink.MatchString(got.HTML) ||
		!strings.Contains(got.Text, "as an admin") {
		t.Errorf("invitation email: %q\n%s", got.Subject, got.Text)
	}
	var id int64
	tdb.Owner.QueryRow(context.Background(), `select id from outbox_emails where kind = 'invite'`).Scan(&id)
	waitForOutbox(t, tdb, id, "sent")
	var text string
	tdb.Owner.QueryRow(context.Background(), `select text_body from outbox_emails where id = $1`, id).Scan(&text)
	if inviteLink.MatchString(text) {
		t.Error("the sent invitation still holds its link in the database")
	}
}
