package server

import (
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

// The dispatch board shows the week's visits in their staff member's row and the visits with no time yet; a
// co-worker's board holds only the visits they may see; subcontractors and client users have none (404). A visit
// moves through its form, which returns to the board; a return address off the site is ignored. The page is one
// Read.
func TestBoard(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour, bakery := seedClient(t, tdb, acme, "Harbour View"), seedClient(t, tdb, acme, "Ponsonby Bakery")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Sparks", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	roof, oven := seedJob(t, tdb, acme, harbour, "Harbour roof"), seedJob(t, tdb, acme, bakery, "Bakery oven")
	monday := time.Now().UTC().Truncate(24 * time.Hour)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	wednesday := monday.AddDate(0, 0, 2).Add(9 * time.Hour)
	var roofVisit int64
	tdb.Owner.QueryRow(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4, $4::timestamptz + interval '2 hours') returning id`,
		acme, roof, cora, wednesday).Scan(&roofVisit)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4, $4::timestamptz + interval '1 hour')`,
		acme, oven, sam, wednesday)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id) values ($1, $2)`, acme, oven) // no time yet, no one

	res, body := admin.get("/calendar/board")
	if res.StatusCode != 200 || !strings.Contains(body, "Week of "+monday.Format("Mon 2 Jan 2006")) || !strings.Contains(body, "Harbour roof") ||
		strings.Count(body, "Bakery oven") != 2 || !strings.Contains(body, "09:00–11:00") || !strings.Contains(body, ">Unassigned<") {
		t.Fatalf("the admin's board = %d: %.3000s", res.StatusCode, body)
	}
	admin.get("/calendar/board")
	rt.Take()
	admin.get("/calendar/board")
	if n := rt.Take(); n != 3 {
		t.Errorf("the board: %d round trips, want 3 (session, membership, page)", n)
	}
	if _, body := admin.get("/calendar/board?day=" + wednesday.Format("2006-01-02")); !strings.Contains(body, "Harbour roof") || strings.Contains(body, "Week of") {
		t.Error("the day board lacks Wednesday's visit")
	}
	if _, body := admin.get("/calendar/board?day=" + monday.Format("2006-01-02")); strings.Contains(body, "Harbour roof") {
		t.Error("Monday's board shows Wednesday's visit")
	}
	if res, body := admin.get("/calendar/board?week=not-a-date"); res.StatusCode != 200 || !strings.Contains(body, "Harbour roof") {
		t.Errorf("a week that is not a date = %d, want this week", res.StatusCode)
	}
	coraC := newClient(t, ts)
	coraC.login("cora@acme.example", "password-123")
	if _, body := coraC.get("/calendar/board"); !strings.Contains(body, "Harbour roof") || strings.Contains(body, "Bakery oven") {
		t.Error("Cora's board: want her client's visit and not the bakery's")
	}
	for _, role := range []identity.Role{identity.RoleSubcontractor} {
		if res, _ := signedIn(t, s, tdb, ts, acme, role).get("/calendar/board"); res.StatusCode != 404 {
			t.Errorf("%s: the board = %d, want 404", role, res.StatusCode)
		}
	}
	fran, _ := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{AddEdit: true})
	if res, _ := fran.get("/calendar/board"); res.StatusCode != 404 {
		t.Errorf("a client user: the board = %d, want 404", res.StatusCode)
	}

	// Move Cora's visit to Sam on Thursday from the board, and back to the board.
	board := "/calendar/board?week=" + monday.Format("2006-01-02")
	move := fmt.Sprintf("/jobs/%d/visits/%d/edit", roof, roofVisit)
	if !strings.Contains(body, move+"?return=") {
		t.Errorf("the board has no Move link to %s", move)
	}
	if _, form := admin.get(move + "?" + url.Values{"return": {board}}.Encode()); !strings.Contains(form, `name="return" value="`+strings.ReplaceAll(board, "&", "&amp;")+`"`) {
		t.Error("the visit form does not carry the board's address")
	}
	thursday := monday.AddDate(0, 0, 3).Format("2006-01-02")
	res, _ = admin.post(move, url.Values{"assignee_id": {fmt.Sprint(sam)}, "start": {thursday + "T13:00"}, "end": {thursday + "T14:30"}, "return": {board}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != board {
		t.Fatalf("move = %d to %q, want back to %s", res.StatusCode, res.Header.Get("Location"), board)
	}
	if _, body := admin.get("/calendar/board?day=" + thursday); !strings.Contains(body, "13:00–14:30") || !strings.Contains(body, "Harbour roof") {
		t.Error("Thursday's board lacks the moved visit")
	}
	res, _ = admin.post(move, url.Values{"assignee_id": {fmt.Sprint(sam)}, "start": {thursday + "T13:00"}, "end": {thursday + "T14:30"}, "return": {"//evil.example/x"}})
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/jobs/%d?tab=visits", roof) {
		t.Errorf("a return address off the site led to %q", loc)
	}
}
