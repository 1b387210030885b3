// Package sms owns text messages: queued in the transaction that sends them (the SMS outbox), delivered by a worker
// through a Provider — the development one that keeps them for the SMS page, or an HTTP one — with consent recorded
// per company and number, and opt-outs (a STOP reply, through a signed webhook) that no company texts again.
package sms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// MaxLen is the most characters a text may hold: one message, as the seed says.
const MaxLen = 160

// Mobile reads a number as typed for region (the company's country, "" for numbers with their country code) and
// returns it in E.164 when it is a valid mobile number; an error in words otherwise.
func Mobile(raw, region string) (string, error) {
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%s is not a phone number", strings.TrimSpace(raw))
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	return "", fmt.Errorf("%s is not a mobile number", strings.TrimSpace(raw))
}

// Provider delivers one text and returns its id at the provider. A Permanent error fails the text at once; any
// other is tried again later.
type Provider interface {
	Send(ctx context.Context, to, body string) (string, error)
}

// Permanent marks a provider's refusal that trying again will not change (a number it rejects).
type Permanent struct{ Reason string }

func (p Permanent) Error() string { return p.Reason }

// Dev is the development provider: it delivers nothing and says so; the SMS page shows what was "sent".
type Dev struct{}

// Send accepts every text.
func (Dev) Send(_ context.Context, to, _ string) (string, error) { return "dev:" + to, nil }

// HTTP delivers through a provider's HTTP API: a POST of {"to": …, "body": …} as JSON to URL with the bearer Token;
// a 2xx answer's {"id": …} is the text's id there, a 4xx a permanent refusal, anything else a failure to retry.
type HTTP struct {
	URL    string
	Token  string
	Client *http.Client
}

// Send posts the text.
func (h HTTP) Send(ctx context.Context, to, body string) (string, error) {
	payload, _ := json.Marshal(map[string]string{"to": to, "body": body})
	req, err := http.NewRequestWithContext(ctx, "POST", h.URL, bytes.NewReader(payload))
	if err != nil {
		return "", Permanent{Reason: "SMS_URL is not a URL: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.Token)
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("the SMS provider could not be reached: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		var ok struct{ ID string }
		json.Unmarshal(answer, &ok)
		return ok.ID, nil
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		// The app's credentials, not the text: tried again once SMS_TOKEN is right.
		return "", fmt.Errorf("the SMS provider refused the credentials (%d): check SMS_TOKEN", res.StatusCode)
	case res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusRequestTimeout:
		return "", Permanent{Reason: fmt.Sprintf("the SMS provider refused it (%d): %.200s", res.StatusCode, answer)}
	}
	return "", fmt.Errorf("the SMS provider answered %d: %.200s", res.StatusCode, answer)
}

// Number reads a number with its country code — as a provider sends it, with or without the "+" — in E.164; false
// when it is not a valid number.
func Number(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "+") {
		raw = "+" + raw
	}
	n, err := phonenumbers.Parse(raw, "")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// Sign is the signature of an inbound webhook's body under secret: hex HMAC-SHA256, sent as X-Signature.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's under secret (in constant time); never with no secret.
func Verify(secret string, body []byte, signature string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if secret == "" || err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// IsStop reports whether an inbound reply asks for no more texts: STOP and the words carriers treat alike.
func IsStop(body string) bool {
	switch strings.ToUpper(strings.Trim(strings.TrimSpace(body), ".!")) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT":
		return true
	}
	return false
}
