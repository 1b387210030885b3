package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// fill types into the labelled inputs of the current page: field name → text.
func fill(fields ...[2]string) chromedp.Tasks {
	var ts chromedp.Tasks
	for _, f := range fields {
		sel := fmt.Sprintf(`input[name=%q]`, f[0])
		ts = append(ts, chromedp.Clear(sel, chromedp.ByQuery), chromedp.SendKeys(sel, f[1], chromedp.ByQuery))
	}
	return ts
}

// The whole door of a new customer: sign up, log out, mistype the password, log in, and switch between the two
// companies the same login belongs to.
func TestBrowser_SignupLoginSwitch(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := newBrowser(t)

	var h1, topbar, formError string
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/signup"),
		fill([2]string{"company_name", "Acme Plumbing"}, [2]string{"name", "Ann Able"},
			[2]string{"email", "ann@acme.example"}, [2]string{"password", "a-long-password"}),
		chromedp.Click(`form[action="/signup"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav[aria-label=Main]`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		chromedp.Text(`header.topbar`, &topbar, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Welcome, Ann Able" || !strings.Contains(topbar, "Acme Plumbing") || !strings.Contains(topbar, "Outbox") {
		t.Fatalf("after sign-up: h1 %q, top bar %q", h1, topbar)
	}

	err = chromedp.Run(ctx,
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/login"]`, chromedp.ByQuery),
		chromedp.Navigate(ts.URL+"/login"),
		fill([2]string{"email", "ann@acme.example"}, [2]string{"password", "not-the-password"}),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.form-error`, chromedp.ByQuery),
		chromedp.Text(`.form-error`, &formError, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if formError != "Email or password is wrong." {
		t.Errorf("failed login says %q", formError)
	}
	var emailKept string
	if err := chromedp.Run(ctx, chromedp.Value(`input[name=email]`, &emailKept, chromedp.ByQuery)); err != nil || emailKept != "ann@acme.example" {
		t.Errorf("the email was not kept: %q (%v)", emailKept, err)
	}

	// Ann also works for a second company.
	bolt := tdb.CreateCompany(t, "Bolt Electrical")
	seedPerson(t, s, tdb, bolt, "ann@acme.example", "Ann Able", "", identity.RoleCoWorker)

	err = chromedp.Run(ctx,
		fill([2]string{"password", "a-long-password"}),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h1[text()="Choose a company"]`),
		chromedp.Click(`button[aria-label="Work in Bolt Electrical"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav[aria-label=Main]`, chromedp.ByQuery),
		chromedp.Text(`header.topbar`, &topbar, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(topbar, "Bolt Electrical") || strings.Contains(topbar, "Staff") {
		t.Errorf("in Bolt as a co-worker, the top bar is %q", topbar)
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`a[href="/switch"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[aria-label="Work in Acme Plumbing"]`, chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Work in Acme Plumbing"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/outbox"]`, chromedp.ByQuery),
		chromedp.Text(`header.topbar`, &topbar, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(topbar, "Acme Plumbing") {
		t.Errorf("switched back, the top bar is %q", topbar)
	}
}

// A page on another site that posts a form to fieldops (a CSRF attempt) gets the 403 page, and nothing happens.
func TestBrowser_CrossSitePostRefused(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	app := httptest.NewServer(s)
	defer app.Close()
	// 127.0.0.1 and localhost are different sites to the browser.
	appURL := strings.Replace(app.URL, "127.0.0.1", "localhost", 1)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/signup">
			<input name="company_name" value="Evil"><input name="name" value="Eve">
			<input name="email" value="eve@evil.example"><input name="password" value="evil-password">
			<button id="go">Win a prize</button></form>`, appURL)
	}))
	defer evil.Close()
	ctx := newBrowser(t)

	var h1 string
	err := chromedp.Run(ctx,
		chromedp.Navigate(evil.URL),
		chromedp.Click(`#go`, chromedp.ByID),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The answer's heading, once it shows: the click's navigation may still swap the document under a first look.
	for try := 1; ; try++ {
		err = chromedp.Run(ctx, chromedp.WaitVisible(`h1`, chromedp.ByQuery), chromedp.Evaluate(`document.querySelector('h1').textContent`, &h1))
		if err == nil || try == 3 {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Not allowed" {
		t.Errorf("the cross-site POST shows %q, want the 403 page", h1)
	}
	var n int
	tdb.Owner.QueryRow(t.Context(), `select count(*) from companies`).Scan(&n)
	if n != 0 {
		t.Errorf("the cross-site sign-up created %d companies", n)
	}
}
