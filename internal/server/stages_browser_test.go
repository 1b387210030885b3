package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// Staged billing as the seed tells it — 20 % on day 1, 20 % on day 3, 60 % on day 5: the admin creates three
// subjobs from the parent, each billing its share on its day; a fourth of 10 % is refused next to the field with the
// rest of the form kept; the first stage's invoice bills 20 % of the parent; the parent lists the three stages, the
// first invoiced, and nothing remaining. The parent's page passes axe.
func TestBrowser_Stages(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set tax_rate_bp = 1500, currency = 'NZD' where id = $1`, acme)
	harbour := seedClient(t, tdb, acme, "Harbour View")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	parent := seedJob(t, tdb, acme, harbour, "Bathroom refit")
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents) values ($1, $2, 'Refit', 1000, 1000000)`, acme, parent)
	parentURL := fmt.Sprintf("%s/jobs/%d", ts.URL, parent)

	b := newBrowser(t)
	if err := chromedp.Run(b, browserLogin(ts.URL, "ann@acme.example", "password-123")); err != nil {
		t.Fatal(err)
	}
	stage := func(title, share, day string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(parentURL + "#subjobs"),
			chromedp.SendKeys(`#subjob_title`, title, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=share]`, share, chromedp.ByQuery),
			chromedp.SetValue(`input[name=bill_on]`, day, chromedp.ByQuery),
			chromedp.Click(`//button[text()="Create subjob"]`),
			chromedp.WaitVisible(`.notice, .error`, chromedp.ByQuery),
		}
	}
	for i, st := range [][3]string{{"Stage 1: deposit", "20%", "2026-12-01"}, {"Stage 2: rough-in", "20%", "2026-12-03"}, {"Stage 3: finish", "60%", "2026-12-05"}} {
		var notice string
		if err := chromedp.Run(b, stage(st[0], st[1], st[2]), chromedp.Text(`.notice`, &notice, chromedp.ByQuery)); err != nil || !strings.Contains(notice, "Subjob created") {
			t.Fatalf("stage %d: %q (%v)", i+1, notice, err)
		}
		if i == 0 {
			var issued string
			err := chromedp.Run(b,
				chromedp.Click(`//a[text()="Time & parts"]`),
				chromedp.Click(`//button[text()="Issue invoice"]`),
				chromedp.Text(`.notice`, &issued, chromedp.ByQuery),
			)
			// 20 % of 10,000.00 is 2,000.00; GST 300.00.
			if err != nil || !strings.Contains(issued, "INV-1001 issued: $2,300.00") {
				t.Fatalf("stage 1's invoice: %q (%v)", issued, err)
			}
		}
	}
	var refused, kept string
	err := chromedp.Run(b, stage("Stage 4: extras", "10%", "2026-12-07"),
		chromedp.Text(`#share-error`, &refused, chromedp.ByQuery),
		chromedp.Value(`#subjob_title`, &kept, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(refused, "0% of it is left to plan") || kept != "Stage 4: extras" {
		t.Fatalf("a fourth stage: %q, title kept %q (%v)", refused, kept, err)
	}
	var stages string
	err = chromedp.Run(b, chromedp.Navigate(parentURL), chromedp.Text(`//h3[text()="Billing stages"]/following-sibling::div[1]`, &stages),
		chromedp.Text(`//h3[text()="Billing stages"]/following-sibling::p[1]`, &kept))
	if err != nil || strings.Count(stages, "20%") != 2 || !strings.Contains(stages, "60%") || !strings.Contains(stages, "INV-1001") ||
		!strings.Contains(stages, "Sat 5 Dec 2026") || !strings.Contains(kept, "remaining $0.00") {
		t.Errorf("the parent's stages: %q; %q (%v)", stages, kept, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the parent:\n%s", strings.Join(found, "\n"))
	}
}
