package server

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// Chat through the router: the nav's Chat for every role but subcontractors (404 for them); a refused message comes
// back in words with its text kept and nothing saved; an admin's post in a room they oversee is a 403; the
// cross-client and cross-co-worker probes; the client record's guest switch; the stream tells an open page of a
// new message in its person's room and of nothing else.
func TestChat(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close) // after the streams' cleanups: it waits for their handlers
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bakery := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bakery")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, coraID := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	cora := newClient(t, ts)
	cora.login("cora@acme.example", "password-123")
	_, samID := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Smith", "password-123", identity.RoleCoWorker)
	sam := newClient(t, ts)
	sam.login("sam@acme.example", "password-123")
	sub := signedIn(t, s, tdb, ts, acme, identity.RoleSubcontractor)
	fran, franID := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	bea, _ := seedClientUser(t, s, tdb, ts, acme, bakery, "bea@bakery.example", identity.Permissions{})
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, coraID)
	room := fmt.Sprintf("/chat/client-%d", harbour)

	for name, c := range map[string]*client{"admin": admin, "co-worker": cora, "client user": fran} {
		if _, body := c.get("/"); !strings.Contains(body, `href="/chat"`) {
			t.Errorf("the %s's nav lacks Chat", name)
		}
	}
	if _, body := sub.get("/"); strings.Contains(body, `href="/chat"`) {
		t.Error("a subcontractor's nav offers Chat")
	}
	if res, _ := sub.get("/chat"); res.StatusCode != 404 {
		t.Errorf("a subcontractor's /chat = %d, want 404", res.StatusCode)
	}

	// The stream: Fran's and Bea's pages are open before Cora writes.
	<-s.ChatHub().Listening()
	stream := func(c *client) *bufio.Reader {
		req, _ := http.NewRequest("GET", ts.URL+"/chat/stream", nil)
		res, err := c.http.Do(req)
		if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("GET /chat/stream: %v, %v", err, res)
		}
		t.Cleanup(func() { res.Body.Close() })
		return bufio.NewReader(res.Body)
	}
	franNews, beaNews := stream(fran), stream(bea)
	for s.ChatHub().Open() < 2 {
		time.Sleep(10 * time.Millisecond)
	}

	if res, body := cora.post(room+"/messages", url.Values{"body": {"  "}}); res.StatusCode != 422 || !strings.Contains(body, "Write a message first.") {
		t.Errorf("an empty message = %d", res.StatusCode)
	}
	long := strings.Repeat("x", 4001)
	if res, body := cora.post(room+"/messages", url.Values{"body": {long}}); res.StatusCode != 422 || !strings.Contains(body, "Use at most 4000 characters") || !strings.Contains(body, long) {
		t.Errorf("a message too long = %d, want 422 with the text kept", res.StatusCode)
	}
	var n int
	if tdb.Owner.QueryRow(ctx, `select count(*) from chat_messages`).Scan(&n); n != 0 {
		t.Fatalf("%d messages saved from refused posts", n)
	}
	if res, _ := cora.post(room+"/messages", url.Values{"body": {"The plumber comes Tuesday: https://example.com/plan. <b>ok</b>"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Cora's message = %d", res.StatusCode)
	}
	if _, body := fran.get(room); !strings.Contains(body, `<a href="https://example.com/plan" rel="noopener noreferrer nofollow" target="_blank">`) ||
		!strings.Contains(body, "&lt;b&gt;ok&lt;/b&gt;") || !strings.Contains(body, "Cora Coworker") {
		t.Errorf("Fran's view of the room: links clickable, the rest escaped: %.3000s", body)
	}
	readEvent := func(r *bufio.Reader) string {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("the stream ended: %v", err)
			}
			if strings.HasPrefix(line, "data: ") {
				return line
			}
		}
	}
	if got := readEvent(franNews); !strings.Contains(got, fmt.Sprintf(`"room":"client-%d"`, harbour)) {
		t.Errorf("Fran's stream: %q", got)
	}
	// Bea's first news is of her own client's room, not of Harbour's.
	if res, _ := admin.post(fmt.Sprintf("/chat/client-%d/messages", bakery), url.Values{"body": {"Hello Bakery"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin's message = %d", res.StatusCode)
	}
	if got := readEvent(beaNews); !strings.Contains(got, fmt.Sprintf(`"room":"client-%d"`, bakery)) {
		t.Errorf("Bea's stream: %q", got)
	}

	// Overseen: Sam writes to Cora; the admin reads it with no composer, and a forged post is a 403.
	direct := fmt.Sprintf("/chat/people-%d-%d", min(coraID, samID), max(coraID, samID))
	if res, _ := sam.post(direct+"/messages", url.Values{"body": {"Lunch at 12?"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Sam to Cora = %d", res.StatusCode)
	}
	if res, body := admin.get(direct); res.StatusCode != 200 || !strings.Contains(body, "Lunch at 12?") || strings.Contains(body, `name="body"`) ||
		!strings.Contains(body, "You oversee this room") {
		t.Errorf("the admin's view of Sam and Cora's room = %d", res.StatusCode)
	}
	if _, body := admin.get("/chat"); !strings.Contains(body, "Overseen") {
		t.Error("the admin's folders lack Overseen")
	}
	if res, _ := admin.post(direct+"/messages", url.Values{"body": {"Me too"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("the admin writing in an overseen room = %d, want 403", res.StatusCode)
	}

	// Cross-client and cross-co-worker: Bea and Sam (not Harbour's) get 404 for Harbour's room; Fran for Sam and
	// Cora's.
	harbourRoutes := []probeRoute{
		{Method: "GET", Path: room},
		{Method: "GET", Path: room + "/after/0"},
		{Method: "POST", Path: room + "/messages", Form: "body=Hacked"},
		{Method: "POST", Path: room + "/read", Form: "last=1"},
		{Method: "POST", Path: room + "/messages/1/delete"},
	}
	assertProbe404(t, s, bea.asCookies(), harbourRoutes)
	assertProbe404(t, s, sam.asCookies(), harbourRoutes)
	assertProbe404(t, s, fran.asCookies(), []probeRoute{
		{Method: "GET", Path: direct},
		{Method: "POST", Path: direct + "/messages", Form: "body=Hacked"},
		{Method: "GET", Path: "/chat/company"},
		{Method: "POST", Path: "/chat/company/messages", Form: "body=Hacked"},
		{Method: "POST", Path: fmt.Sprintf("/chat/people-%d-%d/messages", min(franID, samID), max(franID, samID)), Form: "body=Hacked"},
	})

	// New conversation: only with someone one may talk to.
	if res, _ := cora.get(fmt.Sprint("/chat/with?person=", franID)); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != fmt.Sprintf("/chat/people-%d-%d", min(coraID, franID), max(coraID, franID)) {
		t.Errorf("Cora starting a conversation with Fran = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := fran.get(fmt.Sprint("/chat/with?person=", samID)); res.StatusCode != 404 {
		t.Errorf("Fran starting a conversation with Sam, not hers = %d, want 404", res.StatusCode)
	}

	// Guests: kept out until an admin lets Harbour's in from the client record.
	var gus int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('gus@guest.example', 'Gus', $2) returning id)
		insert into memberships (company_id, account_id, role, host_id) select $1, a.id, 'guest', $3 from a returning id`,
		acme, s.hasher.Hash("password-123"), franID).Scan(&gus)
	guest := newClient(t, ts)
	guest.login("gus@guest.example", "password-123")
	if res, _ := guest.get(room); res.StatusCode != 404 {
		t.Errorf("a guest before being let in = %d", res.StatusCode)
	}
	if res, _ := cora.post(fmt.Sprintf("/clients/%d/chat-guests", harbour), url.Values{"on": {"1"}}); res.StatusCode != 404 {
		t.Errorf("a co-worker letting guests in = %d, want 404 (admins only)", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("/clients/%d/chat-guests", harbour), url.Values{"on": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("letting guests in = %d", res.StatusCode)
	}
	if res, body := guest.get(room); res.StatusCode != 200 || !strings.Contains(body, "The plumber comes Tuesday") {
		t.Errorf("the guest let in = %d", res.StatusCode)
	}
}

// A room's page is one Read however many messages it holds: three round trips in all (session, membership, page).
func TestChat_RoomIsOneRead(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	c := signedIn(t, s, tdb, ts, acme, identity.RoleCoWorker)
	for i := range 60 {
		if res, _ := c.post("/chat/company/messages", url.Values{"body": {fmt.Sprint("message ", i)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message %d = %d", i, res.StatusCode)
		}
	}
	for _, path := range []string{"/chat/company", "/chat"} {
		c.get(path) // warm up: statements are prepared once per connection
		rt.Take()
		if res, _ := c.get(path); res.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		if n := rt.Take(); n != 3 {
			t.Errorf("GET %s: %d round trips, want 3 (session, membership, page)", path, n)
		}
	}
}
