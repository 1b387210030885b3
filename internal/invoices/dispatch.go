package invoices

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/files"
)

// Dispatch is one send of an invoice: which version, to whom, by whom, and how the email fared.
type Dispatch struct {
	ID         int64
	Number     int64
	Version    int
	Recipients []string
	SentBy     string
	CreatedAt  time.Time
	// Status is the email's in the outbox: pending, sending, sent or failed.
	Status    string
	LastError *string
}

// Ref is the version sent, as printed.
func (d Dispatch) Ref() string { return Invoice{Number: d.Number, Version: d.Version}.Ref() }

// RecordDispatch adds a send of invoice id — the email emailID to recipients, by membership by — to its dispatch log.
func RecordDispatch(ctx context.Context, tx pgx.Tx, companyID, invoiceID, emailID int64, recipients []string, by int64) error {
	if _, err := tx.Exec(ctx, `insert into invoice_dispatches (company_id, invoice_id, email_id, recipients, sent_by) values ($1, $2, $3, $4, $5)`,
		companyID, invoiceID, emailID, recipients, db.NullID(by)); err != nil {
		return fmt.Errorf("invoices: dispatch: %w", err)
	}
	return nil
}

// QueueDispatches adds every send of every version of the job's invoice, newest first (at most 200), for a job the
// caller has checked is in the viewer's scope.
func QueueDispatches(b *pgx.Batch, companyID, jobID int64, out *[]Dispatch) {
	b.Queue(`
		select d.id, i.number, i.version, d.recipients, coalesce(a.name, '') as sent_by, d.created_at,
		       coalesce(e.status, 'deleted') as status, e.last_error
		  from invoices i
		  join invoice_dispatches d on d.company_id = i.company_id and d.invoice_id = i.id
		  left join outbox_emails e on e.company_id = d.company_id and e.id = d.email_id
		  left join memberships m on m.company_id = d.company_id and m.id = d.sent_by
		  left join accounts a on a.id = m.account_id
		 where i.company_id = $1 and i.job_id = $2
		 order by d.id desc limit 200`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Dispatch])
		return err
	})
}

// QueuePDF adds the PDF of the job's invoice version invoiceID (0: its current one) as a file: ErrNotFound when
// there is none.
func QueuePDF(b *pgx.Batch, companyID, jobID, invoiceID int64, f *files.File) {
	b.Queue(`
		select f.id, f.name, f.content_type, f.size, f.has_thumbnail, f.visible_to_client, f.created_at
		  from invoices i join files f on f.company_id = i.company_id and f.invoice_id = i.id
		 where i.company_id = $1 and i.job_id = $2 and (i.id = $3 or ($3 = 0 and i.superseded_at is null))`,
		companyID, jobID, invoiceID).Query(func(rows pgx.Rows) (err error) {
		*f, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[files.File])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}
