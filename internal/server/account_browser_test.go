package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// mailedPath is the /verify/… or /reset/… path of the link in msg as it arrived in Mailpit. The email links
// under the configured BASE_URL; the caller opens the path on the test server instead.
func mailedPath(t *testing.T, m *mailtest.Mailpit, msg mailtest.Message) string {
	t.Helper()
	text := m.Message(msg.ID).Text
	link := accountLink.FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no verify or reset link in the email %q: %q", msg.Subject, text)
	}
	return link[1]
}

// textOf is the text of the first element matching sel, or "" when there is none: for what a page must not show.
func textOf(sel string, text *string) chromedp.Action {
	return chromedp.Evaluate(`document.querySelector(`+strconv.Quote(sel)+`)?.innerText ?? ""`, text)
}

// A person signs up their company. Until they open the link in the verification email, every page says so and
// offers Resend verification, and inviting a co-worker is refused in words with nothing sent. The link from the
// email, opened in the same browser, verifies the address: the banner goes and the invitation reaches the co-worker.
func TestBrowser_SignupVerifyInvite(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := newBrowser(t)

	var banner, resend string
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/signup"),
		fill([2]string{"company_name", "Acme Plumbing"}, [2]string{"name", "Ann Able"},
			[2]string{"email", "ann@acme.example"}, [2]string{"password", "a-long-password"}),
		chromedp.Click(`//button[text()="Sign up"]`),
		chromedp.WaitVisible(`nav[aria-label=Main]`, chromedp.ByQuery),
		chromedp.Text(`.banner`, &banner, chromedp.ByQuery),
		chromedp.Text(`.banner form[action="/account/verify"] button`, &resend, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if !strings.Contains(banner, "Verify your email address.") || resend != "Resend verification" {
		t.Errorf("after sign-up the banner says %q with button %q", banner, resend)
	}

	var refusal, keptEmail, keptRole string
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/staff/invite"),
		fill([2]string{"email", "cora@acme.example"}),
		chromedp.SetValue(`select[name=role]`, string(identity.RoleCoWorker), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send Invite"]`),
		// Refused above the form, refused next to a field, or sent.
		chromedp.WaitVisible(`form[action="/staff/invite"] .form-error, form[action="/staff/invite"] .error, .notice`, chromedp.ByQuery),
		textOf(`form[action="/staff/invite"] .form-error`, &refusal),
		chromedp.Value(`input[name=email]`, &keptEmail, chromedp.ByQuery),
		chromedp.Value(`select[name=role]`, &keptRole, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("invite before verifying: %v", err)
	}
	if !strings.Contains(refusal, "Verify your email address first") {
		t.Errorf("an invitation before verifying says %q, want the refusal in words", refusal)
	}
	if keptEmail != "cora@acme.example" || keptRole != string(identity.RoleCoWorker) {
		t.Errorf("the refused form lost what was typed: email %q, role %q", keptEmail, keptRole)
	}

	// The verification email is the only one queued so far; the refused invitation queued nothing (checked
	// again once the real invitation has arrived).
	msgs := m.WaitFor(1, 10*time.Second)
	if len(msgs) != 1 || msgs[0].To[0].Address != "ann@acme.example" {
		t.Fatalf("before verifying, Mailpit holds %+v; want only the verification email to Ann", msgs)
	}
	verify := mailedPath(t, m, msgs[0])
	if !strings.HasPrefix(verify, "/verify/") {
		t.Fatalf("the verification email links to %s", verify)
	}

	var notice, bannerAfter, h1 string
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+verify),
		chromedp.Click(`form[action^="/verify/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		textOf(".notice", &notice),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		textOf(".banner", &bannerAfter),
	)
	if err != nil {
		t.Fatalf("open the verification link: %v", err)
	}
	if !strings.Contains(notice, "your email address is verified") || h1 != "Welcome, Ann Able" {
		t.Errorf("the verification link led to %q with notice %q", h1, notice)
	}
	if bannerAfter != "" {
		t.Errorf("after verifying, the banner still says %q", bannerAfter)
	}

	var invitation string
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/staff/invite"),
		fill([2]string{"email", "cora@acme.example"}),
		chromedp.SetValue(`select[name=role]`, string(identity.RoleCoWorker), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send Invite"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Invitation sent to cora@acme.example")]`),
		chromedp.Text(`//tr[starts-with(@id, "invitation-") and contains(., "cora@acme.example")]`, &invitation),
	)
	if err != nil {
		t.Fatalf("invite after verifying: %v", err)
	}
	if !strings.Contains(invitation, "Co-worker") || !strings.Contains(invitation, "pending") {
		t.Errorf("the Staff page shows the invitation as %q, want a pending Co-worker", invitation)
	}
	msgs = m.WaitFor(2, 10*time.Second)
	toCora := m.Search("to:cora@acme.example")
	if len(msgs) != 2 || len(toCora) != 1 || !strings.HasPrefix(toCora[0].Subject, "Join Acme Plumbing") {
		t.Errorf("after verifying, Mailpit holds %d emails, %d to Cora (%+v); want the one invitation", len(msgs), len(toCora), toCora)
	}
}

// A person who forgot their password asks for a link from the login page, opens it from the email, and chooses a
// new password (a too-short one is refused next to the field). Saving it ends their session on another device;
// the new password logs in and the old one no longer does.
func TestBrowser_ForgotPasswordEndsOldSessions(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	seedPerson(t, s, tdb, tdb.CreateCompany(t, "Acme"), "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	phone := newClient(t, ts) // the session that must end
	phone.login("ann@acme.example", "password-123")
	if _, body := phone.get("/"); !strings.Contains(body, "Log out") {
		t.Fatal("the other device is not logged in to begin with")
	}
	ctx := newBrowser(t)

	var sent string
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.Click(`//a[text()="Forgot your password?"]`),
		chromedp.WaitVisible(`form[action="/forgot"]`, chromedp.ByQuery),
		fill([2]string{"email", "ann@acme.example"}),
		chromedp.Click(`//button[text()="Email me a link"]`),
		chromedp.WaitVisible(`//p[contains(., "we have emailed it a link")]`),
		chromedp.Text(`main`, &sent, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("ask for a reset link: %v", err)
	}
	if !strings.Contains(sent, "ann@acme.example") {
		t.Errorf("the request page does not name the email: %q", sent)
	}
	reset := mailedPath(t, m, m.WaitFor(1, 10*time.Second)[0])
	if !strings.HasPrefix(reset, "/reset/") {
		t.Fatalf("the reset email links to %s", reset)
	}

	var tooShort, lead string
	var besideField bool
	err = chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+reset),
		chromedp.WaitVisible(`input[name=password]`, chromedp.ByQuery),
		chromedp.Text(`.lead`, &lead, chromedp.ByQuery),
		fill([2]string{"password", "short"}),
		chromedp.Click(`//button[text()="Save password"]`),
		chromedp.WaitVisible(`#password-error, form[action="/login"]`, chromedp.ByQuery), // refused, or saved
		textOf("#password-error", &tooShort),
		// The message sits in the password's own field, tied to the input for screen readers.
		chromedp.Evaluate(`!!document.querySelector(
			'.field.invalid input[name=password][aria-describedby=password-error] ~ #password-error')`, &besideField),
	)
	if err != nil {
		t.Fatalf("a too-short new password: %v", err)
	}
	if !strings.Contains(lead, "ann@acme.example") || !strings.Contains(tooShort, "at least 10 characters") || !besideField {
		t.Fatalf("reset form for %q; a short password says %q (next to the field: %v)", lead, tooShort, besideField)
	}

	var location, notice string
	err = chromedp.Run(ctx,
		fill([2]string{"password", "a-brand-new-password"}),
		chromedp.Click(`//button[text()="Save password"]`),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.Location(&location),
		textOf(".notice", &notice),
	)
	if err != nil {
		t.Fatalf("save the new password: %v", err)
	}
	if location != ts.URL+"/login" {
		t.Errorf("saving the new password led to %s, want /login", location)
	}
	if !strings.Contains(notice, "Your new password is saved, and every session of your login has ended") {
		t.Errorf("the login page after the reset says %q, want the notice that the password is saved and sessions ended", notice)
	}
	if res, body := phone.get("/"); res.StatusCode != http.StatusOK || strings.Contains(body, "Log out") {
		t.Errorf("the other device's session outlived the reset (GET / = %d)", res.StatusCode)
	}

	var refused, topbar, welcome string
	err = chromedp.Run(ctx,
		fill([2]string{"email", "ann@acme.example"}, [2]string{"password", "password-123"}),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.form-error, nav[aria-label=Main]`, chromedp.ByQuery), // refused, or let in
		textOf(".form-error", &refused),
	)
	if err != nil || refused != "Email or password is wrong." {
		t.Fatalf("the old password says %q (%v), want it refused", refused, err)
	}
	err = chromedp.Run(ctx,
		browserLogin(ts.URL, "ann@acme.example", "a-brand-new-password"),
		chromedp.Text(`header.topbar`, &topbar, chromedp.ByQuery),
		textOf(".notice", &welcome),
	)
	if err != nil {
		t.Fatalf("log in with the new password: %v", err)
	}
	if !strings.Contains(topbar, "Log out") {
		t.Errorf("logged in with the new password, the top bar is %q", topbar)
	}
	if strings.Contains(welcome, "Log in with it") {
		t.Errorf("once logged in, the home page still tells her to log in: %q", welcome)
	}
}
