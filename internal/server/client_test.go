package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// client is a browser without JavaScript: it keeps cookies and does not follow redirects, so tests see them.
type client struct {
	t    testing.TB
	base string
	http *http.Client
}

func newClient(t testing.TB, ts *httptest.Server) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: ts.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) do(r *http.Request) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.Do(r)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	r, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(r)
}

// navigate is get as a browser sends it when a person follows a link on this site.
func (c *client) navigate(path string) (*http.Response, string) {
	c.t.Helper()
	r, _ := http.NewRequest("GET", c.base+path, nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	return c.do(r)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	r, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(r)
}

// session returns the session cookie the client holds, or nil.
func (c *client) session() *http.Cookie {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if strings.HasSuffix(ck.Name, "fieldops_session") {
			return ck
		}
	}
	return nil
}

// login posts the login form and fails the test unless it redirects.
func (c *client) login(email, password string) *http.Response {
	c.t.Helper()
	res, body := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s = %d: %.500s", email, res.StatusCode, body)
	}
	return res
}

// seedPerson creates (or reuses) an account and gives it a membership of company with role; it returns the
// account and membership ids.
func seedPerson(t testing.TB, s *Server, tdb *dbtest.TestDB, company int64, email, name, password string, role identity.Role) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	var accountID, membershipID int64
	err := tdb.Owner.QueryRow(ctx, `
		insert into accounts (email, name, password_hash) values ($1, $2, $3)
		on conflict (email) do update set email = excluded.email
		returning id`, email, name, s.hasher.Hash(password)).Scan(&accountID)
	if err != nil {
		t.Fatal(err)
	}
	err = tdb.Owner.QueryRow(ctx, `insert into memberships (company_id, account_id, role) values ($1, $2, $3) returning id`,
		company, accountID, role).Scan(&membershipID)
	if err != nil {
		t.Fatal(err)
	}
	return accountID, membershipID
}

var personSeq int

// signedIn creates a person with role in company and returns a client logged in as them.
func signedIn(t testing.TB, s *Server, tdb *dbtest.TestDB, ts *httptest.Server, company int64, role identity.Role) *client {
	t.Helper()
	personSeq++
	email := fmt.Sprintf("person%d.%d@example.com", personSeq, company)
	seedPerson(t, s, tdb, company, email, fmt.Sprintf("Person %d", personSeq), "password-123", role)
	c := newClient(t, ts)
	c.login(email, "password-123")
	return c
}
