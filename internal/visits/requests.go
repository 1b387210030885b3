package visits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
	"fieldops/internal/input"
	"fieldops/internal/jobs"
)

// RequestForm is what a client user's Request a visit form sends: a day and, if they name one, a time window on
// it — both in the company's time zone, as date and time inputs send them ("2026-12-01", "09:00", "12:00") — and
// whom they would like to come (0: they leave it to the office).
type RequestForm struct {
	Date       string
	From       string
	To         string
	AssigneeID int64
}

// Empty reports whether the form asks for nothing: no day and no one (the portal's New job sends it so when the
// client leaves the visit to the office).
func (f RequestForm) Empty() bool {
	return strings.TrimSpace(f.Date+f.From+f.To) == "" && f.AssigneeID == 0
}

// window reads the requested window in loc: the day from From (its first moment when empty) to To (the next day's
// first moment when empty). A request names a day: without one, or when the window ends before it starts or is over
// by now, it is refused in words.
func (f RequestForm) window(loc *time.Location, now time.Time) (start, end time.Time, err error) {
	v := &apperr.ValidationError{}
	date, from, to := strings.TrimSpace(f.Date), strings.TrimSpace(f.From), strings.TrimSpace(f.To)
	if date == "" {
		v.Add("date", "Pick the day someone should come.")
		return start, end, v.Err()
	}
	day, ok := input.ParseDate(date)
	if !ok {
		v.Add("date", "Pick a date from the calendar.")
		return start, end, v.Err()
	}
	at := func(field, clock string, dflt time.Time) time.Time {
		if clock == "" {
			return dflt
		}
		t, err := time.Parse("15:04", clock)
		if err != nil {
			v.Add(field, "Enter a time, like 09:30.")
			return dflt
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc)
	}
	start = at("from", from, jobs.StartOfDay(day.Year(), day.Month(), day.Day(), loc))
	end = at("to", to, jobs.StartOfDay(day.Year(), day.Month(), day.Day()+1, loc))
	switch {
	case v.Field("from") != "" || v.Field("to") != "":
	case !end.After(start):
		v.Add("to", "The window must end after it starts.")
	case !end.After(now):
		v.Add("date", "That time has passed: pick a day and time still to come.")
	}
	return start.UTC(), end.UTC(), v.Err()
}

// Request asks, for a client user (Job Share Plus with Add and edit jobs), for a visit on one of their client's
// jobs on a day, within a window if they name one: unscheduled until the office schedules it, with the staff member
// they would like if they named one — only someone the company lets clients pick (Settings). It records them as the
// requester and writes History. ErrForbidden for anyone else, without the permission, or for a staff member not on
// offer (a forged request); ErrNotFound for a job that is not their client's.
func Request(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, perms identity.Permissions, by jobs.Actor, jobID int64, f RequestForm, loc *time.Location, now time.Time) (int64, error) {
	start, end, who, err := checkRequest(ctx, tx, companyID, scope, perms, jobID, f, loc, now)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into visits (company_id, job_id, assignee_id, requested_by, requested_start, requested_end)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		companyID, jobID, db.NullID(f.AssigneeID), db.NullID(by.MembershipID), start, end).Scan(&id); err != nil {
		return 0, fmt.Errorf("visits: request: %w", err)
	}
	return id, jobs.Record(ctx, tx, companyID, jobID, by, "Visit requested: "+who+", "+Window(&start, &end, loc, historyDay))
}

// ChangeRequest changes what a client user asked for on a visit requested in the portal — the window and, where the
// company lets clients pick, whom they would like — while the office has not scheduled it; once it has, a 409 in
// words (the office changes it). A visit the office made is not theirs to change: ErrForbidden. The same checks as
// Request; ErrNotFound for a visit that is not the job's.
func ChangeRequest(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, perms identity.Permissions, by jobs.Actor, jobID, visitID int64, f RequestForm, loc *time.Location, now time.Time) error {
	start, end, who, err := checkRequest(ctx, tx, companyID, scope, perms, jobID, f, loc, now)
	if err != nil {
		return err
	}
	var requested, scheduled, picks bool
	err = tx.QueryRow(ctx, `
		select v.requested_by is not null, v.starts_at is not null, c.portal_staff_pick <> 'nobody'
		  from visits v join companies c on c.id = v.company_id
		 where v.company_id = $1 and v.job_id = $2 and v.id = $3 for update of v`,
		companyID, jobID, visitID).Scan(&requested, &scheduled, &picks)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return apperr.ErrNotFound
	case err != nil:
		return fmt.Errorf("visits: change request: %w", err)
	case !requested:
		return apperr.ErrForbidden // the office's visit: the portal offers no change of it
	case scheduled:
		return apperr.Conflict("The office has already scheduled this visit: ask them if it should change.")
	}
	// Where clients pick no one, the form offers no choice: whoever the office set stays.
	if _, err := tx.Exec(ctx, `
		update visits set assignee_id = case when $8 then $4 else assignee_id end, requested_by = $5, requested_start = $6, requested_end = $7
		 where company_id = $1 and job_id = $2 and id = $3`,
		companyID, jobID, visitID, db.NullID(f.AssigneeID), db.NullID(by.MembershipID), start, end, picks); err != nil {
		return fmt.Errorf("visits: change request: %w", err)
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Visit request changed: "+who+", "+Window(&start, &end, loc, historyDay))
}

// checkRequest is what Request and ChangeRequest check, in this order: the permission, the form, the job in the
// client's scope, and the staff member on offer. It returns the window and the staff member's name ("left to the
// office" for none).
func checkRequest(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, perms identity.Permissions, jobID int64, f RequestForm, loc *time.Location, now time.Time) (start, end time.Time, who string, err error) {
	if scope.Client == 0 || !perms.AddEdit {
		return start, end, "", apperr.ErrForbidden
	}
	if start, end, err = f.window(loc, now); err != nil {
		return start, end, "", err
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return start, end, "", err
	}
	if f.AssigneeID == 0 {
		return start, end, "left to the office", nil
	}
	err = tx.QueryRow(ctx, `
		select a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $3 and `+pickableSQL,
		companyID, scope.Client, f.AssigneeID).Scan(&who)
	if errors.Is(err, pgx.ErrNoRows) {
		return start, end, "", apperr.ErrForbidden // the form offers only these: anyone else is forged
	}
	if err != nil {
		return start, end, "", fmt.Errorf("visits: request: %w", err)
	}
	return start, end, who, nil
}

// Window is a requested window in loc, its day written in the layout day: with "Mon 2 Jan 2006", "Tue 1 Dec 2026,
// 09:00–12:00", "…, from 13:00" or "…, until 12:00" (from or to the edge of the day), "…, any time" (the whole day),
// and "no time given" without one.
func Window(start, end *time.Time, loc *time.Location, day string) string {
	if start == nil || end == nil {
		return "no time given"
	}
	s, e := start.In(loc), end.In(loc)
	fromStart, toEnd := wholeDay(s, e, loc)
	switch {
	case fromStart && toEnd:
		return s.Format(day) + ", any time"
	case toEnd:
		return s.Format(day) + ", from " + s.Format("15:04")
	case fromStart:
		return s.Format(day) + ", until " + e.Format("15:04")
	}
	return s.Format(day+", 15:04") + "–" + e.Format("15:04")
}

// wholeDay says whether a window from s to e starts at the first moment of s's day in loc and ends at the next
// day's.
func wholeDay(s, e time.Time, loc *time.Location) (fromStart, toEnd bool) {
	y, m, d := s.In(loc).Date()
	return s.Equal(jobs.StartOfDay(y, m, d, loc)), e.Equal(jobs.StartOfDay(y, m, d+1, loc))
}

// RequestFormOf is the change form of a requested visit v in loc, filled with what the client asked for.
func RequestFormOf(v Visit, loc *time.Location) RequestForm {
	var f RequestForm
	if v.AssigneeID != nil {
		f.AssigneeID = *v.AssigneeID
	}
	if v.RequestedStart == nil || v.RequestedEnd == nil {
		return f
	}
	s, e := v.RequestedStart.In(loc), v.RequestedEnd.In(loc)
	fromStart, toEnd := wholeDay(s, e, loc)
	f.Date = s.Format("2006-01-02")
	if !fromStart {
		f.From = s.Format("15:04")
	}
	if !toEnd {
		f.To = e.Format("15:04")
	}
	return f
}

// historyDay is how History writes a day.
const historyDay = "Mon 2 Jan 2006"
