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
	admins := []string{"ann@acme.example"}
	cases := []struct {
		name string
		s    Sender
		to   []string
		want string // "" allowed, "limit" a rate limit, "refused" a refusal in words
	}{
		{"established, within limits", Sender{Created: old, Verified: true, LastHour: 200, LastDay: 1000}, []string{"x@y.example"}, ""},
		{"established, over the hour", Sender{Created: old, Verified: true, LastHour: 201, LastDay: 201}, []string{"x@y.example"}, "limit"},
		{"established, over the day", Sender{Created: old, Verified: true, LastHour: 1, LastDay: 1001}, []string{"x@y.example"}, "limit"},
		{"new company, stricter", Sender{Created: young, Verified: true, LastHour: 31, LastDay: 31}, []string{"x@y.example"}, "limit"},
		{"new company within its limit", Sender{Created: young, Verified: true, LastHour: 30, LastDay: 30}, []string{"x@y.example"}, ""},
		{"the operator's higher limits", Sender{Created: young, Verified: true, Limits: Limits{Hourly: 5000, Daily: 50000}, LastHour: 4000, LastDay: 4000}, []string{"x@y.example"}, ""},
		{"the operator's zero limit", Sender{Created: old, Verified: true, Limits: Limits{Hourly: 0, Daily: 1}, LastHour: 1, LastDay: 1}, []string{"x@y.example"}, "limit"},
		{"unverified, to its admin", Sender{Created: young, Admins: admins, LastHour: 1, LastDay: 1}, []string{"ANN@acme.example"}, ""},
		{"unverified, to anyone else", Sender{Created: young, Admins: admins, LastHour: 1, LastDay: 1}, []string{"ann@acme.example", "x@y.example"}, "refused"},
		{"suspended", Sender{Created: old, Verified: true, Suspended: "spam complaints"}, []string{"x@y.example"}, "refused"},
		{"suspended, even to its admin", Sender{Created: old, Suspended: "spam", Admins: admins}, admins, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.Allow(c.to, now)
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
