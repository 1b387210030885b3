package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"fieldops/internal/identity"
)

// TestServer_RefusesBadInput: what sqlmap, wapiti and the Nu checker found — a NUL byte or invalid UTF-8 in a
// query string or form was a 500 — is refused in words, in one place, before any handler reads it; so are
// invisible text-direction controls and over-large bodies. Nothing is saved.
func TestServer_RefusesBadInput(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	client := seedClient(t, tdb, acme, "Harbour View")
	job := seedJob(t, tdb, acme, client, "Leak")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	jobPath := "/jobs/" + strconv.FormatInt(job, 10)

	gets := []struct{ path, want string }{
		{"/clients?q=test%00", "a NUL character"},
		{"/clients?q=%C0", "not UTF-8"},
		{"/jobs?q=%E2%80%AEabc", "text-direction control"},
		{"/outbox?recipient=a%00b", "a NUL character"},
	}
	for _, c := range gets {
		res, body := admin.get(c.path)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, c.want) || !strings.Contains(body, "Log out") {
			t.Errorf("GET %s = %d, want 400 naming %q with the nav; body %.300s", c.path, res.StatusCode, c.want, body)
		}
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{jobPath + "/messages", url.Values{"body": {"hello\x00world"}}},
		{jobPath + "/edit", url.Values{"title": {"Leak \u202egnp.exe"}, "client_id": {strconv.FormatInt(client, 10)}}},
		{"/clients/new", url.Values{"name": {"Bad\x00Name"}}},
		{"/staff/invite", url.Values{"email": {"x@example.com"}, "role": {"co-worker"}, "name": {"\xff"}}},
	}
	for _, c := range posts {
		res, body := admin.post(c.path, c.form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "fieldops does not store") {
			t.Errorf("POST %s = %d, want 400 in words; body %.300s", c.path, res.StatusCode, body)
		}
	}
	// A plain form sent as multipart would carry its text past these checks: only uploads take multipart.
	res, body := admin.upload(jobPath+"/messages", "x.txt", []byte("x"), map[string]string{"body": "hello\x00"})
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a message sent as multipart = %d, want 415", res.StatusCode)
	}
	res, body = admin.upload(jobPath+"/files", "invoice\u202efdp.txt", []byte("hello"), nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "text-direction control") {
		t.Errorf("a file named with a right-to-left override = %d, want 422 in words", res.StatusCode)
	}
	res, body = admin.post(jobPath+"/messages", url.Values{"body": {strings.Repeat("x", 2<<20)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "The form is too large") {
		t.Errorf("a 2 MB form = %d, want 413 in words", res.StatusCode)
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `
		select (select count(*) from job_messages where company_id = $1) + (select count(*) from clients where company_id = $1 and name like 'Bad%')`,
		acme).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows were saved from refused input", n)
	}
}

// TestJobs_NewWithForgedClient: a client_id that is not a number, negative, or another company's is refused
// with a page in words (422 or 404), never a 500, and creates nothing.
func TestJobs_NewWithForgedClient(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme, other := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Other")
	foreign := seedClient(t, tdb, other, "Not yours")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	for _, id := range []string{"abc", "-5", "0", "", "99999999999999999999", strconv.FormatInt(foreign, 10)} {
		res, body := admin.post("/jobs/new", url.Values{"client_id": {id}, "title": {"Forged"}})
		if res.StatusCode >= 500 || res.StatusCode < 400 {
			t.Errorf("client_id=%q = %d, want a 4xx page; body %.300s", id, res.StatusCode, body)
		}
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from jobs where title = 'Forged'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d jobs created from forged client ids", n)
	}
}
