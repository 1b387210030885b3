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

// The calendar: a visit shows on its assignee's calendar and an unassigned one on the company's; a reminder made
// from the form shows on its day, its page lists whom to call with their numbers formatted for the company's
// country; a bad call list is refused in words next to the field, nothing saved; another company's reminder is a
// 404 and a client user never reads the company's calendar. The week is one Read.
func TestCalendar(t *testing.T) {
	tdb := dbtest.New(t)
	counted, rt := tdb.Counting(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, counted, discardLog())
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	tdb.Owner.Exec(ctx, `update companies set country = 'NZ' where id = $1`, acme)
	harbour := seedClient(t, tdb, acme, "Harbour View")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	job := seedJob(t, tdb, acme, harbour, "Harbour roof")
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4::timestamptz + interval '9 hours', $4::timestamptz + interval '10 hours'),
		($1, $2, null, $4::timestamptz + interval '13 hours', $4::timestamptz + interval '14 hours')`, acme, job, cora, day)
	date := day.Format("2006-01-02")
	coraCal := fmt.Sprintf("/calendar?view=day&date=%s&cal=person-%d", date, cora)
	if _, body := admin.get(coraCal); !strings.Contains(body, "09:00") || !strings.Contains(body, "Harbour roof") || strings.Contains(body, "13:00") {
		t.Error("Cora's calendar lacks her visit, or shows the unassigned one")
	}
	if _, body := admin.get("/calendar?view=day&date=" + date + "&cal=company"); !strings.Contains(body, "13:00") || strings.Contains(body, "09:00") {
		t.Error("the company's calendar lacks the unassigned visit, or shows Cora's")
	}
	admin.get("/calendar")
	rt.Take()
	admin.get("/calendar")
	if n := rt.Take(); n != 3 {
		t.Errorf("the week: %d round trips, want 3 (session, membership, page)", n)
	}
	for _, view := range []string{"month", "week", "day", "not-a-view"} {
		if res, _ := admin.get("/calendar?view=" + view + "&date=" + date); res.StatusCode != 200 {
			t.Errorf("view %s = %d", view, res.StatusCode)
		}
	}
	// A call reminder: a bad entry first, refused next to the field with the rest kept; then fixed.
	form := url.Values{"kind": {"call"}, "title": {"Ring the caretaker"}, "calendar": {"company"}, "date": {date}, "start": {"08:00"},
		"end": {"08:15"}, "calls": {"Ann 021 555 0123; Bob"}}
	res, body := admin.post("/calendar/reminders", form)
	if res.StatusCode != 422 || !strings.Contains(body, "“Bob”: no phone number") || !strings.Contains(body, "Ring the caretaker") {
		t.Errorf("a bad call list = %d", res.StatusCode)
	}
	var n int
	if tdb.Owner.QueryRow(ctx, `select count(*) from reminders`).Scan(&n); n != 0 {
		t.Fatalf("%d reminders saved from a refused form", n)
	}
	form.Set("calls", "Ann 021 555 0123; Bob +61 2 9374 4000")
	if res, _ := admin.post("/calendar/reminders", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the call reminder = %d", res.StatusCode)
	}
	var id int64
	tdb.Owner.QueryRow(ctx, `select id from reminders`).Scan(&id)
	if _, body := admin.get("/calendar?view=day&date=" + date + "&cal=company"); !strings.Contains(body, "Ring the caretaker") {
		t.Error("the company's calendar lacks the reminder")
	}
	reminder := fmt.Sprintf("/calendar/reminders/%d", id)
	if _, body := admin.get(reminder); !strings.Contains(body, "021 555 0123") || !strings.Contains(body, "+61 2 9374 4000") || !strings.Contains(body, `href="tel:+64215550123"`) {
		t.Errorf("the reminder's call list: %.2000s", body)
	}
	fran, _ := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	if res, _ := fran.get(reminder); res.StatusCode != 404 {
		t.Errorf("a client user reading the company's reminder = %d", res.StatusCode)
	}
	if _, body := fran.get("/calendar?view=day&date=" + date + "&cal=company"); strings.Contains(body, "Ring the caretaker") {
		t.Error("a client user reads the company's calendar")
	}
	if _, body := fran.get(fmt.Sprintf("/calendar?view=day&date=%s&cal=client-%d", date, harbour)); !strings.Contains(body, "Harbour roof") {
		t.Error("a client user does not see their client's visits")
	}
	asBolt := signedIn(t, s, tdb, ts, bolt, identity.RoleAdmin)
	assertProbe404(t, s, asBolt.asCookies(), []probeRoute{
		{Method: "GET", Path: reminder},
		{Method: "POST", Path: reminder + "/delete"},
		{Method: "POST", Path: "/calendar/reminders", Form: fmt.Sprintf("kind=reminder&title=Hacked&date=%s&all_day=1&calendar=client-%d", date, harbour)},
		{Method: "POST", Path: "/calendar/reminders", Form: fmt.Sprintf("kind=reminder&title=Hacked&date=%s&all_day=1&calendar=person-%d", date, cora)},
	})
	if _, body := asBolt.get(fmt.Sprintf("/calendar?view=day&date=%s&cal=person-%d&cal=client-%d", date, cora, harbour)); strings.Contains(body, "Harbour roof") || strings.Contains(body, "Ring the caretaker") {
		t.Error("another company's calendar shows Acme's")
	}
	if res, _ := admin.post(reminder+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete = %d", res.StatusCode)
	}

	// The phonebook: a contact without a name is refused in words; one on Harbour View's book is listed with its
	// number formatted; another company cannot read, change or delete it.
	if res, body := admin.post("/phonebook", url.Values{"book": {"company"}, "name": {""}, "phones": {"021 555 0123"}}); res.StatusCode != 422 || !strings.Contains(body, "Enter the contact&#39;s name.") {
		t.Errorf("a contact without a name = %d", res.StatusCode)
	}
	if res, _ := admin.post("/phonebook", url.Values{"book": {fmt.Sprint("client-", harbour)}, "name": {"Caretaker"}, "phones": {"09 555 0456"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a contact = %d", res.StatusCode)
	}
	var contact int64
	tdb.Owner.QueryRow(ctx, `select id from contacts`).Scan(&contact)
	if _, body := admin.get("/phonebook?q=care"); !strings.Contains(body, "Caretaker") || !strings.Contains(body, "09 555 0456") || !strings.Contains(body, "Harbour View") {
		t.Error("the phonebook lacks the contact")
	}
	if _, body := fran.get("/phonebook"); !strings.Contains(body, "Caretaker") {
		t.Error("Fran does not see her client's phonebook")
	}
	assertProbe404(t, s, asBolt.asCookies(), []probeRoute{
		{Method: "GET", Path: fmt.Sprintf("/phonebook/%d/edit", contact)},
		{Method: "POST", Path: fmt.Sprintf("/phonebook/%d/edit", contact), Form: "book=company&name=Hacked"},
		{Method: "POST", Path: fmt.Sprintf("/phonebook/%d/delete", contact)},
		{Method: "POST", Path: "/phonebook", Form: fmt.Sprintf("book=client-%d&name=Spy", harbour)},
		{Method: "POST", Path: "/calendar/reminders", Form: fmt.Sprintf("kind=call&title=Hacked&date=%s&all_day=1&calendar=company&contacts=%d", date, contact)},
	})
	if _, body := asBolt.get("/phonebook"); strings.Contains(body, "Caretaker") {
		t.Error("another company reads Acme's phonebook")
	}
}
