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

// Add adds a visit to the job and a History line. Times are read in loc (the company's time zone) and
// stored in UTC. The assignee, when given, must be active staff of the company; for a client user (a client's
// scope) one the company lets clients pick — anyone else is refused (ErrForbidden, a forged request) — and the
// visit records them as its requester.
func Add(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, f Form, loc *time.Location) (int64, error) {
	v := &apperr.ValidationError{}
	start, end := f.times(loc, v)
	f.Notes = strings.TrimSpace(f.Notes)
	if utf8.RuneCountInString(f.Notes) > 2000 {
		v.Add("notes", "Use at most 2000 characters.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	who := "Unassigned"
	var requestedBy *int64
	if scope.Client != 0 {
		requestedBy = db.NullID(by.MembershipID)
	}
	if scope.Client != 0 && f.AssigneeID != 0 {
		var ok bool
		if err := tx.QueryRow(ctx, `select exists (select from memberships m where m.company_id = $1 and m.id = $3 and `+pickableSQL+`)`,
			companyID, scope.Client, f.AssigneeID).Scan(&ok); err != nil {
			return 0, fmt.Errorf("visits: add: %w", err)
		}
		if !ok {
			return 0, apperr.ErrForbidden
		}
	}
	if f.AssigneeID != 0 {
		err := tx.QueryRow(ctx, `
			select a.name from memberships m join accounts a on a.id = m.account_id
			 where m.company_id = $1 and m.id = $2 and m.active and m.role in ('admin', 'co-worker', 'subcontractor')`,
			companyID, f.AssigneeID).Scan(&who)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, &apperr.ValidationError{Fields: map[string]string{"assignee_id": "Choose someone from the list."}}
		}
		if err != nil {
			return 0, fmt.Errorf("visits: add: %w", err)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into visits (company_id, job_id, assignee_id, starts_at, ends_at, notes, requested_by) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
		companyID, jobID, db.NullID(f.AssigneeID), start, end, f.Notes, requestedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("visits: add: %w", err)
	}
	when := "unscheduled"
	if start != nil {
		when = start.In(loc).Format("Mon 2 Jan 2006 15:04") + "–" + end.In(loc).Format("15:04")
	}
	return id, jobs.Record(ctx, tx, companyID, jobID, by, "Visit added: "+who+", "+when)
}

// Remove deletes a visit of the job, with a History line. ErrNotFound when it is not the job's.
func Remove(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID, visitID int64) error {
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
