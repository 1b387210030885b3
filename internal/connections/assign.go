package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/jobs"
)

// Assignment is what a job's page shows of its assignment across a connection, read through to the other side.
type Assignment struct {
	// To is set on a job this company assigned to a subcontractor: the firm, its job's status and the agreed price.
	To *AssignedTo
	// By is set on a job a customer firm assigned to this company.
	By *AssignedBy
}

// AssignedTo is the subcontractor side of an assigned job, as the assigning firm sees it.
type AssignedTo struct {
	Firm         string
	Status       jobs.Status
	AgreedCents  *int64
	VisitsByFirm []FirmVisit
}

// AssignedBy is the assigning firm, as the subcontractor sees it; Customer is the customer behind the job, only
// when that firm's Privacy setting shows customers to subcontractors.
type AssignedBy struct {
	Firm        string
	AgreedCents *int64
	Customer    *CustomerDetails
}

// CustomerDetails are the customer behind an assigned job.
type CustomerDetails struct {
	Name, Email, Phone string
}

// FirmVisit is a visit of the subcontractor's (or theirs'), under the name of the firm the job was assigned to.
type FirmVisit struct {
	StartsAt *time.Time
	EndsAt   *time.Time
	Firm     string
}

// QueueAssignment adds what jobID's page shows of its assignment (nothing, when it has none), and the visits of
// whoever it is assigned to. The job itself is read (and scoped) by the caller in the same batch.
func QueueAssignment(b *pgx.Batch, companyID, jobID int64, a *Assignment) {
	// Each definer runs only for a job that has a link (the lateral join calls it for none otherwise): most jobs pay
	// one index probe here, not a function call.
	b.Queue(`select a.direction, a.firm, coalesce(a.peer_status, ''), a.agreed_cents, a.customer_name, a.customer_email, a.customer_phone
	           from (select from job_links l where l.company_id = $1 and l.job_id = $2 limit 1) linked,
	                lateral job_assignment($1, $2) a`, companyID, jobID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var dir, firm, status string
			var agreed *int64
			var name, email, phone *string
			if err := rows.Scan(&dir, &firm, &status, &agreed, &name, &email, &phone); err != nil {
				return err
			}
			if dir == "assigned-to" {
				a.To = &AssignedTo{Firm: firm, Status: jobs.Status(status), AgreedCents: agreed}
				continue
			}
			a.By = &AssignedBy{Firm: firm, AgreedCents: agreed}
			if name != nil {
				a.By.Customer = &CustomerDetails{Name: *name, Email: deref(email), Phone: deref(phone)}
			}
		}
		return rows.Err()
	})
	// Queued after the assignment, so a.To is known when the visits arrive.
	b.Queue(`select v.starts_at, v.ends_at, v.firm
	           from (select from job_links l where l.company_id = $1 and l.job_id = $2 and l.direction = 'assigned-to') linked,
	                lateral assigned_visits($1, $2) v`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		visits, err := pgx.CollectRows(rows, pgx.RowToStructByName[FirmVisit])
		if a.To != nil {
			a.To.VisitsByFirm = visits
		}
		return err
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// AssignForm is what Assign to subcontractor sends: the connection and the price agreed for the work (optional).
type AssignForm struct {
	ConnectionID int64
	Agreed       string
}

// Assign gives the job to a connected subcontractor, in tx: the job appears in the subcontractor's company as
// theirs — title, description, the address of the work and the agreed price, nothing else — and History says so
// on both sides. ErrNotFound for a job out of scope or another company's connection; refused in words for a
// subcontractor that has not accepted yet, a job assigned already, or a price that is not one.
func Assign(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, f AssignForm) error {
	var agreed *int64
	if s := strings.TrimSpace(f.Agreed); s != "" {
		cents, ok := jobs.ParseDecimal(strings.TrimPrefix(s, "$"), 2)
		if !ok || cents < 0 || cents > jobs.MaxUnitCents {
			return apperr.FieldError("agreed", "Enter the agreed price as an amount, like 450 or 450.00, or leave it empty.")
		}
		agreed = &cents
	}
	if f.ConnectionID <= 0 {
		return apperr.FieldError("connection_id", "Choose the subcontractor.")
	}
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	var name string
	var connected bool
	err := tx.QueryRow(ctx, `select name, connected_at is not null from connections
		 where company_id = $1 and id = $2 and kind = 'subcontractor'`, companyID, f.ConnectionID).Scan(&name, &connected)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("connections: assign: %w", err)
	}
	if !connected {
		// Only a stale or hand-made form names one: the choices list connected firms only.
		return &apperr.ValidationError{Form: name + " has not accepted your invitation yet: a job can go to them once they have."}
	}
	_, err = tx.Exec(ctx, `select from assign_job($1, $2, $3, $4)`, companyID, jobID, f.ConnectionID, agreed)
	if err = sqlError(err); errors.Is(err, ErrAlreadyConnected) {
		return &apperr.ValidationError{Form: "This job is assigned to a subcontractor already: withdraw it first."}
	} else if err != nil {
		return fmt.Errorf("connections: assign: %w", err)
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Assigned to subcontractor "+name)
}

// Withdraw takes the job back from its subcontractor, in tx: their job is gone from their company at once.
// ErrNotFound for a job out of scope or not assigned; refused in words once the subcontractor has invoiced it.
func Withdraw(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64) error {
	// Not locked here: withdraw_job locks the chain from the bottom up, in the order what flows back locks it.
	if err := jobs.Check(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	var name string
	if err := sqlError(tx.QueryRow(ctx, `select withdraw_job($1, $2)`, companyID, jobID).Scan(&name)); err != nil {
		return err
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Withdrawn from subcontractor "+name)
}
