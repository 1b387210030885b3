package visits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/jobs"
)

// Form is what the Add visit form sends. Start and End are local times in the company's time zone, as a
// datetime-local input sends them ("2026-11-25T09:30"); both empty make an unscheduled visit.
type Form struct {
	AssigneeID int64
	Start      string
	End        string
	Notes      string
}

// LocalTimeLayout is the datetime-local format.
const LocalTimeLayout = "2006-01-02T15:04"

// times parses the form's times in loc; nil, nil for an unscheduled visit.
func (f Form) times(loc *time.Location, v *apperr.ValidationError) (start, end *time.Time) {
	f.Start, f.End = strings.TrimSpace(f.Start), strings.TrimSpace(f.End)
	if f.Start == "" && f.End == "" {
		return nil, nil
	}
	parse := func(field, s, missing string) *time.Time {
		if s == "" {
			v.Add(field, missing)
			return nil
		}
		t, err := time.ParseInLocation(LocalTimeLayout, s, loc)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			v.Add(field, "Enter a date and time, like 2026-11-25 09:30.")
			return nil
		}
		t = t.UTC()
		return &t
	}
	start = parse("start", f.Start, "Enter when the visit starts, or leave both times empty for an unscheduled visit.")
	end = parse("end", f.End, "Enter when the visit ends, or leave both times empty for an unscheduled visit.")
	switch {
	case start == nil || end == nil:
	case !end.After(*start):
		v.Add("end", "The visit must end after it starts.")
	case end.Sub(*start) > MaxLength:
		v.Add("end", "A visit lasts at most 24 hours: add a visit for each day of longer work.")
	}
	return start, end
}

// MaxLength is the longest visit: longer work is a visit a day, as a calendar and the Today timeline show it.
const MaxLength = 24 * time.Hour

// Add adds a visit to the job, as the office plans it, and a History line. Times are read in loc (the company's
// time zone) and stored in UTC; the assignee, when given, must be active staff of the company. A client user asks
// for a visit with Request instead: ErrForbidden here.
func Add(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, f Form, loc *time.Location) (int64, error) {
	if scope.Client != 0 {
		return 0, apperr.ErrForbidden
	}
	start, end, err := f.check(loc)
	if err != nil {
		return 0, err
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	who, err := assignee(ctx, tx, companyID, f.AssigneeID)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into visits (company_id, job_id, assignee_id, starts_at, ends_at, notes) values ($1, $2, $3, $4, $5, $6) returning id`,
		companyID, jobID, db.NullID(f.AssigneeID), start, end, f.Notes).Scan(&id); err != nil {
		return 0, fmt.Errorf("visits: add: %w", err)
	}
	return id, jobs.Record(ctx, tx, companyID, jobID, by, "Visit added: "+who+", "+when(start, end, loc))
}

// Edit changes a visit of the job, as the office does: who goes, when, and the notes. A client's request keeps
// what they asked for (the window, who asked) beside what the office decides. ErrNotFound when the visit is not
// the job's; ErrForbidden for a client user (they change their request with ChangeRequest).
func Edit(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID, visitID int64, f Form, loc *time.Location) error {
	if scope.Client != 0 {
		return apperr.ErrForbidden
	}
	start, end, err := f.check(loc)
	if err != nil {
		return err
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	who, err := assignee(ctx, tx, companyID, f.AssigneeID)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		update visits set assignee_id = $4, starts_at = $5, ends_at = $6, notes = $7
		 where company_id = $1 and job_id = $2 and id = $3`,
		companyID, jobID, visitID, db.NullID(f.AssigneeID), start, end, f.Notes)
	if err != nil {
		return fmt.Errorf("visits: edit: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Visit changed: "+who+", "+when(start, end, loc))
}

// check validates the office's form: its times (nil, nil for an unscheduled visit) and notes.
func (f *Form) check(loc *time.Location) (start, end *time.Time, err error) {
	v := &apperr.ValidationError{}
	start, end = f.times(loc, v)
	f.Notes = strings.TrimSpace(f.Notes)
	if utf8.RuneCountInString(f.Notes) > MaxNotes {
		v.Add("notes", fmt.Sprintf("Use at most %d characters.", MaxNotes))
	}
	return start, end, v.Err()
}

// MaxNotes bounds a visit's notes.
const MaxNotes = 2000

// assignee is the name of the staff member a visit goes to — "Unassigned" for none — after checking that they are
// active staff of the company who go on visits (a ValidationError otherwise).
func assignee(ctx context.Context, tx pgx.Tx, companyID, membershipID int64) (string, error) {
	if membershipID == 0 {
		return "Unassigned", nil
	}
	var name string
	err := tx.QueryRow(ctx, `
		select a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $2 and m.active and m.role in ('admin', 'co-worker', 'subcontractor')`,
		companyID, membershipID).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.FieldError("assignee_id", "Choose someone from the list.")
	}
	if err != nil {
		return "", fmt.Errorf("visits: assignee: %w", err)
	}
	return name, nil
}

// when is a visit's time for History, in loc: "Wed 25 Nov 2026, 09:00–11:00", or "unscheduled".
func when(start, end *time.Time, loc *time.Location) string {
	if start == nil {
		return "unscheduled"
	}
	return start.In(loc).Format(historyDay+", 15:04") + "–" + end.In(loc).Format("15:04")
}

// Remove deletes a visit of the job, with a History line. ErrNotFound when it is not the job's; the office's alone.
func Remove(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID, visitID int64) error {
	if scope.Client != 0 {
		return apperr.ErrForbidden
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `delete from visits where company_id = $1 and job_id = $2 and id = $3`, companyID, jobID, visitID)
	if err != nil {
		return fmt.Errorf("visits: remove: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Visit removed")
}

// FormOf is the office's edit form of visit v in loc, filled with what it holds now; a client's request not yet
// scheduled offers the window they asked for as its times when it is one a visit can have (not the whole day).
func FormOf(v Visit, loc *time.Location) Form {
	f := Form{Notes: v.Notes}
	if v.AssigneeID != nil {
		f.AssigneeID = *v.AssigneeID
	}
	start, end := v.StartsAt, v.EndsAt
	if start == nil && v.Requested() {
		if fromStart, toEnd := wholeDay(*v.RequestedStart, *v.RequestedEnd, loc); !(fromStart && toEnd) && v.RequestedEnd.Sub(*v.RequestedStart) <= MaxLength {
			start, end = v.RequestedStart, v.RequestedEnd
		}
	}
	if start != nil && end != nil {
		f.Start, f.End = start.In(loc).Format(LocalTimeLayout), end.In(loc).Format(LocalTimeLayout)
	}
	return f
}
