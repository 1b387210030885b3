package server

import (
	"net/http/httptest"
	"testing"

	"fieldops/internal/identity"
)

// Every link of a role's nav (identity.Role.Areas) opens for that role: no menu leads to a refusal.
func TestNav_EveryAreaOpens(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View")
	portal, _ := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	for role, c := range map[identity.Role]*client{
		identity.RoleAdmin:         signedIn(t, s, tdb, ts, acme, identity.RoleAdmin),
		identity.RoleCoWorker:      signedIn(t, s, tdb, ts, acme, identity.RoleCoWorker),
		identity.RoleSubcontractor: signedIn(t, s, tdb, ts, acme, identity.RoleSubcontractor),
		identity.RoleClient:        portal,
	} {
		for _, a := range role.Areas() {
			if res, _ := c.get(a.Path); res.StatusCode != 200 {
				t.Errorf("%s: %s (%s) = %d", role, a.Name, a.Path, res.StatusCode)
			}
		}
	}
}
