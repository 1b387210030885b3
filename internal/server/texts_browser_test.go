package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/sms"
)

// Text messages as the office sends them, through the development provider: from the row's Send customer
// communication, a 161-character text is refused next to the field (the live count says 161 / 160), a 160-character
// one with consent confirmed is queued and shows as sent on the Text messages page; the client's number then replies
// STOP through the signed webhook (an unsigned or wrongly signed call is a 404 and changes nothing), and the
// composer says why the number cannot be texted and refuses a forged send. Pages pass axe.
func TestBrowser_Texts(t *testing.T) {
	tdb := dbtest.New(t)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2, SMSWebhookSecret: "s3cret"}, tdb.DB, slog.New(slog.DiscardHandler))
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := context.Background()
	workerCtx, stopWorker := context.WithCancel(ctx)
	worker := &sms.Worker{DB: tdb.DB, Provider: sms.Dev{}, Log: slog.New(slog.DiscardHandler), Poll: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { worker.Run(workerCtx); close(done) }()
	t.Cleanup(func() { stopWorker(); <-done })
	acme := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set country = 'NZ' where id = $1`, acme)
	harbour := seedClient(t, tdb, acme, "Harbour View")
	tdb.Owner.Exec(ctx, `update clients set phone = '021 555 0123' where id = $1`, harbour)
	seedPerson(t, s, tdb, acme, "ann@acme.example", "Ann Admin", "password-123", identity.RoleAdmin)
	job := seedJob(t, tdb, acme, harbour, "Leaking tap")
	var number string
	tdb.Owner.QueryRow(ctx, `select number::text from jobs where id = $1`, job).Scan(&number)

	b := newBrowser(t)
	var count, refused string
	err := chromedp.Run(b,
		browserLogin(ts.URL, "ann@acme.example", "password-123"),
		chromedp.Navigate(ts.URL+"/jobs"),
		chromedp.Click(`//details[summary[@aria-label="Available Actions for J-`+number+`"]]/summary`),
		chromedp.Click(`//details[@open]//a[text()="Send customer communication"]`),
		chromedp.Click(`//a[@class="button" and text()="Text message"]`),
		chromedp.WaitVisible(`//h1[text()="Text message"]`),
		chromedp.Click(`input[name=to][value="+64215550123"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=body]`, strings.Repeat("a", 161), chromedp.ByQuery),
		chromedp.Text(`output[data-count-for=body]`, &count, chromedp.ByQuery),
		chromedp.Click(`input[name=consent]`, chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send text"]`),
		chromedp.Text(`#body-error`, &refused, chromedp.ByQuery),
	)
	if err != nil || count != "161" || refused != "A text holds at most 160 characters: this one has 161." {
		t.Fatalf("161 characters: count %q, refusal %q (%v)", count, refused, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the refused text:\n%s", strings.Join(found, "\n"))
	}
	var notice, messages string
	err = chromedp.Run(b,
		chromedp.SetValue(`textarea[name=body]`, strings.Repeat("b", 160), chromedp.ByQuery),
		chromedp.Click(`//button[text()="Send text"]`),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
		chromedp.Text(`main`, &messages, chromedp.ByQuery),
	)
	if err != nil || !strings.Contains(notice, "Text message queued to 1") || !strings.Contains(messages, strings.Repeat("b", 160)) {
		t.Fatalf("160 characters: %q, on Messages: %v (%v)", notice, strings.Contains(messages, strings.Repeat("b", 160)), err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var sent bool
		if tdb.Owner.QueryRow(ctx, `select status = 'sent' from sms_outbox`).Scan(&sent); sent {
			break
		}
	}
	var page string
	err = chromedp.Run(b, chromedp.Navigate(ts.URL+"/outbox/sms"), chromedp.Text(`table`, &page, chromedp.ByQuery))
	if err != nil || !strings.Contains(page, "+64215550123") || !strings.Contains(page, strings.Repeat("b", 160)) || !strings.Contains(page, "sent") {
		t.Fatalf("the Text messages page: %q (%v)", page, err)
	}
	if found := axeSerious(t, b); len(found) > 0 {
		t.Errorf("axe on the Text messages page:\n%s", strings.Join(found, "\n"))
	}

	// STOP: unsigned and wrongly signed calls change nothing; the signed one opts the number out.
	stop := []byte(`{"from": "+64215550123", "body": "STOP"}`)
	inbound := func(signature string) int {
		req, _ := http.NewRequest("POST", ts.URL+"/sms/inbound", bytes.NewReader(stop))
		req.Header.Set("Content-Type", "application/json")
		if signature != "" {
			req.Header.Set("X-Signature", signature)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if a, b := inbound(""), inbound(sms.Sign("wrong", stop)); a != 404 || b != 404 {
		t.Errorf("unsigned and wrongly signed webhooks = %d, %d; want 404", a, b)
	}
	var optouts int
	if tdb.Owner.QueryRow(ctx, `select count(*) from sms_optouts`).Scan(&optouts); optouts != 0 {
		t.Fatal("an unsigned STOP was believed")
	}
	if code := inbound(sms.Sign("s3cret", stop)); code != 204 {
		t.Fatalf("the signed STOP = %d", code)
	}
	var why string
	var disabled bool
	err = chromedp.Run(b,
		chromedp.Navigate(fmt.Sprintf("%s/jobs/%d/text", ts.URL, job)),
		chromedp.Text(`//label[contains(., "Harbour View")]`, &why),
		chromedp.Evaluate(`document.querySelector('input[name=to]').disabled`, &disabled),
	)
	if err != nil || !strings.Contains(why, "replied STOP on") || !disabled {
		t.Errorf("the composer after STOP: %q, disabled %v (%v)", why, disabled, err)
	}
	var forged []any
	err = chromedp.Run(b, chromedp.Evaluate(`(async () => {
		const res = await fetch(location.pathname, {method: "POST", body: new URLSearchParams({to: "+64215550123", body: "Hello?", consent: "1"})});
		return [res.status, (await res.text()).includes("replied STOP on")];
	})()`, &forged, awaited))
	if err != nil || fmt.Sprint(forged) != "[422 true]" {
		t.Errorf("a forged text to the number that replied STOP: %v (%v)", forged, err)
	}
	var texts int
	if tdb.Owner.QueryRow(ctx, `select count(*) from sms_outbox`).Scan(&texts); texts != 1 {
		t.Errorf("%d texts queued, want the one before STOP", texts)
	}
}
