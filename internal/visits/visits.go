// Package visits owns the visits of jobs: who goes and when, what a client user asked for, and the staff a visit
// can be given to.
package visits

import (
	"errors"
	"fmt"
	"time"

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
	// RequestedStart and RequestedEnd are the window the client asked for, if they named one.
	RequestedStart *time.Time
	RequestedEnd   *time.Time
}

// Requested reports whether the visit is a client's request the office has not scheduled yet.
func (v Visit) Requested() bool { return v.StartsAt == nil && v.RequestedStart != nil }

// QueueJob adds the job's visits: scheduled ones by start, then the unscheduled.
func QueueJob(b *pgx.Batch, companyID, jobID int64, visits *[]Visit) {
	queueVisits(b, companyID, jobID, "v.notes", visits)
}

// QueueClient is QueueJob for the client's eyes (dashboard, portal): the office's visit notes are not read.
func QueueClient(b *pgx.Batch, companyID, jobID int64, visits *[]Visit) {
	queueVisits(b, companyID, jobID, "''", visits)
}

// visitSQL selects Visit rows of the company $1's visits v, the office's notes read as notes; the caller adds the
// condition and order.
const visitSQL = `
	select v.id, v.assignee_id, coalesce(a.name, '') as assignee_name, v.starts_at, v.ends_at, %s as notes,
	       coalesce(ra.name, '') as requested_by, v.requested_start, v.requested_end
	  from visits v
	  left join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
	  left join accounts a on a.id = m.account_id
	  left join memberships rm on rm.company_id = v.company_id and rm.id = v.requested_by
	  left join accounts ra on ra.id = rm.account_id
	 where v.company_id = $1 and `

func queueVisits(b *pgx.Batch, companyID, jobID int64, notes string, visits *[]Visit) {
	b.Queue(fmt.Sprintf(visitSQL, notes)+`v.job_id = $2 order by v.starts_at nulls last, v.requested_start nulls last, v.id`,
		companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*visits, err = pgx.CollectRows(rows, pgx.RowToStructByName[Visit])
		return err
	})
}

// QueueOne adds one visit of the job, for the office's edit form; ErrNotFound when it is not the job's.
func QueueOne(b *pgx.Batch, companyID, jobID, visitID int64, visit *Visit) {
	b.Queue(fmt.Sprintf(visitSQL, "v.notes")+`v.job_id = $2 and v.id = $3`, companyID, jobID, visitID).Query(func(rows pgx.Rows) (err error) {
		*visit, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Visit])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
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
