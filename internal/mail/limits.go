package mail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Limits are how many recipients a company may email in an hour and in a day.
type Limits struct{ Hourly, Daily int }

// The limits of a company whose operator set none: stricter in its first days, when a sign-up made to send spam
// would do its sending.
var (
	DefaultLimits    = Limits{Hourly: 200, Daily: 1000}
	NewCompanyLimits = Limits{Hourly: 30, Daily: 100}
)

// NewCompanyFor is how long a company counts as new.
const NewCompanyFor = 7 * 24 * time.Hour

// Sender is what the sending rules know of a company when it enqueues.
type Sender struct {
	Created   time.Time
	Verified  bool   // its admin verified the sign-up's email
	Suspended string // why the operator suspended it; "" when not
	Limits    Limits // its own limits (the operator's), or the zero value for the defaults
	// Recipients emailed in the last hour and day, this transaction's included.
	LastHour, LastDay int
	// Admins are its active admins' addresses: all an unverified company may email.
	Admins []string
}

// limits are s's limits at now.
func (s Sender) limits(now time.Time) Limits {
	switch {
	case s.Limits != (Limits{}):
		return s.Limits
	case now.Sub(s.Created) < NewCompanyFor:
		return NewCompanyLimits
	}
	return DefaultLimits
}

// Allow says whether s may email to at now, in words when not: a suspended company sends nothing; an unverified
// one only to its admins; any other within its limits (a limit is wrapped in apperr.ErrTooManyRequests). The
// recipients of this email are already in LastHour and LastDay.
func (s Sender) Allow(to []string, now time.Time) error {
	if s.Suspended != "" {
		return &apperr.ValidationError{Form: "Email from this company is suspended (" + s.Suspended +
			"). Contact fieldops support to have it restored."}
	}
	if !s.Verified {
		for _, addr := range to {
			if !slices.ContainsFunc(s.Admins, func(a string) bool { return strings.EqualFold(a, addr) }) {
				return &apperr.ValidationError{Form: "Verify your email address first: until you do, fieldops sends " +
					"email only to this company's admins. Open the link we emailed you, or use Resend verification at the top of the page."}
			}
		}
	}
	l := s.limits(now)
	switch {
	case s.LastHour > l.Hourly:
		return fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: fmt.Sprintf(
			"This company has emailed %d people in the last hour, its limit. Try again later, or ask fieldops support for a higher limit.", l.Hourly)})
	case s.LastDay > l.Daily:
		return fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: fmt.Sprintf(
			"This company has emailed %d people today, its limit. Try again tomorrow, or ask fieldops support for a higher limit.", l.Daily)})
	}
	return nil
}

// checkSending applies the sending rules to an email of companyID to to, inside the enqueuing transaction, so
// a refused email leaves nothing of the change that asked for it.
func checkSending(ctx context.Context, tx pgx.Tx, companyID int64, to []string) error {
	s := Sender{}
	var hourly, daily *int
	err := tx.QueryRow(ctx, `
		select c.created_at, c.verified_at is not null,
		       case when c.suspended_at is null then '' else coalesce(nullif(c.suspended_reason, ''), 'no reason was given') end,
		       c.email_hourly_limit, c.email_daily_limit,
		       coalesce((select sum(cardinality(o.recipients)) from outbox_emails o
		                  where o.company_id = c.id and o.created_at > now() - interval '1 hour'), 0)::int,
		       coalesce((select sum(cardinality(o.recipients)) from outbox_emails o
		                  where o.company_id = c.id and o.created_at > now() - interval '1 day'), 0)::int,
		       coalesce((select array_agg(a.email::text) from memberships m join accounts a on a.id = m.account_id
		                  where m.company_id = c.id and m.role = 'admin' and m.active), '{}')
		  from companies c where c.id = $1`, companyID).Scan(&s.Created, &s.Verified, &s.Suspended, &hourly, &daily,
		&s.LastHour, &s.LastDay, &s.Admins)
	if err != nil {
		return fmt.Errorf("mail: sending rules: %w", err)
	}
	if hourly != nil || daily != nil {
		s.Limits = DefaultLimits
		if hourly != nil {
			s.Limits.Hourly = *hourly
		}
		if daily != nil {
			s.Limits.Daily = *daily
		}
	}
	s.LastHour += len(to)
	s.LastDay += len(to)
	return s.Allow(to, time.Now())
}
