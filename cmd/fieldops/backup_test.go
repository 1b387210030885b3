package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/server"
)

// A backup restores whole: the demo company (with its photos, invoices and chat) and an email waiting in the outbox
// are dumped, restored into a new, empty database, and the app started on it lets the admin log in and finds them;
// a restore into a database that holds tables is refused.
func TestRun_BackupRestore(t *testing.T) {
	ctx := context.Background()
	tdb := dbtest.New(t)
	var out bytes.Buffer
	if err := run(ctx, []string{"fieldops", "seed-demo"}, env(map[string]string{"MIGRATE_DATABASE_URL": tdb.OwnerURL}), &out); err != nil {
		t.Fatal(err)
	}
	tdb.Owner.Exec(ctx, `insert into outbox_emails (company_id, kind, recipients, subject, text_body, html_body)
		select id, 'test', '{a@client.example}', 'Waiting in the outbox', 'x', 'x' from companies limit 1`)
	counts := func(url string) string {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var s string
		if err := conn.QueryRow(ctx, `select concat_ws(' ', (select count(*) from companies), (select count(*) from memberships),
			(select count(*) from jobs), (select count(*) from files), (select count(*) from file_blobs), (select count(*) from invoices),
			(select count(*) from chat_messages), (select count(*) from outbox_emails))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := counts(tdb.OwnerURL)
	dump := filepath.Join(t.TempDir(), "fieldops.dump")
	if err := run(ctx, []string{"fieldops", "backup", dump}, env(map[string]string{"MIGRATE_DATABASE_URL": tdb.OwnerURL}), &out); err != nil {
		t.Fatal(err)
	}
	appURL, ownerURL := dbtest.Empty(t)
	restoreEnv := env(map[string]string{"MIGRATE_DATABASE_URL": ownerURL})
	if err := run(ctx, []string{"fieldops", "restore", dump}, restoreEnv, &out); err != nil {
		t.Fatal(err)
	}
	if after := counts(ownerURL); after != before || strings.HasPrefix(before, "0") {
		t.Errorf("restored %q, backed up %q (companies memberships jobs files blobs invoices chat outbox)", after, before)
	}
	if err := run(ctx, []string{"fieldops", "restore", dump}, restoreEnv, &out); err == nil || !strings.Contains(err.Error(), "restore into a new, empty database") {
		t.Errorf("a restore over live data: %v", err)
	}

	// The app on the restored database: the demo admin logs in and finds the jobs and the email waiting.
	database, err := db.Open(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	s := server.New(server.Config{BaseURL: "http://example.test"}, database, slog.New(slog.DiscardHandler))
	defer s.Close()
	ts := httptest.NewServer(s)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(ts.URL+"/login", url.Values{"email": {"admin@demo.example"}, "password": {"fieldops-demo"}})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("logging in on the restored database: %v, %v", res, err)
	}
	res.Body.Close()
	for path, want := range map[string]string{"/jobs": "Harbour View", "/outbox": "Waiting in the outbox"} {
		res, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(body.String(), want) {
			t.Errorf("GET %s on the restored database = %d, lacking %q", path, res.StatusCode, want)
		}
	}
}
