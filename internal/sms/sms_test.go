package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/jobs"
)

func TestMobile(t *testing.T) {
	for raw, want := range map[string]string{"021 555 0123": "+64215550123", "+64 21 555 0123": "+64215550123",
		"09 555 0456": "09 555 0456 is not a mobile number", "12": "12 is not a phone number"} {
		got, err := Mobile(raw, "NZ")
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("Mobile(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	for raw, want := range map[string]string{"+64215550123": "+64215550123", "64215550123": "+64215550123", "+6495550456": "+6495550456", "12": ""} {
		if got, _ := Number(raw); got != want {
			t.Errorf("Number(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestVerifyAndStop(t *testing.T) {
	body := []byte(`{"from":"+64215550123","body":"STOP"}`)
	sig := Sign("s3cret", body)
	if !Verify("s3cret", body, sig) || Verify("other", body, sig) || Verify("", body, Sign("", body)) || Verify("s3cret", body, "zz") ||
		Verify("s3cret", append(body, ' '), sig) {
		t.Error("Verify accepts what it should not, or refuses the signed body")
	}
	for body, want := range map[string]bool{"STOP": true, " stop. ": true, "Unsubscribe": true, "stop please": false, "Yes": false} {
		if IsStop(body) != want {
			t.Errorf("IsStop(%q) = %v", body, !want)
		}
	}
}

// Sending a job's text: refusals in words with nothing queued (too long, no recipient, consent not confirmed, a
// number that replied STOP), a forged number not found; consent recorded once per number; the worker delivers
// through the provider, retries what failed for now, fails what the provider refuses, and blocks a number that
// replied STOP after the text was queued.
func TestSendAndDeliver(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var client, billing, job int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, phone) values ($1, 'Harbour View', '021 555 0123') returning id`, co).Scan(&client)
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, phone) values ($1, 'Harbour Body Corp', '09 555 0456') returning id`, co).Scan(&billing)
	tdb.Owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, title) values ($1, 1, $2, $3, 'Leaking tap') returning id`, co, client, billing).Scan(&job)
	send := func(txt Text) (n int, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			n, err = Send(ctx, tx, co, jobs.Everything, jobs.Actor{Name: "Ann"}, job, "NZ", txt)
			return err
		})
		return n, err
	}
	var rs []Recipient
	tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) { rs, err = Recipients(ctx, tx, co, job, "NZ"); return err })
	if len(rs) != 2 || rs[0].Name != "Harbour Body Corp" || !strings.Contains(rs[0].Problem, "not a mobile") || rs[1].Phone != "+64215550123" {
		t.Fatalf("recipients: %+v", rs)
	}
	fran := "+64215550123"
	for name, c := range map[string]struct {
		text  Text
		field string
	}{
		"161 characters": {Text{To: []string{fran}, Body: strings.Repeat("x", 161), Consent: true}, "body"},
		"no recipient":   {Text{Body: "Hi", Consent: true}, "to"},
		"no consent":     {Text{To: []string{fran}, Body: "Hi"}, "consent"},
	} {
		if _, err := send(c.text); apperr.AsValidation(err).Field(c.field) == "" {
			t.Errorf("%s: %v, want a refusal on %s", name, err, c.field)
		}
	}
	if _, err := send(Text{To: []string{"+64215550999"}, Body: "Hi", Consent: true}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a number the job does not offer: %v", err)
	}
	var queued int
	if tdb.Owner.QueryRow(ctx, `select count(*) from sms_outbox`).Scan(&queued); queued != 0 {
		t.Fatalf("%d texts queued by refusals", queued)
	}
	if n, err := send(Text{To: []string{fran}, Body: strings.Repeat("y", 160), Consent: true}); err != nil || n != 1 {
		t.Fatalf("160 characters: %d, %v", n, err)
	}
	if _, err := send(Text{To: []string{fran}, Body: "Running 10 minutes late"}); err != nil {
		t.Errorf("a second text, consent recorded: %v", err)
	}

	// The provider: an HTTP one that fails once, then takes it.
	calls := 0
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		if r.URL.Path == "/reject" {
			w.WriteHeader(400)
			return
		}
		if calls == 1 {
			w.WriteHeader(503)
			return
		}
		fmt.Fprintf(w, `{"id":"msg-%d"}`, calls)
	}))
	defer provider.Close()
	w := &Worker{DB: tdb.DB, Provider: HTTP{URL: provider.URL, Token: "tok"}, Log: slog.New(slog.DiscardHandler), Backoff: -1}
	if _, err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	status := func() (s string) {
		tdb.Owner.QueryRow(ctx, `select string_agg(status || ':' || coalesce(provider_id, '-'), ' ' order by id) from sms_outbox`).Scan(&s)
		return s
	}
	if got := status(); !strings.Contains(got, "pending:-") {
		t.Errorf("after a 503: %s, want one back to pending", got)
	}
	w.Once(ctx)
	if got := status(); strings.Count(got, "sent:msg-") != 2 {
		t.Errorf("after the retry: %s, want both sent", got)
	}
	// STOP after queueing: blocked; and refused in words from then on.
	send(Text{To: []string{fran}, Body: "See you at 9"})
	OptOut(ctx, tdb.DB, fran)
	w.Once(ctx)
	if got := status(); !strings.HasSuffix(got, "blocked:-") {
		t.Errorf("a text to a number that replied STOP: %s", got)
	}
	if _, err := send(Text{To: []string{fran}, Body: "Hello?"}); !strings.Contains(apperr.AsValidation(err).Field("to"), "replied STOP on") {
		t.Errorf("texting a number that replied STOP: %v", err)
	}
	// Wrong credentials are the app's problem, tried again; a refusal of the text itself fails it at once.
	tdb.Owner.Exec(ctx, `delete from sms_optouts`)
	send(Text{To: []string{fran}, Body: "Last one"})
	badToken := &Worker{DB: tdb.DB, Provider: HTTP{URL: provider.URL, Token: "wrong"}, Log: slog.New(slog.DiscardHandler)}
	badToken.Once(ctx)
	if got := status(); !strings.HasSuffix(got, "pending:-") {
		t.Errorf("a text sent with a wrong token: %s, want pending", got)
	}
	tdb.Owner.Exec(ctx, `update sms_outbox set next_attempt_at = now() where status = 'pending'`)
	refusing := &Worker{DB: tdb.DB, Provider: HTTP{URL: provider.URL + "/reject", Token: "tok"}, Log: slog.New(slog.DiscardHandler)}
	refusing.Once(ctx)
	if got := status(); !strings.HasSuffix(got, "failed:-") {
		t.Errorf("a text the provider refused: %s", got)
	}
}
