package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Visit is one visit of a job: who (or "Unassigned") and when (or "Unscheduled").
type Visit struct {
	ID           int64
	AssigneeID   *int64
	AssigneeName string
	StartsAt     *time.Time
	EndsAt       *time.Time
	Notes        string
	// RequestedBy is the client user who asked for the visit in the portal, if one did.
	RequestedBy string
}

// QueueVisits adds the job's visits: scheduled ones by start, then the unscheduled.
func QueueVisits(b *pgx.Batch, companyID, jobID int64, visits *[]Visit) {
	queueVisits(b, companyID, jobID, "v.notes", visits)
}

// QueueClientVisits is QueueVisits for the client's eyes (dashboard, portal): the office's visit notes are not read.
func QueueClientVisits(b *pgx.Batch, companyID, jobID int64, visits *[]Visit) {
	queueVisits(b, companyID, jobID, "''", visits)
}

func queueVisits(b *pgx.Batch, companyID, jobID int64, notes string, visits *[]Visit) {
	b.Queue(`
		select v.id, v.assignee_id, coalesce(a.name, '') as assignee_name, v.starts_at, v.ends_at, `+notes+` as notes,
		       coalesce(ra.name, '') as requested_by
		  from visits v
		  left join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
		  left join accounts a on a.id = m.account_id
		  left join memberships rm on rm.company_id = v.company_id and rm.id = v.requested_by
		  left join accounts ra on ra.id = rm.account_id
		 where v.company_id = $1 and v.job_id = $2
		 order by v.starts_at nulls last, v.id`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*visits, err = pgx.CollectRows(rows, pgx.RowToStructByName[Visit])
		return err
	})
}

// StaffMember is someone a visit can be assigned to.
type StaffMember struct {
	MembershipID int64
	Name         string
}

// QueueAssignees adds the company's active staff who can be sent on visits, by name.
func QueueAssignees(b *pgx.Batch, companyID int64, staff *[]StaffMember) {
	b.Queue(`
		select m.id as membership_id, a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.active and m.role in ('admin', 'co-worker', 'subcontractor')
		 order by a.name, m.id`, companyID).Query(func(rows pgx.Rows) (err error) {
		*staff, err = pgx.CollectRows(rows, pgx.RowToStructByName[StaffMember])
		return err
	})
}

// pickableSQL is the condition on a memberships row m: someone a client user of client $2 may ask for on a visit,
// as the company allows (Settings: everyone, the co-workers assigned to that client, or nobody).
const pickableSQL = `m.active and m.role in ('admin', 'co-worker', 'subcontractor')
	   and exists (select from companies c where c.id = m.company_id
	                and (c.portal_staff_pick = 'everyone'
	                     or (c.portal_staff_pick = 'assigned' and exists (select from client_coworkers cc
	                          where cc.company_id = m.company_id and cc.client_id = $2 and cc.membership_id = m.id))))`

// QueuePickable adds the staff a client user of clientID may ask for on a visit, by name (none when the company
// lets clients pick nobody).
func QueuePickable(b *pgx.Batch, companyID, clientID int64, staff *[]StaffMember) {
	b.Queue(`
		select m.id as membership_id, a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and `+pickableSQL+`
		 order by a.name, m.id`, companyID, clientID).Query(func(rows pgx.Rows) (err error) {
		*staff, err = pgx.CollectRows(rows, pgx.RowToStructByName[StaffMember])
		return err
	})
}

// VisitForm is what the Add visit form sends. Start and End are local times in the company's time zone, as a
// datetime-local input sends them ("2026-11-25T09:30"); both empty make an unscheduled visit.
type VisitForm struct {
	AssigneeID int64
	Start      string
	End        string
	Notes      string
}

// LocalTimeLayout is the datetime-local format.
const LocalTimeLayout = "2006-01-02T15:04"

// times parses the form's times in loc; nil, nil for an unscheduled visit.
func (f VisitForm) times(loc *time.Location, v *apperr.ValidationError) (start, end *time.Time) {
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
	case end.Sub(*start) > MaxVisit:
		v.Add("end", "A visit lasts at most 24 hours: add a visit for each day of longer work.")
	}
	return start, end
}

// MaxVisit is the longest visit: longer work is a visit a day, as a calendar and the Today timeline show it.
const MaxVisit = 24 * time.Hour

// AddVisit adds a visit to the job and a History line. Times are read in loc (the company's time zone) and
// stored in UTC. The assignee, when given, must be active staff of the company; for a client user (a client's
// scope) one the company lets clients pick — anyone else is refused (ErrForbidden, a forged request) — and the
// visit records them as its requester.
func AddVisit(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID int64, f VisitForm, loc *time.Location) (int64, error) {
	v := &apperr.ValidationError{}
	start, end := f.times(loc, v)
	f.Notes = strings.TrimSpace(f.Notes)
	if utf8.RuneCountInString(f.Notes) > 2000 {
		v.Add("notes", "Use at most 2000 characters.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	who := "Unassigned"
	var requestedBy *int64
	if scope.Client != 0 {
		requestedBy = nullID(by.MembershipID)
	}
	if scope.Client != 0 && f.AssigneeID != 0 {
		var ok bool
		if err := tx.QueryRow(ctx, `select exists (select from memberships m where m.company_id = $1 and m.id = $3 and `+pickableSQL+`)`,
			companyID, scope.Client, f.AssigneeID).Scan(&ok); err != nil {
			return 0, fmt.Errorf("jobs: add visit: %w", err)
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
			return 0, fmt.Errorf("jobs: add visit: %w", err)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into visits (company_id, job_id, assignee_id, starts_at, ends_at, notes, requested_by) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
		companyID, jobID, nullID(f.AssigneeID), start, end, f.Notes, requestedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("jobs: add visit: %w", err)
	}
	when := "unscheduled"
	if start != nil {
		when = start.In(loc).Format("Mon 2 Jan 2006 15:04") + "–" + end.In(loc).Format("15:04")
	}
	return id, Record(ctx, tx, companyID, jobID, by, "Visit added: "+who+", "+when)
}

// RemoveVisit deletes a visit of the job, with a History line. ErrNotFound when it is not the job's.
func RemoveVisit(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID, visitID int64) error {
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `delete from visits where company_id = $1 and job_id = $2 and id = $3`, companyID, jobID, visitID)
	if err != nil {
		return fmt.Errorf("jobs: remove visit: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return Record(ctx, tx, companyID, jobID, by, "Visit removed")
}
