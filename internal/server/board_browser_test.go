package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// A dispatcher with JavaScript off finds Cora's visit on the board in her row, moves it to Sam on Thursday with
// its form, and lands back on the board with the visit in Sam's row. The board passes axe.
func TestBrowser_Board(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Sparks", "password-123", identity.RoleCoWorker)
	job := seedJob(t, tdb, acme, harbour, "Harbour roof")
	monday := time.Now().UTC().Truncate(24 * time.Hour)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	tdb.Owner.Exec(ctx, `insert into visits (company_id, job_id, assignee_id, starts_at, ends_at) values ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '2 hours')`,
		acme, job, cora, monday.AddDate(0, 0, 2).Add(9*time.Hour))
	thursday := monday.AddDate(0, 0, 3).Format("2006-01-02")

	b := newBrowser(t)
	var coraRow, samRow string
	err := chromedp.Run(b,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/calendar/board"),
		chromedp.Text(`//table[contains(@class,"board")]//tr[th[text()="Cora Coworker"]]`, &coraRow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(coraRow, "Harbour roof") || !strings.Contains(coraRow, "09:00–11:00") {
		t.Fatalf("Cora's row: %q", coraRow)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the board:\n%s", strings.Join(found, "\n"))
	}
	err = chromedp.Run(b,
		emulation.SetScriptExecutionDisabled(true),
		chromedp.Click(`//tr[th[text()="Cora Coworker"]]//a[starts-with(text(),"Move")]`),
		chromedp.WaitVisible(`//h1[text()="Edit visit"]`),
		chromedp.SetValue(`select[name=assignee_id]`, fmt.Sprint(sam), chromedp.ByQuery),
		chromedp.SetValue(`input[name=start]`, thursday+"T13:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, thursday+"T14:30", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save visit"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Visit saved")]`),
		chromedp.Text(`//table[contains(@class,"board")]//tr[th[text()="Sam Sparks"]]`, &samRow),
		chromedp.Text(`//table[contains(@class,"board")]//tr[th[text()="Cora Coworker"]]`, &coraRow),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(samRow, "Harbour roof") || !strings.Contains(samRow, "13:00–14:30") || strings.Contains(coraRow, "Harbour roof") {
		t.Errorf("after the move: Sam's row %q, Cora's row %q", samRow, coraRow)
	}
}
