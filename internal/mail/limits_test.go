package mail

import (
	"errors"
	"testing"
	"time"

	"fieldops/internal/apperr"
)

func TestSender_Allow(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	old, young := now.Add(-30*24*time.Hour), now.Add(-24*time.Hour)
	cases := []struct {
		name string
		s    Sender
		kind Kind
		want string // "" allowed, "limit" a rate limit, "refused" a refusal in words
	}{
		{"established, within limits", Sender{Created: old, Verified: true, LastHour: 200, LastDay: 1000}, KindInvite, ""},
		{"established, over the hour", Sender{Created: old, Verified: true, LastHour: 201, LastDay: 201}, KindInvite, "limit"},
		{"established, over the day", Sender{Created: old, Verified: true, LastHour: 1, LastDay: 1001}, KindInvite, "limit"},
		{"new company, stricter", Sender{Created: young, Verified: true, LastHour: 31, LastDay: 31}, KindInvite, "limit"},
		{"new company within its limit", Sender{Created: young, Verified: true, LastHour: 30, LastDay: 30}, KindInvite, ""},
		{"the operator's higher limits", Sender{Created: young, Verified: true, Limits: Limits{Hourly: 5000, Daily: 50000}, LastHour: 4000, LastDay: 4000}, KindInvite, ""},
		{"the operator's zero limit", Sender{Created: old, Verified: true, Limits: Limits{Hourly: 0, Daily: 1}, LastHour: 1, LastDay: 1}, KindInvite, "limit"},
		{"unverified, its verification", Sender{Created: young}, KindVerify, ""},
		{"unverified, anything else", Sender{Created: young, LastHour: 1, LastDay: 1}, KindTest, "refused"},
		{"a password reset over the company's limit", Sender{Created: old, Verified: true, LastHour: 999, LastDay: 9999}, KindReset, ""},
		{"suspended", Sender{Created: old, Verified: true, Suspended: "spam complaints"}, KindInvite, "refused"},
		{"suspended, even a reset", Sender{Created: old, Verified: true, Suspended: "spam"}, KindReset, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.Allow(c.kind, []string{"x@y.example"}, now)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want == "limit" && (!errors.Is(err, apperr.ErrTooManyRequests) || apperr.AsValidation(err).FormMessage() == ""):
				t.Errorf("= %v, want a rate limit in words", err)
			case c.want == "refused" && (errors.Is(err, apperr.ErrTooManyRequests) || apperr.AsValidation(err).FormMessage() == ""):
				t.Errorf("= %v, want a refusal in words", err)
			}
		})
	}
}
