package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
	"fieldops/internal/mail/mailtest"
)

// awaited lets Evaluate wait for a promise (a fetch).
func awaited(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// Tasks as their people use them: Ann makes a task for Harbour View and comments three times; Cora, a co-worker
// not on it, gets 404 until Ann adds her, and then sees all three comments. Ann uploads a photo that Cora
// downloads. Ann invites a guest with the person control; the guest joins from the email in Mailpit and finds the
// task. Cora comments, and Ann's counter rises without a reload. On a task made without a client the control
// offers no client user, and a forged post is refused with a 409.
func TestBrowser_Tasks(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	m := mailtest.Start(t)
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View", "Block A")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	_, fran := seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	startTestWorker(t, tdb, m)
	photo := filepath.Join(t.TempDir(), "roof.png")
	os.WriteFile(photo, pngOf(640, 480), 0o644)
	notice := func(want string) chromedp.Action {
		return chromedp.WaitVisible(`//div[@class="notice" and contains(., "` + want + `")]`)
	}
	comment := func(body string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.SendKeys(`textarea[name=body]`, body, chromedp.ByQuery), chromedp.Click(`//button[text()="Add comment"]`),
			chromedp.WaitVisible(`//section[@id="comments"]//li/p[contains(., "` + body + `")]`)}
	}

	ann := newBrowser(t)
	var taskURL string
	err := chromedp.Run(ann,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Click(`nav[aria-label=Main] a[href="/tasks"]`, chromedp.ByQuery),
		chromedp.Click(`//a[text()="New task"]`),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Replace the lobby lights"}),
		chromedp.SetValue(`select[name=client_id]`, fmt.Sprint(harbour), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Create task"]`),
		notice("Task created"),
		comment("Ladder booked for Tuesday"),
		comment("Bulbs ordered: https://supplier.example/led-40w"),
		comment("Caretaker has the key"),
		chromedp.Location(&taskURL),
	)
	if err != nil {
		t.Fatal(err)
	}
	taskURL = strings.TrimSuffix(taskURL, "#comments")
	var link string
	if err := chromedp.Run(ann, chromedp.AttributeValue(`//p[contains(., "Bulbs ordered")]/a`, "href", &link, nil)); err != nil || link != "https://supplier.example/led-40w" {
		t.Errorf("the comment's address is not a link: %q, %v", link, err)
	}

	coraB := newBrowser(t)
	var notFound string
	err = chromedp.Run(coraB,
		browserLogin(ts.URL, "cora@acme.example", "password-123"),
		chromedp.Navigate(taskURL),
		chromedp.Text(`h1`, &notFound, chromedp.ByQuery),
	)
	if err != nil || notFound != "Page not found" {
		t.Fatalf("Cora, not on the task: %q, %v; want Page not found", notFound, err)
	}

	// Ann opens the person control ("little man") and adds Cora, who then sees the whole history.
	var label string
	err = chromedp.Run(ann,
		chromedp.Text(`details.person-control summary .visually-hidden`, &label, chromedp.ByQuery),
		chromedp.Click(`details.person-control summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`select[name=membership_id]`, chromedp.ByQuery),
		chromedp.SetValue(`select[name=membership_id]`, fmt.Sprint(cora), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Add"]`),
		notice("Added to the task"),
	)
	if err != nil || label != "Add or invite people" {
		t.Fatalf("adding Cora with the person control %q: %v", label, err)
	}
	var comments int
	err = chromedp.Run(coraB,
		chromedp.Navigate(taskURL),
		chromedp.WaitVisible(`#comments`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#comments li').length`, &comments),
	)
	if err != nil || comments != 3 {
		t.Fatalf("Cora, added after 3 comments, sees %d (%v)", comments, err)
	}

	// Browse: Ann uploads a photo; Cora, another participant, downloads it.
	var info string
	err = chromedp.Run(ann,
		chromedp.Navigate(taskURL),
		chromedp.Click(`details.info summary`, chromedp.ByQuery),
		chromedp.Text(`details.info p`, &info, chromedp.ByQuery),
		chromedp.SetUploadFiles(`input[type=file]`, []string{photo}, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Upload"]`),
		notice("File uploaded"),
		chromedp.WaitVisible(`#files ul.files img`, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(info, ".png") || !strings.Contains(info, ".pdf") {
		t.Fatalf("uploading: the ⓘ list %q, %v", info, err)
	}
	var download string
	err = chromedp.Run(coraB,
		chromedp.Navigate(taskURL),
		chromedp.WaitVisible(`//a[text()="roof.png"]`),
		chromedp.Evaluate(`fetch(document.evaluate('//a[text()="roof.png"]', document).iterateNext().href)
			.then(r => r.blob().then(b => r.status + ' ' + r.headers.get('content-type') + ' ' + b.size))`, &download, awaited),
	)
	if want := fmt.Sprintf("200 image/png %d", len(pngOf(640, 480))); err != nil || download != want {
		t.Fatalf("Cora downloading the photo: %q, %v; want %q", download, err, want)
	}

	// The person control invites a new guest of Fran's, who joins from the email and finds the task.
	err = chromedp.Run(ann,
		chromedp.Navigate(taskURL),
		chromedp.Click(`details.person-control summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		fill([2]string{"email", "gus@guest.example"}),
		chromedp.SetValue(`select[name=host_id]`, fmt.Sprint(fran), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send invitation"]`),
		notice("Invitation sent to gus@guest.example"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var invite string
	for _, msg := range m.WaitFor(1, 10*time.Second) {
		if msg.To[0].Address == "gus@guest.example" {
			invite = strings.Replace(inviteLink.FindString(m.Message(msg.ID).Text), "http://example.test", ts.URL, 1)
		}
	}
	if invite == "" {
		t.Fatal("no invitation reached gus@guest.example")
	}
	guest := newBrowser(t)
	var guestSees string
	err = chromedp.Run(guest,
		chromedp.Navigate(invite),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		fill([2]string{"name", "Gus Guest"}, [2]string{"password", "guss-password"}),
		chromedp.Click(`//button[text()="Create my login"]`),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Click(`nav[aria-label=Main] a[href="/tasks"]`, chromedp.ByQuery),
		chromedp.Click(`//a[text()="Replace the lobby lights"]`),
		chromedp.WaitVisible(`#comments`, chromedp.ByQuery),
		chromedp.Text(`main`, &guestSees, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(guestSees, "Caretaker has the key") || !strings.Contains(guestSees, "roof.png") {
		t.Fatalf("the guest on the task: %q, %v", guestSees, err)
	}

	// Cora comments: the requester's counter rises without a reload.
	if err := chromedp.Run(ann, chromedp.Navigate(ts.URL+"/tasks"), chromedp.WaitReady(`#unread-count`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var before string
	chromedp.Run(ann, chromedp.Text(`#unread-count`, &before, chromedp.ByQuery))
	if err := chromedp.Run(coraB, chromedp.Navigate(taskURL), comment("Lights are in")); err != nil {
		t.Fatal(err)
	}
	var count string
	err = chromedp.Run(ann,
		chromedp.Poll(fmt.Sprintf(`document.querySelector('#unread-count').textContent.trim() !== %q`, strings.TrimSpace(before)), nil,
			chromedp.WithPollingTimeout(25*time.Second)),
		chromedp.Text(`#unread-count`, &count, chromedp.ByQuery),
	)
	if err != nil || count == "" {
		t.Fatalf("Ann's counter after Cora's comment: %q (was %q), %v", count, before, err)
	}

	// A task made without a client: no client user to add, no guest to invite; a forged post is a 409.
	var options, panel string
	var forged string
	err = chromedp.Run(ann,
		chromedp.Navigate(ts.URL+"/tasks/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		fill([2]string{"title", "Order ladders"}),
		chromedp.Click(`//button[text()="Create task"]`),
		notice("Task created"),
		chromedp.Click(`details.person-control summary`, chromedp.ByQuery),
		chromedp.Text(`.person-panel`, &panel, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('select[name=membership_id] option')].map(o => o.textContent).join('|')`, &options),
		chromedp.Evaluate(fmt.Sprintf(`fetch(location.pathname + '/people', {method: 'POST', body: new URLSearchParams({membership_id: '%d'})})
			.then(r => r.text().then(t => r.status + ' ' + t))`, fran), &forged, awaited),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(options, "Fran") || strings.Contains(panel, "Invite a new guest") || !strings.Contains(panel, "made without a client") {
		t.Errorf("the person control of a task without a client offers %q; panel %q", options, panel)
	}
	if !strings.HasPrefix(forged, "409 ") || !strings.Contains(forged, "made without a client") {
		t.Errorf("a forged post adding Fran = %.200q, want 409 in words", forged)
	}
}
