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

// An admin builds a group from Staff: a name and a client, then its co-workers; a second client is refused in
// words, and so is a co-worker who does not serve the client; Push on for the group is saved.
func TestGroups_BuiltByAnAdmin(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bay Rentals")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Smith", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)

	if _, body := admin.get("/staff/groups"); !strings.Contains(body, "No groups yet") {
		t.Fatalf("the Groups page: %.300s", body)
	}
	form := url.Values{"name": {"Harbour crew"}, "client_id": {fmt.Sprint(harbour), fmt.Sprint(bay)}}
	if res, body := admin.post("/staff/groups", form); res.StatusCode != 422 || !strings.Contains(body, "A group has at most one client") {
		t.Errorf("a group with two clients = %d", res.StatusCode)
	}
	res, _ := admin.post("/staff/groups", url.Values{"name": {"Harbour crew"}, "client_id": {fmt.Sprint(harbour)}})
	group := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(group, "/staff/groups/") {
		t.Fatalf("create = %d to %q", res.StatusCode, group)
	}
	if res, body := admin.post(group+"/members", url.Values{"membership_id": {fmt.Sprint(sam)}}); res.StatusCode != 422 || !strings.Contains(body, "Sam Smith does not serve Harbour View") {
		t.Errorf("adding Sam = %d", res.StatusCode)
	}
	if res, _ := admin.post(group+"/members", url.Values{"membership_id": {fmt.Sprint(cora)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("adding Cora = %d", res.StatusCode)
	}
	if res, _ := admin.post(group+"/push-on", url.Values{"push_chat": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Push on = %d", res.StatusCode)
	}
	_, body := admin.get(group)
	if !strings.Contains(body, "Cora Coworker") || !strings.Contains(body, `name="push_chat" value="1" checked`) || !strings.Contains(body, "A group of Harbour View") {
		t.Errorf("the group's page: %.2500s", body)
	}
	if res, _ := admin.post(fmt.Sprintf("%s/members/%d/remove", group, cora), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("removing Cora = %d", res.StatusCode)
	}
	if _, body := admin.get("/staff/groups"); !strings.Contains(body, "Harbour crew") {
		t.Error("the Groups page does not list the group")
	}
}
