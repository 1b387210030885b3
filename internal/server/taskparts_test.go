package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// A task's files, guests and people through the routes: everyone on it uploads and downloads (nosniff, the
// allow-list's type), a type off the list is refused naming the allowed ones; a guest invited from the person
// control is emailed and joins the task; someone taken off it gets 404; a client user of another client gets 404
// on every new route; a task without a client refuses a guest invitation with a 409.
func TestTasks_FilesGuestsAndRemoval(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bay Rentals")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	fran, franID := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	bea, beaID := seedClientUser(t, s, tdb, ts, acme, bay, "bea@bay.example", identity.Permissions{})

	res, _ := admin.post("/tasks/new", url.Values{"title": {"Survey the roof"}, "client_id": {fmt.Sprint(harbour)}})
	task := res.Header.Get("Location")
	admin.post(task+"/people", url.Values{"membership_id": {fmt.Sprint(franID)}})
	if _, body := fran.get(task); !strings.Contains(body, "Allowed types") || !strings.Contains(body, ".jpg .jpeg .png") {
		t.Error("the task page has no ⓘ list of the allowed types")
	}
	if res, body := fran.upload(task+"/files", "run.exe", []byte("MZ"), nil); res.StatusCode != 422 || !strings.Contains(body, "Use one of: .jpg") {
		t.Errorf("an .exe = %d, want 422 naming the allowed types", res.StatusCode)
	}
	photo := pngOf(40, 30)
	res, _ = fran.upload(task+"/files", "roof.png", photo, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d", res.StatusCode)
	}
	var file int64
	tdb.Owner.QueryRow(ctx, `select id from files where task_id is not null`).Scan(&file)
	res, body := admin.get(fmt.Sprintf("%s/files/%d", task, file))
	if res.StatusCode != 200 || body != string(photo) || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the admin downloading Fran's photo = %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Content-Type-Options"))
	}
	// The person control: invite a new guest of Fran's; they are emailed and join the task on accepting.
	if res, body := admin.post(task+"/guests", url.Values{"email": {"gus@guest.example"}, "host_id": {fmt.Sprint(beaID)}}); res.StatusCode != 422 || !strings.Contains(body, "Choose one of this client") {
		t.Errorf("a guest of another client's user = %d, want 422 in words", res.StatusCode)
	}
	if res, _ := admin.post(task+"/guests", url.Values{"email": {"gus@guest.example"}, "host_id": {fmt.Sprint(franID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("inviting a guest = %d", res.StatusCode)
	}
	var invitedTo int64
	tdb.Owner.QueryRow(ctx, `select task_id from invitations where email = 'gus@guest.example' and role = 'guest'`).Scan(&invitedTo)
	if fmt.Sprintf("/tasks/%d", invitedTo) != task {
		t.Errorf("the invitation is for task %d, want %s", invitedTo, task)
	}
	// A guest on the task takes part but invites no one: no form, and a forged post is a 403.
	var gil int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('gil@guest.example', 'Gil Guest', $2) returning id)
		insert into memberships (company_id, account_id, role, host_id) select $1, a.id, 'guest', $3 from a returning id`,
		acme, s.hasher.Hash("password-123"), franID).Scan(&gil)
	admin.post(task+"/people", url.Values{"membership_id": {fmt.Sprint(gil)}})
	gilClient := newClient(t, ts)
	gilClient.login("gil@guest.example", "password-123")
	if res, body := gilClient.get(task); res.StatusCode != 200 || strings.Contains(body, "Invite a new guest") {
		t.Errorf("the guest's task page = %d, offering a guest invitation: %t", res.StatusCode, strings.Contains(body, "Invite a new guest"))
	}
	if res, _ := gilClient.post(task+"/guests", url.Values{"email": {"pal@guest.example"}, "host_id": {fmt.Sprint(franID)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a guest inviting a guest = %d, want 403", res.StatusCode)
	}
	// Taken off, Fran no longer sees the task nor its file; the requester cannot be taken off.
	var adminID int64
	tdb.Owner.QueryRow(ctx, `select requester_id from tasks where id = $1`, invitedTo).Scan(&adminID)
	if res, _ := fran.post(fmt.Sprintf("%s/people/%d/remove", task, adminID), nil); res.StatusCode != http.StatusConflict {
		t.Errorf("taking the requester off = %d, want 409", res.StatusCode)
	}
	if res, _ := admin.post(fmt.Sprintf("%s/people/%d/remove", task, franID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("taking Fran off = %d", res.StatusCode)
	}
	for _, path := range []string{task, fmt.Sprintf("%s/files/%d", task, file)} {
		if res, _ := fran.get(path); res.StatusCode != 404 {
			t.Errorf("Fran, off the task, GET %s = %d, want 404", path, res.StatusCode)
		}
	}
	// The cross-client probe: a client user of another client.
	assertProbe404(t, s, bea.asCookies(), []probeRoute{
		{Method: "GET", Path: task},
		{Method: "GET", Path: fmt.Sprintf("%s/files/%d", task, file)},
		{Method: "GET", Path: fmt.Sprintf("%s/files/%d/thumbnail", task, file)},
		{Method: "POST", Path: task + "/files"},
		{Method: "POST", Path: task + "/guests", Form: "email=spy@bay.example"},
		{Method: "POST", Path: fmt.Sprintf("%s/people/%d/remove", task, adminID)},
	})
	// A task made without a client: no guest form, and a forged invitation is a 409 in words.
	res, _ = admin.post("/tasks/new", url.Values{"title": {"Order ladders"}})
	bare := res.Header.Get("Location")
	if _, body := admin.get(bare); strings.Contains(body, "Invite a new guest") {
		t.Error("a task without a client offers to invite a guest")
	}
	if res, body := admin.post(bare+"/guests", url.Values{"email": {"gil@guest.example"}, "host_id": {fmt.Sprint(franID)}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "made without a client") {
		t.Errorf("a guest invitation on a task without a client = %d, want 409 in words", res.StatusCode)
	}
}

// The task page is one Read however much it holds: three round trips in all (session, membership, page) with
// 1 comment or 100 comments and 20 files.
func TestTasks_PageIsOneRead(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	var requester int64
	tdb.Owner.QueryRow(ctx, `select id from memberships where company_id = $1`, acme).Scan(&requester)
	task := func(comments, files int) string {
		var id int64
		tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id) values ($1, 'T', $2, $3) returning id`, acme, client, requester).Scan(&id)
		tdb.Owner.Exec(ctx, `insert into task_people (company_id, task_id, membership_id) values ($1, $2, $3)`, acme, id, requester)
		tdb.Owner.Exec(ctx, `insert into task_comments (company_id, task_id, author_id, author_name, body)
			select $1, $2, $3, 'Ann', 'comment ' || g from generate_series(1, $4::int) g`, acme, id, requester, comments)
		tdb.Owner.Exec(ctx, `insert into files (company_id, task_id, name, content_type, size)
			select $1, $2, 'f' || g || '.txt', 'text/plain; charset=utf-8', 1 from generate_series(1, $3::int) g`, acme, id, files)
		return fmt.Sprintf("/tasks/%d", id)
	}
	cost := func(path string) int {
		admin.get(path) // warm up: statements are prepared once per connection
		rt.Take()
		if res, _ := admin.get(path); res.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		return rt.Take()
	}
	if a, b := cost(task(1, 0)), cost(task(100, 20)); a != 3 || b != 3 {
		t.Errorf("the task page: %d round trips with 1 comment, %d with 100 comments and 20 files; want 3 (session, membership, page)", a, b)
	}
}
