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

// A client user invites a guest from the portal; the guest joins from the email's link, uses no seat, lands on a
// page that says what a guest sees, and reaches neither the portal nor the office. Another client user cannot act
// on the guest, and the admin invites a guest for a client user from Invite User, with its tabs and search.
func TestGuests_InvitedByAClientUser(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bay Rentals")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	fran, franID := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	bea, _ := seedClientUser(t, s, tdb, ts, acme, bay, "bea@bay.example", identity.Permissions{})
	tdb.Owner.Exec(ctx, `update companies set seats = 3 where id = $1`, acme) // the admin and two client users: full

	if res, body := fran.get("/portal/guests"); res.StatusCode != 200 || !strings.Contains(body, "No guests yet") {
		t.Fatalf("Fran's Guests page = %d: %.300s", res.StatusCode, body)
	}
	if res, body := fran.post("/portal/guests", url.Values{"email": {"not an email"}}); res.StatusCode != 422 || !strings.Contains(body, "Enter an email address like name@example.com.") {
		t.Errorf("a bad email = %d, want 422 in words", res.StatusCode)
	}
	if res, body := fran.post("/portal/guests", url.Values{"email": {"gus@guest.example"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite a guest with every seat taken = %d: %.300s", res.StatusCode, body)
	}
	guest := newClient(t, ts)
	link := lastInviteLink(t, tdb, "gus@guest.example")
	if res, _ := guest.post(link, url.Values{"name": {"Gus Guest"}, "password": {"a-long-password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept = %d", res.StatusCode)
	}
	if _, body := guest.get("/"); !strings.Contains(body, "As a guest you see the tasks and reminders you are added to") {
		t.Errorf("the guest's home: %.600s", body)
	}
	for _, path := range []string{"/portal/jobs", "/portal/guests", "/jobs", "/clients", "/staff"} {
		if res, _ := guest.get(path); res.StatusCode != 404 {
			t.Errorf("the guest's GET %s = %d, want 404", path, res.StatusCode)
		}
	}
	var gus int64
	tdb.Owner.QueryRow(ctx, `select m.id from memberships m join accounts a on a.id = m.account_id where a.email = 'gus@guest.example'`).Scan(&gus)
	if _, body := fran.get("/portal/guests"); !strings.Contains(body, "Gus Guest") {
		t.Error("Fran's Guests page does not list Gus")
	}
	assertProbe404(t, s, bea.asCookies(), []probeRoute{
		{Method: "POST", Path: fmt.Sprintf("/portal/guests/%d/deactivate", gus)},
		{Method: "POST", Path: fmt.Sprintf("/portal/guests/%d/reactivate", gus)},
	})
	if res, _ := fran.post(fmt.Sprintf("/portal/guests/%d/deactivate", gus), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Fran deactivating her guest = %d", res.StatusCode)
	}
	if strings.Contains(guestBody(guest), "Welcome, Gus Guest") {
		t.Error("a deactivated guest is still logged in")
	}

	// The admin's side: Invite User offers Guest with a choice of client user; the Guests tab lists them.
	if _, body := admin.get("/staff/invite?role=guest"); !strings.Contains(body, "Fran Facilities — Harbour View") {
		t.Errorf("Invite User does not offer Fran as a guest's client user: %.300s", body)
	}
	res, body := admin.post("/staff/invite", url.Values{"email": {"gia@guest.example"}, "role": {"guest"}, "host_id": {fmt.Sprint(franID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin inviting a guest for Fran = %d: %.300s", res.StatusCode, body)
	}
	if _, body := admin.get("/staff?role=guest"); !strings.Contains(body, "Gus Guest") || !strings.Contains(body, "guest of Fran Facilities") || strings.Contains(body, "bea@bay.example") {
		t.Errorf("the Guests tab: %.2000s", body)
	}
	if _, body := admin.get("/staff?q=bea"); !strings.Contains(body, "bea@bay.example") || strings.Contains(body, "Gus Guest") {
		t.Error("the search for bea does not find Bea alone")
	}
	if res, _ := admin.post("/staff/invite", url.Values{"email": {"fran@harbour.example"}, "role": {"guest"}, "host_id": {fmt.Sprint(franID)}}); res.StatusCode != 422 {
		t.Errorf("inviting someone who already belongs = %d, want 422", res.StatusCode)
	}
	// The admin edits the guest's name on their page, but not their type.
	if res, _ := admin.post(fmt.Sprintf("/staff/%d", gus), url.Values{"name": {"Gus the Caretaker"}, "role": {"guest"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("renaming the guest = %d", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("/staff/%d", gus), url.Values{"name": {"Gus"}, "role": {"admin"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("making the guest an admin = %d, want 403", res.StatusCode)
	}
	if _, body := admin.get(fmt.Sprintf("/staff/%d", gus)); !strings.Contains(body, "Gus the Caretaker") || strings.Contains(body, `<select id="role"`) {
		t.Error("the guest's page: renamed, and without a role choice")
	}
	// Another company's admin cannot name Fran as a guest's client user.
	bolt := tdb.CreateCompany(t, "Bolt")
	boltAdmin := signedIn(t, s, tdb, ts, bolt, identity.RoleAdmin)
	if res, _ := boltAdmin.post("/staff/invite", url.Values{"email": {"spy@guest.example"}, "role": {"guest"}, "host_id": {fmt.Sprint(franID)}}); res.StatusCode != 404 {
		t.Errorf("Bolt inviting a guest of Acme's client user = %d, want 404", res.StatusCode)
	}
}

// guestBody is the guest's home page as they see it now.
func guestBody(c *client) string {
	_, body := c.get("/")
	return body
}
