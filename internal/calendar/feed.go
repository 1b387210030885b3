package calendar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/token"
)

// ResetFeed makes the person a new private feed link, replacing any they had (which then answers 404), and returns
// its token: shown once, only its hash kept.
func ResetFeed(ctx context.Context, tx pgx.Tx, companyID, membershipID int64) (token.Token, error) {
	tok := token.New()
	if _, err := tx.Exec(ctx, `
		insert into calendar_feeds (company_id, membership_id, token_hash) values ($1, $2, $3)
		on conflict (company_id, membership_id) do update set token_hash = excluded.token_hash, created_at = now()`,
		companyID, membershipID, tok.Hash); err != nil {
		return tok, fmt.Errorf("calendar: reset feed: %w", err)
	}
	return tok, nil
}

// QueueHasFeed adds whether the person has a feed link (and since when).
func QueueHasFeed(b *pgx.Batch, companyID, membershipID int64, since **time.Time) {
	b.Queue(`select created_at from calendar_feeds where company_id = $1 and membership_id = $2`, companyID, membershipID).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var t time.Time
				if err := rows.Scan(&t); err != nil {
					return err
				}
				*since = &t
			}
			return rows.Err()
		})
}

// OpenFeed looks up a feed link — before any company is known, through a definer function. An unknown, malformed or
// replaced link, or one of a person no longer active, is ErrNotFound; every string costs the same hash and lookup.
func OpenFeed(ctx context.Context, pool *pgxpool.Pool, raw string) (identity.Viewer, error) {
	if len(raw) > 100 {
		raw = raw[:100]
	}
	var v identity.Viewer
	err := pool.QueryRow(ctx, `select company_id, membership_id, role, client_id, time_zone, company_name from calendar_feed_open($1)`,
		token.Hash(raw)).Scan(&v.CompanyID, &v.MembershipID, &v.Role, &v.ClientID, &v.TimeZone, &v.CompanyName)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, apperr.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("calendar: open feed: %w", err)
	}
	return v, nil
}

// Feed is what a person's feed holds: their visits and the reminders on their calendar, from a month back to a year
// ahead.
type Feed struct {
	Visits    []jobs.TodayVisit
	Reminders []Reminder
}

// FeedSpan is the time a feed covers around now.
func FeedSpan(now time.Time) jobs.Day {
	return jobs.Day{Start: now.AddDate(0, -1, 0), End: now.AddDate(1, 0, 0)}
}

// QueueFeed adds what v's feed holds over span: the visits assigned to them within their scope of jobs, and the
// reminders on their own calendar or with them among the people.
func QueueFeed(b *pgx.Batch, v *identity.Viewer, span jobs.Day, f *Feed) {
	own := []Calendar{{Kind: "person", ID: v.MembershipID}}
	QueueVisitsOn(b, v, own, span, &f.Visits)
	QueueBetween(b, v.CompanyID, ScopeFor(v), own, span.Start, span.End, &f.Reminders)
}

// ICS writes the feed as an iCalendar (RFC 5545) document: an event per visit and reminder, with stable UIDs so a
// calendar app updates rather than duplicates them; baseURL makes their links.
func (f Feed) ICS(companyName, baseURL, domain string, loc *time.Location, now time.Time) string {
	cal := ics.NewCalendarFor("fieldops")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(companyName + " · fieldops")
	cal.SetRefreshInterval("PT15M")
	for _, v := range f.Visits {
		if v.StartsAt == nil || v.EndsAt == nil {
			continue
		}
		e := cal.AddEvent("visit-" + strconv.FormatInt(v.ID, 10) + "@" + domain)
		e.SetDtStampTime(now)
		e.SetStartAt(*v.StartsAt)
		e.SetEndAt(*v.EndsAt)
		e.SetSummary(oneLine(v.Ref() + " " + v.JobTitle))
		e.SetDescription(oneLine(v.ClientName + " · " + v.JobStatus.Label()))
		e.SetURL(baseURL + "/jobs/" + strconv.FormatInt(v.JobID, 10))
	}
	for _, r := range f.Reminders {
		e := cal.AddEvent("reminder-" + strconv.FormatInt(r.ID, 10) + "@" + domain)
		e.SetDtStampTime(now)
		if r.AllDay {
			e.SetAllDayStartAt(r.StartsAt.In(loc))
			e.SetAllDayEndAt(r.EndsAt.In(loc))
		} else {
			e.SetStartAt(r.StartsAt)
			e.SetEndAt(r.EndsAt)
		}
		e.SetSummary(oneLine(r.Kind.Label() + ": " + r.Title))
		if r.Notes != "" {
			e.SetDescription(strings.ReplaceAll(r.Notes, "\r", "")) // the library escapes line feeds, not carriage returns
		}
		e.SetURL(baseURL + "/calendar/reminders/" + strconv.FormatInt(r.ID, 10))
	}
	return cal.Serialize(ics.WithNewLineWindows) // RFC 5545 lines end in CRLF
}
