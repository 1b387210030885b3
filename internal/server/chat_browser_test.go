package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fieldops/internal/identity"
)

// Chat as people use it, in three browsers at once: a co-worker and a client user talk in the client's room and
// each sees the other's message arrive without a reload (a mark set on the page survives); the client user's
// folder count rises while they are elsewhere in chat; the company's room is the co-worker's, not the client
// user's; an empty message is refused next to the field; a deleted message turns "deleted" on the other side. An
// admin sees two co-workers' direct room under Overseen with no composer, and a forged post is refused (403); the
// admin unassigns the co-worker and the room they have open closes at once. Each page passes axe.
func TestBrowser_Chat(t *testing.T) {
	s, tdb, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close) // after the browsers' cleanups: it waits for their open streams
	ctx := context.Background()
	acme := tdb.CreateCompany(t, "Acme")
	harbour := seedClient(t, tdb, acme, "Harbour View")
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	_, cora := seedPerson(t, s, tdb, acme, "cora@acme.example", "Cora Coworker", "password-123", identity.RoleCoWorker)
	_, sam := seedPerson(t, s, tdb, acme, "sam@acme.example", "Sam Smith", "password-123", identity.RoleCoWorker)
	seedClientUser(t, s, tdb, ts, acme, harbour, "fran@harbour.example", identity.Permissions{})
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, acme, harbour, cora)
	roomKey := fmt.Sprint("client-", harbour)
	room := ts.URL + "/chat/" + roomKey
	<-s.ChatHub().Listening()

	coraB, franB := newBrowser(t), newBrowser(t)
	say := func(text string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.SendKeys(`textarea[name=body]`, text, chromedp.ByQuery),
			chromedp.Click(`//button[text()="Send"]`),
		}
	}
	shows := func(text string) chromedp.Action {
		return chromedp.WaitVisible(fmt.Sprintf(`//ol[@id="chat-messages"]/li[contains(., %q)]`, text))
	}
	var coraRooms string
	err := chromedp.Run(coraB,
		browserLogin(ts.URL, "cora@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/chat"),
		chromedp.Text(`#chat-rooms`, &coraRooms, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(coraRooms, "Company") || !strings.Contains(coraRooms, "Harbour View") {
		t.Fatalf("Cora's rooms: %q (%v)", coraRooms, err)
	}
	if found := axeSerious(t, coraB); len(found) > 0 {
		t.Errorf("axe on /chat:\n%s", strings.Join(found, "\n"))
	}
	if err := chromedp.Run(coraB, chromedp.Click(`//a[contains(., "Harbour View")]`), chromedp.WaitVisible(`//h1[text()="Harbour View"]`),
		say("Hello Fran, the plumber comes Tuesday."), shows("the plumber comes Tuesday")); err != nil {
		t.Fatal(err)
	}
	// Fran, on the chat page, sees the count rise without a reload; there is no Company room for her.
	var franRooms, count string
	err = chromedp.Run(franB,
		browserLogin(ts.URL, "fran@harbour.example", "password-123"),
		chromedp.Navigate(ts.URL+"/chat"),
		chromedp.Text(`#chat-rooms`, &franRooms, chromedp.ByQuery),
		chromedp.Evaluate(`document.body.dataset.stay = "1"`, nil),
	)
	if err != nil || strings.Contains(franRooms, "Company") || !strings.Contains(franRooms, "Harbour View") {
		t.Fatalf("Fran's rooms: %q (%v)", franRooms, err)
	}
	if err := chromedp.Run(coraB, say("Bring the gate key, please.")); err != nil {
		t.Fatal(err)
	}
	badge := fmt.Sprintf(`li[data-room=%q] .nav-badge`, roomKey)
	err = chromedp.Run(franB,
		chromedp.Poll(fmt.Sprintf(`document.querySelector(%q)?.textContent.startsWith("2")`, badge), nil),
		chromedp.Text(badge, &count, chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-stay]`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("Fran's count without a reload: %q (%v)", count, err)
	}
	// Fran opens the room, is refused an empty message next to the field, then answers; Cora sees it arrive.
	var refused string
	err = chromedp.Run(franB,
		chromedp.Click(`//a[contains(., "Harbour View")]`),
		shows("Bring the gate key"),
		chromedp.Click(`//button[text()="Send"]`),
		chromedp.WaitVisible(`textarea[name=body][aria-invalid=true]`, chromedp.ByQuery),
		chromedp.Text(`.chat-composer .error`, &refused, chromedp.ByQuery),
	)
	if err != nil || refused != "Write a message first." {
		t.Fatalf("the empty message: %q (%v)", refused, err)
	}
	if found := axeSerious(t, franB); len(found) > 0 {
		t.Errorf("axe on the room with a refused message:\n%s", strings.Join(found, "\n"))
	}
	err = chromedp.Run(coraB, chromedp.Evaluate(`document.body.dataset.stay = "1"`, nil))
	if err == nil {
		err = chromedp.Run(franB, chromedp.Evaluate(`document.body.dataset.stay = "1"`, nil), say("Thanks, Cora! Key is under the mat."), shows("Key is under the mat"))
	}
	if err == nil {
		err = chromedp.Run(coraB, shows("Key is under the mat"), chromedp.WaitVisible(`body[data-stay]`, chromedp.ByQuery))
	}
	if err != nil {
		t.Fatalf("Fran's answer reaching Cora without a reload: %v", err)
	}
	// Cora deletes her second message; on Fran's page it turns "deleted".
	err = chromedp.Run(coraB,
		chromedp.Click(`//li[contains(., "gate key")]//button[text()="Delete"]`),
		chromedp.WaitVisible(`//li[contains(., "Message deleted")]`),
	)
	if err == nil {
		err = chromedp.Run(franB, chromedp.WaitVisible(`//li[contains(., "Message deleted")]`), chromedp.WaitVisible(`body[data-stay]`, chromedp.ByQuery))
	}
	if err != nil {
		t.Fatalf("the deleted message: %v", err)
	}
	if found := axeSerious(t, coraB); len(found) > 0 {
		t.Errorf("axe on the room:\n%s", strings.Join(found, "\n"))
	}

	// Sam writes to Cora; the admin oversees it: no composer, and a forged post is a 403.
	samC := newClient(t, ts)
	samC.login("sam@acme.example", "password-123")
	if res, _ := samC.post(fmt.Sprintf("/chat/people-%d-%d/messages", min(cora, sam), max(cora, sam)), url.Values{"body": {"Lunch at 12?"}}); res.StatusCode != 303 {
		t.Fatalf("Sam to Cora = %d", res.StatusCode)
	}
	annB := newBrowser(t)
	var overseen string
	var composers, forged int
	err = chromedp.Run(annB,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/chat"),
		chromedp.Text(`#chat-rooms`, &overseen, chromedp.ByQuery),
		chromedp.Click(`//a[contains(., "Cora Coworker and Sam Smith")]`),
		shows("Lunch at 12?"),
		chromedp.Evaluate(`document.querySelectorAll("textarea[name=body]").length`, &composers),
		chromedp.Evaluate(`fetch(location.pathname + "/messages", {method: "POST", body: new URLSearchParams({body: "Me too"})}).then(r => r.status)`, &forged, awaited),
	)
	if err != nil || !strings.Contains(strings.ToLower(overseen), "overseen") || composers != 0 || forged != 403 {
		t.Fatalf("the admin overseeing: folders %q, %d composers, forged post %d (%v)", overseen, composers, forged, err)
	}
	if found := axeSerious(t, annB); len(found) > 0 {
		t.Errorf("axe on an overseen room:\n%s", strings.Join(found, "\n"))
	}
	// The admin unassigns Cora from Harbour: her open room closes at once, and the folders no longer list it.
	if err := chromedp.Run(coraB, chromedp.Navigate(room), shows("Key is under the mat")); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(annB,
		chromedp.Navigate(fmt.Sprintf("%s/clients/%d", ts.URL, harbour)),
		chromedp.Click(`//li[contains(., "Cora Coworker")]//button[text()="Remove"]`),
		chromedp.WaitVisible(`//div[@class="notice" and contains(., "Co-worker removed")]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	var after string
	err = chromedp.Run(coraB,
		chromedp.WaitNotPresent(`#chat-messages`, chromedp.ByQuery),
		chromedp.Text(`#chat-rooms`, &after, chromedp.ByQuery),
	)
	if err != nil || strings.Contains(after, "Harbour View") || !strings.Contains(after, "Company") {
		t.Errorf("Cora after being unassigned: %q (%v)", after, err)
	}
}
