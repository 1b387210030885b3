package server

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// A dispatcher's day with one job: create it, add a visit, a line and a photo, move it along the workflow, defer
// it and undo that, create a subjob and link a recall job — and find every step in History.
func TestBrowser_Job(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	seedClient(t, tdb, acme, "Harbour View Apartments", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	photo := filepath.Join(t.TempDir(), "roof.png")
	os.WriteFile(photo, pngOf(640, 480), 0o644)
	ctx := newBrowser(t)

	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + want + `")]`)
	}
	var h1, visits, lines, files string
	err := chromedp.Run(ctx,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Click(`a[href="/jobs"]`, chromedp.ByQuery),
		chromedp.Click(`//a[text()="New job"]`),
		chromedp.Click(`//a[text()="Harbour View Apartments"]`),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Leaking roof"}),
		chromedp.SetValue(`select[name=site_id]`, "", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('select[name=site_id]').selectedIndex = 1`, nil),
		chromedp.Click(`//button[text()="Create job"]`),
		notice("Job created"),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),

		chromedp.Click(`//nav[@aria-label="Job"]/a[text()="Visits"]`),
		chromedp.WaitVisible(`input[name=start]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('select[name=assignee_id]').selectedIndex = 1`, nil),
		chromedp.SetValue(`input[name=start]`, "2026-11-25T09:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, "2026-11-25T11:30", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add visit"]`),
		notice("Visit added"),
		chromedp.Text(`ul.visits`, &visits, chromedp.ByQuery),

		chromedp.Click(`//nav[@aria-label="Job"]/a[text()="Time & parts"]`),
		chromedp.WaitVisible(`input[name=quantity]`, chromedp.ByQuery),
		fill([2]string{"description", "Labour"}, [2]string{"quantity", "2.5"}, [2]string{"unit_cost", "40"}, [2]string{"unit_price", "95"}),
		chromedp.Click(`//button[text()="Add line"]`),
		notice("Line added"),
		chromedp.Text(`main`, &lines, chromedp.ByQuery),

		chromedp.Click(`//nav[@aria-label="Job"]/a[text()="Files"]`),
		chromedp.WaitVisible(`input[type=file]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`input[type=file]`, []string{photo}, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Upload"]`),
		notice("File uploaded"),
		chromedp.WaitVisible(`ul.files img`, chromedp.ByQuery),
		chromedp.Text(`ul.files`, &files, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "Leaking roof" || !strings.Contains(visits, "Wed 25 Nov 2026, 09:00–11:30") || !strings.Contains(visits, "Ann") ||
		!strings.Contains(lines, "$237.50") || !strings.Contains(lines, "Margin") || !strings.Contains(files, "roof.png") {
		t.Fatalf("h1 %q\nvisits %q\nlines %q\nfiles %q", h1, visits, lines, files)
	}
	var thumbWidth int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('ul.files img').naturalWidth`, &thumbWidth)); err != nil || thumbWidth != 320 {
		t.Errorf("the thumbnail is %d px wide (%v), want 320", thumbWidth, err)
	}

	var status, history string
	err = chromedp.Run(ctx,
		chromedp.Click(`//nav[@aria-label="Job"]/a[text()="Details"]`),
		chromedp.Click(`//button[text()="Move to In progress"]`),
		notice("In progress"),
		chromedp.SetValue(`select[name=status]`, "awaiting-quality-check", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Update status"]`),
		notice("Awaiting quality check"),
		chromedp.Click(`//button[text()="Defer commission"]`),
		notice("Job deferred"),
		chromedp.Text(`.page-head .badge`, &status, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Undo deferral"]`),
		notice("Deferral undone"),
		fill([2]string{"title", "Stage 1 — 20 % on day 1"}),
		chromedp.Click(`//button[text()="Create subjob"]`),
		notice("Subjob created"),
		chromedp.Click(`//dt[text()="Subjob of"]/following-sibling::dd[1]/a`),
		chromedp.WaitVisible(`//h2[text()="Subjobs"]`),
		chromedp.Click(`//button[text()="Link recall job"]`),
		notice("Recall job linked"),
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Click(`//a[text()="J-1001"]`),
		chromedp.Click(`//nav[@aria-label="Job"]/a[text()="History"]`),
		chromedp.Text(`ol.history`, &history, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "Deferred" {
		t.Errorf("after Defer commission the badge says %q", status)
	}
	for _, want := range []string{"Job created", "Visit added: Ann", "Line added: 2.5 × Labour", "File added: roof.png",
		"Status changed from Open dispatch to In progress", "Status changed from In progress to Awaiting quality check",
		"Deferred (Defer commission) from Awaiting quality check", "Deferral undone: back to Awaiting quality check",
		"Subjob J-1002 created", "Recall job J-1003 linked"} {
		if !strings.Contains(history, want) {
			t.Errorf("History lacks %q:\n%s", want, history)
		}
	}
}
