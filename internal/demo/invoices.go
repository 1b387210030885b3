package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
)

// seedInvoices issues the invoices of up to three jobs awaiting payment (unpaid) and three completed ones (paid), each
// with time & parts, issued a week ago by the admin; and fills in what the company's invoices print, and its country
// (numbers are New Zealand's: Harbour View's contact has a mobile, to text).
func seedInvoices(ctx context.Context, tx pgx.Tx, companyID, admin int64) error {
	if _, err := tx.Exec(ctx, `update companies set address = E'14 Karangahape Rd\nAuckland 1010', tax_number = '123-456-789',
		tax_name = 'GST', tax_rate_bp = 1500, payment_terms_days = 20, country = 'NZ' where id = $1`, companyID); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `
		(select j.id, j.status from jobs j where j.company_id = $1 and j.status = 'awaiting-payment'
		   and exists (select from job_lines l where l.company_id = j.company_id and l.job_id = j.id) order by j.id limit 3)
		union all
		(select j.id, j.status from jobs j where j.company_id = $1 and j.status = 'completed'
		   and exists (select from job_lines l where l.company_id = j.company_id and l.job_id = j.id) order by j.id limit 3)`, companyID)
	type job struct {
		ID     int64
		Status jobs.Status
	}
	billed, err := pgx.CollectRows(rows, pgx.RowToStructByPos[job])
	if err != nil {
		return err
	}
	by := jobs.Actor{MembershipID: admin, Name: Logins[0].Name}
	issued := time.Now().AddDate(0, 0, -7)
	for _, j := range billed {
		if _, err := invoices.Issue(ctx, tx, files.Postgres{}, companyID, jobs.Everything, by, j.ID, issued); err != nil {
			return err
		}
		if j.Status == jobs.StatusCompleted {
			if err := invoices.MarkPaid(ctx, tx, companyID, jobs.Everything, by, j.ID, issued.AddDate(0, 0, 5)); err != nil {
				return err
			}
		}
	}
	return nil
}
