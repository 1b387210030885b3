package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldops/internal/identity"
)

// A client user with Add and edit jobs names who should come on a visit they request, from the people the company
// lets clients pick (Settings): the co-workers assigned to their client here; anyone else — or anyone at all when
// the company says nobody — is a 403 and nothing is saved. The office sees who requested the visit.
func TestPortal_VisitStaffPick(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{AddEdit: true})
	ctx := context.Background()
	_, cora := seedPerson(t, f.s, f.tdb, f.acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, f.s, f.tdb, f.acme, "sam@acme.example", "Sam Sparks", "password-123", identity.RoleCoWorker)
	f.tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, f.acme, f.a, cora)
	job := fmt.Sprintf("/portal/jobs/%d", f.jobA)
	visit := func(who int64) int {
		res, _ := f.fran.post(job+"/visits", url.Values{"date": {inDays(7)}, "from": {"09:00"}, "to": {"11:00"}, "assignee_id": {fmt.Sprint(who)}})
		return res.StatusCode
	}
	visits := func() (n int) {
		f.tdb.Owner.QueryRow(ctx, `select count(*) from visits where job_id = $1`, f.jobA).Scan(&n)
		return n
	}
	// The default: nobody — no choice offered, and a forged one refused.
	if _, body := f.fran.get(job); strings.Contains(body, "Who should come") {
		t.Error("a choice of staff offered while the company lets clients pick nobody")
	}
	if code := visit(cora); code != http.StatusForbidden || visits() != 0 {
		t.Errorf("a forged staff member with nobody allowed = %d, %d visits", code, visits())
	}
	f.tdb.Owner.Exec(ctx, `update companies set portal_staff_pick = 'assigned' where id = $1`, f.acme)
	if _, body := f.fran.get(job); !strings.Contains(body, "Cora Coworker") || strings.Contains(body, "Sam Sparks") {
		t.Error("the choice of staff: want Cora (assigned to the client) and not Sam")
	}
	if code := visit(sam); code != http.StatusForbidden || visits() != 0 {
		t.Errorf("Sam, not assigned to the client = %d, %d visits", code, visits())
	}
	if code := visit(cora); code != http.StatusSeeOther || visits() != 1 {
		t.Fatalf("Cora = %d, %d visits", code, visits())
	}
	if code := visit(0); code != http.StatusSeeOther || visits() != 2 {
		t.Errorf("leaving it to the office = %d, %d visits", code, visits())
	}
	_, body := f.admin.get(fmt.Sprintf("/jobs/%d?tab=visits", f.jobA))
	if !strings.Contains(body, "Cora Coworker") || !strings.Contains(body, "(portal)") {
		t.Error("the office's visits do not show Cora and who requested it")
	}
	// Settings: the choice is saved, and a made-up one refused in words.
	if res, body := f.admin.post("/settings", url.Values{"name": {"Acme"}, "time_zone": {"UTC"}, "currency": {"NZD"}, "staff_pick": {"anyone-at-all"}}); res.StatusCode != 422 || !strings.Contains(body, "Choose whom clients may ask for") {
		t.Errorf("a made-up staff pick = %d", res.StatusCode)
	}
	if res, _ := f.admin.post("/settings", url.Values{"name": {"Acme"}, "time_zone": {"UTC"}, "currency": {"NZD"}, "staff_pick": {"everyone"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("saving everyone = %d", res.StatusCode)
	}
	if code := visit(sam); code != http.StatusSeeOther {
		t.Errorf("Sam with everyone allowed = %d", code)
	}
}

// The office schedules a client's request: the edit form offers the window the client asked for as the visit's
// times, bad times are refused in words next to the field, and once saved the portal shows the time and offers no
// change of the request (a forged one is a 409 in words).
func TestOffice_SchedulesARequest(t *testing.T) {
	f := newPortalFixture(t, identity.Permissions{AddEdit: true})
	ctx := context.Background()
	_, cora := seedPerson(t, f.s, f.tdb, f.acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	job := fmt.Sprintf("/portal/jobs/%d", f.jobA)
	day := inDays(9)
	if res, _ := f.fran.post(job+"/visits", url.Values{"date": {day}, "from": {"09:00"}, "to": {"12:00"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request = %d", res.StatusCode)
	}
	var visit int64
	f.tdb.Owner.QueryRow(ctx, `select id from visits where job_id = $1`, f.jobA).Scan(&visit)
	if _, body := f.fran.get(job); !strings.Contains(body, "Requested · waiting for a time") || !strings.Contains(body, "Change the request for") {
		t.Error("the portal does not show the request as waiting, with a change form")
	}
	office := fmt.Sprintf("/jobs/%d/visits/%d/edit", f.jobA, visit)
	if _, body := f.admin.get(fmt.Sprintf("/jobs/%d?tab=visits", f.jobA)); !strings.Contains(body, ">Requested<") || !strings.Contains(body, "09:00–12:00") ||
		!strings.Contains(body, "requested by Fran Facilities (portal)") || !strings.Contains(body, office) {
		t.Error("the office's visits tab does not show the request with a Schedule link")
	}
	res, body := f.admin.get(office)
	if res.StatusCode != 200 || !strings.Contains(body, "Schedule the requested visit") || !strings.Contains(body, `value="`+day+`T09:00"`) || !strings.Contains(body, `value="`+day+`T12:00"`) {
		t.Fatalf("the edit form = %d, not filled with the requested window", res.StatusCode)
	}
	if res, body := f.admin.post(office, url.Values{"assignee_id": {fmt.Sprint(cora)}, "start": {day + "T10:00"}, "end": {day + "T09:00"}}); res.StatusCode != 422 ||
		!strings.Contains(body, "The visit must end after it starts.") || !strings.Contains(body, `value="`+day+`T10:00"`) {
		t.Errorf("end before start = %d, want 422 with the message and the times as typed", res.StatusCode)
	}
	if res, _ := f.admin.post(office, url.Values{"assignee_id": {fmt.Sprint(cora)}, "start": {day + "T09:30"}, "end": {day + "T11:00"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule = %d", res.StatusCode)
	}
	_, body = f.admin.get(fmt.Sprintf("/jobs/%d?tab=visits", f.jobA))
	asked := "requested by Fran Facilities (portal) for " + dayOf(day) + ", 09:00–12:00"
	if !strings.Contains(body, "09:30–11:00") || !strings.Contains(body, "Cora Coworker") || !strings.Contains(body, asked) || strings.Contains(body, ">Requested<") {
		t.Errorf("the scheduled visit: want its time, Cora, and %q", asked)
	}
	_, body = f.fran.get(job)
	if !strings.Contains(body, "09:30–11:00") || strings.Contains(body, "Requested · waiting for a time") || strings.Contains(body, "Change the request for") {
		t.Error("the portal after scheduling: want the time and no change form")
	}
	if res, body := f.fran.post(fmt.Sprintf("%s/visits/%d", job, visit), url.Values{"date": {day}}); res.StatusCode != http.StatusConflict || !strings.Contains(body, "already scheduled") {
		t.Errorf("a forged change of a scheduled visit = %d", res.StatusCode)
	}
}

// dayOf is a date input's value ("2026-12-05") as a visit list writes the day ("Sat 5 Dec 2026").
func dayOf(date string) string {
	d, _ := time.Parse("2006-01-02", date)
	return d.Format("Mon 2 Jan 2006")
}
