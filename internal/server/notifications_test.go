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
	"fieldops/internal/notify"
)

// A client user's activity in the portal reaches the admin who turned Push on for that client — counter, list,
// open, Mark all read — and not for another client; the co-worker serving the client is told without Push on.
// Another person's or company's ids are 404.
func TestNotifications_PushOnAndCounters(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View", "Block A"), seedClient(t, tdb, acme, "Bay Rentals", "Unit 1")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	coraClient := newClient(t, ts)
	coraClient.login("cora@acme.example", "password-123")
	perms := identity.Permissions{AddEdit: true}
	fran, _ := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", perms)
	bea, _ := seedClientUser(t, s, tdb, ts, acme, bay, "bea@bay.example", perms)

	if _, body := admin.get(fmt.Sprintf("/clients/%d", harbour)); !strings.Contains(body, "Push on") || strings.Contains(body, `name="push_jobs" value="1" checked`) {
		t.Fatal("the client record lacks Push on, or it is on by default")
	}
	if res, _ := admin.post(fmt.Sprintf("/clients/%d/push-on", harbour), url.Values{"push_jobs": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save Push on = %d", res.StatusCode)
	}
	if res, _ := fran.post("/portal/jobs/new", url.Values{"title": {"Leaking tap"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Fran's new job = %d", res.StatusCode)
	}
	bea.post("/portal/jobs/new", url.Values{"title": {"Broken window"}})

	badge := func(c *client) string {
		_, body := c.get("/notifications/counts")
		return body
	}
	if b := badge(admin); !strings.Contains(b, `id="unread-count"`) || !strings.Contains(b, ">1</span>") || !strings.Contains(b, `data-hx-swap-oob="true"`) {
		t.Errorf("the admin's counter = %q, want 1 (Harbour's job, not Bay's)", b)
	}
	if b := badge(coraClient); !strings.Contains(b, ">1</span>") {
		t.Errorf("Cora's counter = %q, want 1 (she serves Harbour)", b)
	}
	_, body := admin.get("/notifications")
	if !strings.Contains(body, "New job J-") || !strings.Contains(body, "Leaking tap") || strings.Contains(body, "Broken window") {
		t.Fatalf("the admin's notifications: %.2000s", body)
	}
	var id int64
	tdb.Owner.QueryRow(ctx, `select n.id from notifications n join memberships m on m.id = n.membership_id
		join accounts a on a.id = m.account_id where m.role = 'admin' order by n.id desc limit 1`).Scan(&id)
	assertProbe404(t, s, coraClient.asCookies(), []probeRoute{{Method: "POST", Path: fmt.Sprintf("/notifications/%d/open", id)}})
	res, _ := admin.post(fmt.Sprintf("/notifications/%d/open", id), nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/jobs/") {
		t.Errorf("open = %d to %q, want the job", res.StatusCode, res.Header.Get("Location"))
	}
	if b := badge(admin); strings.Contains(b, ">1</span>") {
		t.Errorf("after opening, the admin's counter = %q", b)
	}
	if res, _ := coraClient.post("/notifications/read-all", nil); res.StatusCode != http.StatusSeeOther || strings.Contains(badge(coraClient), ">1</span>") {
		t.Errorf("Mark all read = %d, counter %q", res.StatusCode, badge(coraClient))
	}
	// Notification settings: one's own on Account, anyone's as their admin.
	if res, _ := coraClient.post("/account/notifications", url.Values{"digest_jobs": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Cora's own settings = %d", res.StatusCode)
	}
	if _, body := coraClient.get("/account"); !strings.Contains(body, `name="digest_jobs" value="1" checked`) {
		t.Error("the Account page does not show Cora's digest for Jobs")
	}
	if res, _ := admin.post(fmt.Sprintf("/staff/%d/notifications", cora), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the admin saving Cora's settings = %d", res.StatusCode)
	}
	if _, body := admin.get(fmt.Sprintf("/staff/%d", cora)); strings.Contains(body, `name="digest_jobs" value="1" checked`) {
		t.Error("the admin's change to Cora's settings did not take")
	}
	// Unassigned from Harbour View, Cora loses its notifications and counters at once.
	if res, _ := admin.post(fmt.Sprintf("/clients/%d/coworkers/%d/remove", harbour, cora), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unassign = %d", res.StatusCode)
	}
	var kept int
	tdb.Owner.QueryRow(ctx, `select count(*) from notifications where membership_id = $1 and client_id = $2`, cora, harbour).Scan(&kept)
	if kept != 0 {
		t.Errorf("Cora keeps %d notifications of a client she no longer serves", kept)
	}
	// Another company's admin: every new id-taking route is a 404.
	bolt := tdb.CreateCompany(t, "Bolt")
	boltAdmin := signedIn(t, s, tdb, ts, bolt, identity.RoleAdmin)
	assertProbe404(t, s, boltAdmin.asCookies(), []probeRoute{
		{Method: "POST", Path: fmt.Sprintf("/notifications/%d/open", id)},
		{Method: "POST", Path: fmt.Sprintf("/clients/%d/push-on", harbour), Form: "push_jobs=1"},
		{Method: "POST", Path: fmt.Sprintf("/staff/%d/notifications", cora), Form: "digest_jobs=1"},
	})
}

// The digest email lists each notification with who did it, and links to the Notifications page, in both parts.
func TestNotifications_DigestEmail(t *testing.T) {
	render := DigestRenderer("https://fieldops.example")
	msg, err := render(context.Background(), notify.Digest{Company: "Acme & Sons", Name: "Cora", Items: []notify.Notification{
		{Title: "New job J-1042 · Leaking <tap>", ActorName: "Fran Facilities"}, {Title: "Visit requested J-1043 · Gutters"}}})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "2 new at Acme & Sons" {
		t.Errorf("subject %q", msg.Subject)
	}
	for _, want := range []string{"- New job J-1042 · Leaking <tap> — Fran Facilities", "- Visit requested J-1043 · Gutters", "https://fieldops.example/notifications"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, msg.Text)
		}
	}
	if !strings.Contains(msg.HTML, "Leaking &lt;tap&gt;") || !strings.Contains(msg.HTML, `href="https://fieldops.example/notifications"`) {
		t.Errorf("the HTML part: %s", msg.HTML)
	}
}
