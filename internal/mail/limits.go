package mail

import (
	"context"
	"fmt"
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
	// Recipients emailed in the last hour and day, this transaction's included (account emails aside).
	LastHour, LastDay int
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

// Allow says whether s may send an email of kind to at now, in words when not: a suspended company sends
// nothing; a person's own account emails (verification, password reset) go to that person whatever the company's
// state and limits — they have limits of their own, per address; an unverified company sends nothing else (its
// admin's address is itself unproven, so even "only to its admins" would let a sign-up spam whoever it typed);
// any other email goes within the company's limits (wrapped in apperr.ErrTooManyRequests). The recipients of this
// email are already in LastHour and LastDay.
func (s Sender) Allow(kind Kind, to []string, now time.Time) error {
	if s.Suspended != "" {
		return &apperr.ValidationError{Form: "Email from this company is suspended (" + s.Suspended +
			"). Contact fieldops support to have it restored."}
	}
	if kind == KindVerify || kind == KindReset {
		return nil
	}
	if !s.Verified {
		return &apperr.ValidationError{Form: "Verify your email address first: until you do, fieldops sends no email " +
			"for this company. Open the link we emailed you, or use Resend verification at the top of the page."}
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

// checkSending applies the sending rules to email e of companyID, inside the enqueuing transaction, so a refused
// email leaves nothing of the change that asked for it. The company's sends queue one behind another here (a
// transaction-scoped advisory lock), so concurrent requests cannot all count the same room under the limit.
func checkSending(ctx context.Context, tx pgx.Tx, companyID int64, e Email) error {
	if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtextextended('outbox-limits', $1))`, companyID); err != nil {
		return fmt.Errorf("mail: sending rules: %w", err)
	}
	s := Sender{}
	var hourly, daily *int
	err := tx.QueryRow(ctx, `
		select c.created_at, c.verified_at is not null,
		       case when c.suspended_at is null then '' else coalesce(nullif(c.suspended_reason, ''), 'no reason was given') end,
		       c.email_hourly_limit, c.email_daily_limit,
		       coalesce((select sum(cardinality(o.recipients)) from outbox_emails o
		                  where o.company_id = c.id and o.created_at > now() - interval '1 hour' and o.kind not in ('verify', 'reset')), 0)::int,
		       coalesce((select sum(cardinality(o.recipients)) from outbox_emails o
		                  where o.company_id = c.id and o.created_at > now() - interval '1 day' and o.kind not in ('verify', 'reset')), 0)::int
		  from companies c where c.id = $1`, companyID).Scan(&s.Created, &s.Verified, &s.Suspended, &hourly, &daily,
		&s.LastHour, &s.LastDay)
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
	if e.Kind != KindVerify && e.Kind != KindReset {
		s.LastHour += len(e.To)
		s.LastDay += len(e.To)
	}
	return s.Allow(e.Kind, e.To, time.Now())
}
