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

// Tasks through the routes: the requester's task is hidden from a co-worker until someone on it adds them, who then
// sees every comment and is told of the next; a client user of another client and another company get 404; a task
// without a client refuses a client user with a 409 in words; bad input is refused in words.
func TestTasks_Routes(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bay := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Bay Rentals")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	coraClient := newClient(t, ts)
	coraClient.login("cora@acme.example", "password-123")
	_, franID := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	bea, _ := seedClientUser(t, s, tdb, ts, acme, bay, "bea@bay.example", identity.Permissions{})

	for form, want := range map[string]string{
		"title=":               "Give the task a title",
		"title=x&due=2026-2-3": "Pick a date from the calendar",
	} {
		v, _ := url.ParseQuery(form)
		if res, body := admin.post("/tasks/new", v); res.StatusCode != 422 || !strings.Contains(body, want) {
			t.Errorf("new task %q = %d, want 422 with %q", form, res.StatusCode, want)
		}
	}
	res, _ := admin.post("/tasks/new", url.Values{"title": {"Replace the lobby lights"}, "client_id": {fmt.Sprint(harbour)}})
	task := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(task, "/tasks/") {
		t.Fatalf("new task = %d to %q", res.StatusCode, task)
	}
	for range 3 {
		admin.post(task+"/comments", url.Values{"body": {"Ladder booked"}})
	}
	if res, _ := coraClient.get(task); res.StatusCode != 404 {
		t.Errorf("Cora, not on the task, GET = %d, want 404", res.StatusCode)
	}
	if _, body := coraClient.get("/tasks"); strings.Contains(body, "lobby lights") {
		t.Error("the task is on the list of a co-worker not on it")
	}
	if res, _ := admin.post(task+"/people", url.Values{"membership_id": {fmt.Sprint(cora)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding Cora = %d", res.StatusCode)
	}
	_, body := coraClient.get(task)
	if strings.Count(body, "Ladder booked") != 3 {
		t.Errorf("Cora, added after 3 comments, sees %d of them", strings.Count(body, "Ladder booked"))
	}
	admin.post(task+"/comments", url.Values{"body": {"Done by Friday"}})
	if _, body := coraClient.get("/tasks"); !strings.Contains(body, `title="Unread about your tasks"`) {
		t.Error("Cora's Tasks counter did not rise for the comment")
	}
	if res, body := admin.post(task+"/comments", url.Values{"body": {strings.Repeat("x", 5001)}}); res.StatusCode != 422 || !strings.Contains(body, "Use at most 5000 characters.") {
		t.Errorf("a long comment = %d", res.StatusCode)
	}
	if res, body := admin.get("/tasks?q=lobby&mine=1&requested=1"); res.StatusCode != 200 || !strings.Contains(body, "Replace the lobby lights") {
		t.Errorf("the filtered list = %d", res.StatusCode)
	}
	if res, body := admin.get("/tasks?q=" + strings.Repeat("x", 201)); res.StatusCode != 422 || !strings.Contains(body, "Search with at most 200 characters.") {
		t.Errorf("a long search = %d, want 422 in words", res.StatusCode)
	}
	if res, _ := bea.get(task); res.StatusCode != 404 {
		t.Errorf("a client user of another client GET = %d, want 404", res.StatusCode)
	}
	// A task without a client: a client user cannot be added, even by a forged post.
	res, _ = admin.post("/tasks/new", url.Values{"title": {"Order ladders"}})
	bare := res.Header.Get("Location")
	if _, body := admin.get(bare); strings.Contains(body, "Fran Facilities") {
		t.Error("the person control offers a client user on a task without a client")
	}
	if res, body := admin.post(bare+"/people", url.Values{"membership_id": {fmt.Sprint(franID)}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "made without a client") {
		t.Errorf("adding a client user to a task without a client = %d, want 409 in words", res.StatusCode)
	}
	if res, _ := admin.post(task+"/status", url.Values{"status": {"done"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("mark done = %d", res.StatusCode)
	}
	for tab, want := range map[string]bool{"": false, "?status=done": true, "?status=all": true} {
		if _, body := admin.get("/tasks" + tab); strings.Contains(body, "Replace the lobby lights") != want {
			t.Errorf("the done task on /tasks%s: %t, want %t", tab, !want, want)
		}
	}
	// A task linked to a job shows on the job's page; a job of another client is not the task's to name.
	job := seedJob(t, tdb, acme, harbour, "Lobby rewiring")
	if res, _ := admin.post("/tasks/new", url.Values{"title": {"Order cable"}, "client_id": {fmt.Sprint(harbour)}, "job_id": {fmt.Sprint(job)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a task for the job = %d", res.StatusCode)
	}
	if _, body := admin.get(fmt.Sprintf("/jobs/%d", job)); !strings.Contains(body, "Order cable") {
		t.Error("the job page does not list its task")
	}
	if _, body := coraClient.get(fmt.Sprintf("/jobs/%d", job)); strings.Contains(body, "Order cable") {
		t.Error("the job page lists a task to a co-worker not on it")
	}
	if res, _ := admin.post("/tasks/new", url.Values{"title": {"x"}, "client_id": {fmt.Sprint(bay)}, "job_id": {fmt.Sprint(job)}}); res.StatusCode != 404 {
		t.Errorf("a task naming another client's job = %d, want 404", res.StatusCode)
	}
	// Another company: every task route is a 404.
	bolt := tdb.CreateCompany(t, "Bolt")
	boltAdmin := signedIn(t, s, tdb, ts, bolt, identity.RoleAdmin)
	assertProbe404(t, s, boltAdmin.asCookies(), []probeRoute{
		{Method: "GET", Path: task},
		{Method: "POST", Path: task + "/comments", Form: "body=hi"},
		{Method: "POST", Path: task + "/people", Form: fmt.Sprintf("membership_id=%d", cora)},
		{Method: "POST", Path: task + "/status", Form: "status=open"},
		{Method: "POST", Path: "/tasks/new", Form: fmt.Sprintf("title=x&client_id=%d", harbour)},
	})
}
