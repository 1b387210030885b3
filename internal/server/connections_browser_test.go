package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

var connectLink = regexp.MustCompile(`http://example\.test/connect/[A-Za-z0-9_-]{43}`)

// Three firms as they would work together. Kauri Electrical (a contractor) adds Crescent Properties as a customer
// with an invitation and Spark Subs as a subcontractor; each accepts from its email's link with the login it
// already has, connecting its own company. Crescent raises a job choosing Kauri in Assign to; it is in Kauri's From
// clients view; Kauri assigns it to Spark for an agreed price; Spark (who never sees Crescent) adds a visit and
// completes it; Kauri sees Spark's visit and status, Crescent sees both under Kauri's name and never Spark's. With
// Kauri's Privacy setting on, Spark sees the customer; Kauri withdraws and Spark's job is gone at once. The
// Connections page, both acceptance pages and the job's assignment card pass axe.
func TestBrowser_Connections(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	startTestWorker(t, tdb, m)
	ctx := context.Background()
	crescent, kauri, spark := tdb.CreateCompany(t, "Crescent Properties"), tdb.CreateCompany(t, "Kauri Electrical"), tdb.CreateCompany(t, "Spark Subs")
	seedPerson(t, s, tdb, crescent, "cara@crescent.example", "Cara", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, kauri, "kim@kauri.example", "Kim", "password-123", identity.RoleAdmin)
	seedPerson(t, s, tdb, spark, "sam@spark.example", "Sam", "password-123", identity.RoleAdmin)
	tenant := seedClient(t, tdb, crescent, "Hill Street tenant")

	b := newBrowserFor(t, 3*time.Minute)
	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + want + `")]`)
	}
	as := func(email string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(ts.URL + "/account"),
			chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
			chromedp.WaitVisible(`a[href="/login"]`, chromedp.ByQuery),
			browserLogin(ts.URL, email, "password-123"),
		}
	}
	linkTo := func(to string, re *regexp.Regexp) string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			for _, msg := range m.Search("to:" + to) {
				if link := re.FindString(m.Message(msg.ID).Text); link != "" {
					return strings.Replace(link, "http://example.test", ts.URL, 1)
				}
			}
		}
		t.Fatalf("no invitation reached %s", to)
		return ""
	}
	text := func(sel string) string {
		var s string
		if err := chromedp.Run(b, chromedp.Text(sel, &s, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		return s
	}
	axe := func(where string) {
		if found := axeSerious(t, b); len(found) > 0 {
			t.Errorf("axe on %s:\n%s", where, strings.Join(found, "\n"))
		}
	}

	// Kauri adds its customer (the invitation goes with it) and its subcontractor.
	err := chromedp.Run(b,
		browserLogin(ts.URL, "kim@kauri.example", "password-123"),
		chromedp.Navigate(ts.URL+"/clients/new"),
		fill([2]string{"name", "Crescent Properties"}, [2]string{"email", "cara@crescent.example"}),
		chromedp.WaitVisible(`input[name=send_invite]:checked`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save client"]`),
		notice("an invitation sent to cara@crescent.example"),
		chromedp.Navigate(ts.URL+"/connections"),
		fill([2]string{"name", "Sparky"}, [2]string{"email", "sam@spark.example"}),
		chromedp.Click(`#add-subcontractor button[type=submit]`, chromedp.ByQuery),
		notice("Invitation sent to sam@spark.example"),
		chromedp.WaitVisible(`//tr[td[text()="Sparky"]]//span[contains(., "Invitation pending")]`),
		chromedp.WaitVisible(`//tr[td/a[text()="Crescent Properties"]]//button[text()="Resend invitation"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the Connections page")

	// Spark connects its company from the link; Crescent connects its own instead of a portal login.
	err = chromedp.Run(b,
		as("sam@spark.example"),
		chromedp.Navigate(linkTo("sam@spark.example", connectLink)),
		chromedp.WaitVisible(`//h1[text()="Connect with Kauri Electrical"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the subcontractor invitation's page")
	err = chromedp.Run(b,
		chromedp.WaitVisible(`input[name=firm][value="`+fmt.Sprint(spark)+`"]:checked`, chromedp.ByQuery),
		fill([2]string{"password", "password-123"}),
		chromedp.Click(`//button[text()="Connect"]`),
		notice("Connected: Kauri Electrical can now assign jobs to Spark Subs"),
		chromedp.WaitVisible(`//tr[td/a[text()="Kauri Electrical"]]//span[text()="Connected"]`),
		as("cara@crescent.example"),
		chromedp.Navigate(linkTo("cara@crescent.example", inviteLink)),
		chromedp.WaitVisible(`//legend[contains(., "How will you work with Kauri Electrical?")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the customer invitation's page")
	err = chromedp.Run(b,
		chromedp.Click(`//label[contains(., "Connect my company Crescent Properties")]/input`),
		fill([2]string{"password", "password-123"}),
		chromedp.Click(`//button[text()="Join Kauri Electrical"]`),
		notice("Connected: Crescent Properties can now assign jobs to Kauri Electrical"),
		chromedp.WaitVisible(`//tr[td[text()="Kauri Electrical"]]//span[text()="Connected"]`),
	)
	if err != nil {
		t.Fatal(err)
	}

	// Crescent raises a job with Kauri.
	var kauriConn int64
	tdb.Owner.QueryRow(ctx, `select id from connections where company_id = $1`, crescent).Scan(&kauriConn)
	err = chromedp.Run(b,
		chromedp.Navigate(fmt.Sprintf("%s/jobs/new?client=%d", ts.URL, tenant)),
		fill([2]string{"title", "Rewire the hall"}, [2]string{"address", "12 Hill Street"}),
		chromedp.SetValue(`select[name=connection_id]`, fmt.Sprint(kauriConn), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Create job"]`),
		notice("Job created and assigned"),
		chromedp.WaitVisible(`//section[@id="assignment"]//dd[text()="Kauri Electrical"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	var crescentJob int64
	tdb.Owner.QueryRow(ctx, `select id from jobs where company_id = $1`, crescent).Scan(&crescentJob)

	// Kauri finds it among From clients and passes it to Spark for 300.
	var sparkConn, kauriJob int64
	tdb.Owner.QueryRow(ctx, `select id from connections where company_id = $1 and kind = 'subcontractor'`, kauri).Scan(&sparkConn)
	err = chromedp.Run(b,
		as("kim@kauri.example"),
		chromedp.Navigate(ts.URL+"/jobs?view=from-clients"),
		chromedp.Click(`//tr[td[contains(., "Rewire the hall")]]//a[@class="job-ref"]`),
		chromedp.WaitVisible(`//span[contains(@class, "badge") and text()="assigned by Crescent Properties"]`),
		chromedp.SetValue(`select[name=connection_id]`, fmt.Sprint(sparkConn), chromedp.ByQuery),
		fill([2]string{"agreed", "300"}),
		chromedp.Click(`//button[text()="Assign to subcontractor"]`),
		notice("Assigned"),
		chromedp.WaitVisible(`//section[@id="assignment"]//dd[text()="Spark Subs"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	axe("the job's assignment card")
	tdb.Owner.QueryRow(ctx, `select id from jobs where company_id = $1`, kauri).Scan(&kauriJob)
	var sparkJob int64
	tdb.Owner.QueryRow(ctx, `select id from jobs where company_id = $1`, spark).Scan(&sparkJob)

	// Spark: Kauri is the client, the customer is not shown; a visit and Completed.
	day := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	sparkJobURL := fmt.Sprintf("%s/jobs/%d", ts.URL, sparkJob)
	err = chromedp.Run(b,
		as("sam@spark.example"),
		chromedp.Navigate(sparkJobURL),
		chromedp.WaitVisible(`//h2[text()="Assigned by Kauri Electrical"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if main := text("main"); strings.Contains(main, "Crescent") || !strings.Contains(main, "$300.00") || !strings.Contains(main, "Not shared by Kauri Electrical") {
		t.Fatalf("Spark's job page:\n%s", main)
	}
	err = chromedp.Run(b,
		chromedp.Navigate(sparkJobURL+"?tab=visits"),
		chromedp.SetValue(`input[name=start]`, day+"T09:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=end]`, day+"T11:00", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add visit"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Navigate(sparkJobURL),
		chromedp.SetValue(`select[name=status]`, "completed", chromedp.ByQuery),
		chromedp.Click(`//button[text()="Update status"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}

	// Kauri sees Spark's status and visit; Crescent sees them as Kauri's.
	err = chromedp.Run(b,
		as("kim@kauri.example"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", ts.URL, kauriJob)),
		chromedp.WaitVisible(`//section[@id="assignment"]//span[contains(@class, "badge") and text()="Completed"]`),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=visits", ts.URL, kauriJob)),
		chromedp.WaitVisible(`//section[@id="firm-visits"]//li[contains(., "09:00") and contains(., "Spark Subs")]`),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=history", ts.URL, kauriJob)),
		chromedp.WaitVisible(`//*[contains(text(), "Spark Subs set their job to Completed")]`),
		as("cara@crescent.example"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?tab=visits", ts.URL, crescentJob)),
		chromedp.WaitVisible(`//section[@id="firm-visits"]//li[contains(., "09:00") and contains(., "Kauri Electrical")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range []string{"", "?tab=visits", "?tab=history", "?tab=messages"} {
		if err := chromedp.Run(b, chromedp.Navigate(fmt.Sprintf("%s/jobs/%d%s", ts.URL, crescentJob, tab))); err != nil {
			t.Fatal(err)
		}
		if main := text("main"); strings.Contains(main, "Spark") || (tab != "?tab=messages" && !strings.Contains(main, "Kauri Electrical")) {
			t.Fatalf("Crescent's job page%s names the subcontractor, or not the firm it chose:\n%s", tab, main)
		}
	}
	// Spark's finished job puts Kauri's, and so Crescent's, in Awaiting quality check.
	if err := chromedp.Run(b, chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", ts.URL, crescentJob))); err != nil {
		t.Fatal(err)
	}
	if head := text(".head-actions"); !strings.Contains(head, "Awaiting quality check") {
		t.Errorf("Crescent's job did not follow to Awaiting quality check: %q", head)
	}

	// Kauri shows its customers to subcontractors: Spark sees Crescent. Then Kauri withdraws the job.
	err = chromedp.Run(b,
		as("kim@kauri.example"),
		chromedp.Navigate(ts.URL+"/settings"),
		chromedp.Click(`input[name=show_customer]`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Save settings"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		as("sam@spark.example"),
		chromedp.Navigate(sparkJobURL),
		chromedp.WaitVisible(`//section[@id="assigned-by"]//dd[contains(., "Crescent Properties")]`),
		as("kim@kauri.example"),
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", ts.URL, kauriJob)),
		chromedp.Click(`//button[text()="Withdraw from Spark Subs"]`),
		notice("Withdrawn"),
		as("sam@spark.example"),
		chromedp.Navigate(sparkJobURL),
		chromedp.WaitVisible(`//h1[text()="Page not found"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
}
