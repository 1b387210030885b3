package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldops/internal/identity"
)

// New job's Assign to, refused: a subcontractor who has not accepted is refused in words next to the field, with
// nothing saved; a subcontractor person of the company (not an office role) may not assign at all (403).
func TestJobs_AssignToRefused(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	var pending int64
	tdb.Owner.QueryRow(ctx, `insert into connections (company_id, kind, name, email, token_hash, expires_at)
		values ($1, 'subcontractor', 'Slow Sparks', 'slow@sparks.example', sha256('p'), now() + interval '7 days') returning id`, acme).Scan(&pending)
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	form := url.Values{"client_id": {fmt.Sprint(client)}, "title": {"Rewire"}, "connection_id": {fmt.Sprint(pending)}}
	res, body := admin.post("/jobs/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Slow Sparks has not accepted your invitation yet") {
		t.Fatalf("an unaccepted subcontractor = %d: %.2000s", res.StatusCode, body)
	}
	sub := signedIn(t, s, tdb, ts, acme, identity.RoleSubcontractor)
	if res, _ := sub.post("/jobs/new", form); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("a subcontractor person assigning = %d, want 403 or 404", res.StatusCode)
	}
	var n int
	tdb.Owner.QueryRow(ctx, `select count(*) from jobs where company_id = $1`, acme).Scan(&n)
	if n != 0 {
		t.Fatalf("%d jobs saved by refused requests", n)
	}
	// The job page offers Assign to subcontractor only with a connected one; the Connections page lists the pending
	// invitation with Resend.
	if _, body := admin.get("/connections"); !strings.Contains(body, "Slow Sparks") || !strings.Contains(body, "Invitation pending") {
		t.Fatalf("the Connections page: %.2000s", body)
	}
}

// A login that is a client user of two contractors picks the one for a new job from Assign to: the choice moves it
// to that contractor's portal, at its New job form; a membership that is not the login's is a 404.
func TestPortal_AssignToPicksTheContractor(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme, bolt := tdb.CreateCompany(t, "Acme Plumbing"), tdb.CreateCompany(t, "Bolt Electrical")
	var fran int64
	tdb.Owner.QueryRow(ctx, `insert into accounts (email, name, password_hash) values ('fran@harbour.example', 'Fran', $1) returning id`,
		s.hasher.Hash("password-123")).Scan(&fran)
	var atAcme, atBolt int64
	for co, id := range map[int64]*int64{acme: &atAcme, bolt: &atBolt} {
		cl := seedClient(t, tdb, co, "Harbour View")
		tdb.Owner.QueryRow(ctx, `insert into memberships (company_id, account_id, role, client_id, perm_add_edit) values ($1, $2, 'client', $3, true) returning id`,
			co, fran, cl).Scan(id)
	}
	_, other := seedPerson(t, s, tdb, bolt, "bo@bolt.example", "Bo", "password-123", identity.RoleAdmin)
	c := newClient(t, ts)
	c.login("fran@harbour.example", "password-123")
	c.post("/switch", url.Values{"membership_id": {fmt.Sprint(atAcme)}})
	_, body := c.get("/portal/jobs/new")
	if !strings.Contains(body, "Tell Acme Plumbing what you need") || !strings.Contains(body, `<label for="membership_id">Assign to</label>`) ||
		!strings.Contains(body, ">Bolt Electrical</option>") {
		t.Fatalf("Acme's New job: %.3000s", body)
	}
	res, _ := c.post("/switch", url.Values{"membership_id": {fmt.Sprint(atBolt)}, "next": {"/portal/jobs/new"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/jobs/new" {
		t.Fatalf("Assign to Bolt = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := c.get("/portal/jobs/new"); !strings.Contains(body, "Tell Bolt Electrical what you need") {
		t.Fatalf("after Assign to Bolt: %.2000s", body)
	}
	if res, _ := c.post("/switch", url.Values{"membership_id": {fmt.Sprint(other)}, "next": {"/portal/jobs/new"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("switching to another login's membership = %d, want 404", res.StatusCode)
	}
	if res, _ := c.post("/switch", url.Values{"membership_id": {fmt.Sprint(atAcme)}, "next": {"//evil.example"}}); res.Header.Get("Location") != "/" {
		t.Fatalf("a next that leaves the site = %q, want /", res.Header.Get("Location"))
	}
}

// Made-up invitation links, of a person (/invite) and of a firm (/connect), are the 404 page and count against the
// client IP: past the limit every such link is the 429 page, in words.
func TestInvitationLinks_GuessesAreLimited(t *testing.T) {
	for _, path := range []string{"/invite/", "/connect/"} {
		t.Run(path, func(t *testing.T) {
			s, _, _ := newTestServer(t)
			ts := httptest.NewServer(s)
			defer ts.Close()
			visitor := newClient(t, ts)
			res, body := visitor.get(path + strings.Repeat("A", 43))
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "This invitation link does not work") {
				t.Fatalf("a made-up link = %d: %.600s", res.StatusCode, body)
			}
			for range 40 {
				if res, body = visitor.get(path + strings.Repeat("B", 43)); res.StatusCode != http.StatusNotFound {
					break
				}
			}
			if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts. Try again in") {
				t.Errorf("after 40 made-up links = %d: %.600s", res.StatusCode, body)
			}
		})
	}
}
