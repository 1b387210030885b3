package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// An admin opens the calendar, sees Cora's visit on Cora's calendar, adds a contact to the company's phonebook, and
// adds one reminder of each kind from a day's "+ Reminder" link: the call reminder first with a typed list holding a
// bad entry, refused next to the field, then fixed and with the phonebook contact picked. Each shows on its day; the call reminder's page lists whom to call. Calendar, form and
// reminder pass axe.
func TestBrowser_Calendar(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set country = 'NZ' where id = $1`, acme)
	harbour := seedClient(t, tdb, acme, "Harbour View")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	job := seedJob(t, tdb, acme, harbour, "Harbour roof")
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4::timestamptz + interval '9 hours', $4::timestamptz + interval '10 hours')`,
		acme, job, cora, day)
	date := day.Format("2006-01-02")

	b := newBrowser(t)
	var coraDay string
	err := chromedp.Run(b,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/calendar"),
		chromedp.Click(fmt.Sprintf(`input[name=cal][value="person-%d"]`, cora), chromedp.ByQuery),
		chromedp.Evaluate(`document.body.dataset.before = "1"`, nil),
		chromedp.Click(`//button[text()="Show"]`),
		chromedp.WaitNotPresent(`body[data-before]`, chromedp.ByQuery), // the page the form asked for
		chromedp.WaitVisible(fmt.Sprintf(`input[name=cal][value="person-%d"]:checked`, cora), chromedp.ByQuery),
		chromedp.Navigate(fmt.Sprintf("%s/calendar?view=day&date=%s&cal=person-%d", ts.URL, date, cora)),
		chromedp.Text(`.calendar-day`, &coraDay, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(coraDay, "09:00") || !strings.Contains(coraDay, "Harbour roof") {
		t.Errorf("Cora's day: %q", coraDay)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the calendar:\n%s", strings.Join(found, "\n"))
	}
	// A contact in the company's phonebook, to pick into the call reminder.
	err = chromedp.Run(b,
		chromedp.Navigate(ts.URL+"/phonebook"),
		chromedp.Click(`//a[text()="+ Contact"]`),
		chromedp.WaitVisible(`//h1[text()="New contact"]`),
		chromedp.SetValue(`select[name=book]`, "company", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Plumbing supplies", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=phones]`, "09 555 0456", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save contact"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Contact saved")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the phonebook:\n%s", strings.Join(found, "\n"))
	}
	add := func(kind, title string, fill chromedp.Tasks, then chromedp.Action) error {
		return chromedp.Run(b,
			chromedp.Navigate(fmt.Sprintf("%s/calendar?view=day&date=%s&cal=company", ts.URL, date)),
			chromedp.Click(`//a[starts-with(., "+ Reminder")]`),
			chromedp.WaitVisible(`//h1[text()="New reminder"]`),
			chromedp.Click(fmt.Sprintf(`input[name=kind][value=%s]`, kind), chromedp.ByQuery),
			chromedp.SendKeys(`input[name=title]`, title, chromedp.ByQuery),
			fill,
			chromedp.Click(`//button[text()="Save reminder"]`),
			then,
		)
	}
	saved := func(what string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + what + ` saved")]`)
	}
	var callsError string
	err = add("call", "Ring the caretaker", chromedp.Tasks{
		chromedp.SetValue(`input[name=start]`, "08:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, "08:15", chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=calls]`, "Ann 021 555 0123; Bob", chromedp.ByQuery),
	}, chromedp.WaitVisible(`#calls-error`, chromedp.ByQuery))
	if err == nil {
		err = chromedp.Run(b, chromedp.Text(`#calls-error`, &callsError, chromedp.ByQuery))
	}
	if err != nil || !strings.Contains(callsError, "“Bob”: no phone number") {
		t.Fatalf("the bad call list: %q (%v)", callsError, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the refused form:\n%s", strings.Join(found, "\n"))
	}
	var calls string
	err = chromedp.Run(b,
		chromedp.SetValue(`textarea[name=calls]`, "Ann 021 555 0123; Bob +61 2 9374 4000", chromedp.ByQuery),
		chromedp.Click(`//label[contains(., "Plumbing supplies")]/input[@name="contacts"]`),
		chromedp.Click(`//button[text()="Save reminder"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Call reminder saved")]`),
		chromedp.Click(`//a[text()="Ring the caretaker"]`),
		chromedp.WaitVisible(`//dt[text()="Call to"]`),
		chromedp.Text(`//dt[text()="Call to"]/following-sibling::dd[1]`, &calls),
	)
	if err != nil || !strings.Contains(calls, "Plumbing supplies 09 555 0456") || !strings.Contains(calls, "Ann 021 555 0123") || !strings.Contains(calls, "Bob +61 2 9374 4000") {
		t.Errorf("the call reminder's list: %q (%v)", calls, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the reminder:\n%s", strings.Join(found, "\n"))
	}
	// Edited: the form comes filled (the call list typed out), and the changes show on the reminder.
	var typed, when string
	err = chromedp.Run(b,
		chromedp.Click(`//a[text()="Edit reminder"]`),
		chromedp.WaitVisible(`//h1[text()="Edit reminder"]`),
		chromedp.Value(`textarea[name=calls]`, &typed, chromedp.ByQuery),
		chromedp.SetValue(`input[name=title]`, "Ring the caretaker back", chromedp.ByQuery),
		chromedp.SetValue(`input[name=start]`, "14:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, "14:30", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save reminder"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Call reminder saved")]`),
		chromedp.Click(`//a[text()="Ring the caretaker back"]`),
		chromedp.Text(`//dt[text()="When"]/following-sibling::dd[1]`, &when),
	)
	if err != nil || !strings.Contains(typed, "Plumbing supplies +6495550456") || !strings.Contains(when, "14:00–14:30") {
		t.Errorf("the edited reminder: form %q, when %q (%v)", typed, when, err)
	}
	if err := add("appointment", "Site meeting", chromedp.Tasks{
		chromedp.SetValue(`input[name=start]`, "11:00", chromedp.ByQuery), chromedp.SetValue(`input[name=end]`, "12:00", chromedp.ByQuery),
		chromedp.Click(`//label[contains(., "Ann Admin")]/input[@name="people"]`),
	}, saved("Appointment reminder")); err != nil {
		t.Fatal(err)
	}
	if err := add("reminder", "Order the cylinder", chromedp.Tasks{chromedp.Click(`input[name=all_day]`, chromedp.ByQuery)}, saved("Reminder")); err != nil {
		t.Fatal(err)
	}
	var companyDay string
	err = chromedp.Run(b,
		chromedp.Navigate(fmt.Sprintf("%s/calendar?view=day&date=%s&cal=company", ts.URL, date)),
		chromedp.Text(`.calendar-day`, &companyDay, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(companyDay, "All day") || !strings.Contains(companyDay, "Order the cylinder") ||
		!strings.Contains(companyDay, "14:00") || !strings.Contains(companyDay, "11:00") || !strings.Contains(companyDay, "Site meeting") {
		t.Errorf("the company's day: %q (%v)", companyDay, err)
	}
	// Subscribe: the link the page shows once is fetched, as a calendar app would, and parses as iCalendar.
	var link string
	err = chromedp.Run(b,
		chromedp.Click(`//button[text()="Make my calendar link"]`),
		chromedp.WaitVisible(`code.feed-link`, chromedp.ByQuery),
		chromedp.Text(`code.feed-link`, &link, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(strings.Replace(link, "http://example.test", ts.URL, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if cal, err := ics.ParseCalendar(res.Body); err != nil || res.StatusCode != 200 {
		t.Errorf("the feed at %s = %d, %v", link, res.StatusCode, err)
	} else if es := cal.Events(); len(es) != 1 || es[0].GetProperty(ics.ComponentPropertySummary).Value != "Appointment reminder: Site meeting" {
		t.Errorf("Ann's feed holds %d events; want the one she is among the people of", len(es))
	}
}
