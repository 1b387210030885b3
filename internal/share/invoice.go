package share

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
)

// InvoiceTo is whom Resend invoice to customer offers for a job: the contacts of its client and billing client and
// their client users (the billing client's contact first).
type InvoiceTo struct {
	Email string
	Name  string
}

// invoiceToSQL lists the addresses SendInvoice takes ticked, the billing client's contact first.
const invoiceToSQL = `
	select email, name from (
	    select c.email::text as email, c.name, case when c.id = j.billing_client_id then 0 else 1 end as ord
	      from jobs j join clients c on c.company_id = j.company_id and c.id in (j.client_id, j.billing_client_id)
	     where j.company_id = $1 and j.id = $2 and c.email is not null
	    union
	    select a.email::text, a.name, 2
	      from jobs j join memberships m on m.company_id = j.company_id and m.client_id in (j.client_id, j.billing_client_id)
	      join accounts a on a.id = m.account_id
	     where j.company_id = $1 and j.id = $2 and m.role = 'client' and m.active) r
	 order by ord, name`

// QueueInvoiceTo adds whom the invoice may be sent to without typing an address.
func QueueInvoiceTo(b *pgx.Batch, companyID, jobID int64, out *[]InvoiceTo) {
	b.Queue(invoiceToSQL, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[InvoiceTo])
		return err
	})
}

// SendInvoice emails the job's current invoice, its PDF attached, one copy to each recipient: those ticked (among
// QueueInvoiceTo's — anything else is forged, ErrNotFound) and those typed. Each send joins the invoice's dispatch
// log, and the job's Messages (the client sees it) and History, all in tx. No recipient, or a typed address that is
// not one, is refused in words, nothing queued; a job out of scope, or without an invoice, is ErrNotFound.
func (ls Letters) SendInvoice(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, ticked []string, typed string) (int, error) {
	job, err := jobs.Lock(ctx, tx, companyID, scope, jobID)
	if err != nil {
		return 0, err
	}
	inv, fileID, err := invoices.Current(ctx, tx, companyID, jobID)
	if err != nil {
		return 0, err
	}
	rows, _ := tx.Query(ctx, invoiceToSQL, companyID, jobID)
	offered, err := pgx.CollectRows(rows, pgx.RowToStructByName[InvoiceTo])
	if err != nil {
		return 0, fmt.Errorf("share: invoice recipients: %w", err)
	}
	emails := make([]string, len(offered))
	for i, o := range offered {
		emails[i] = o.Email
	}
	v := &apperr.ValidationError{}
	to, err := addressees(ticked, emails, typed, v)
	if err != nil {
		return 0, err
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	subject := "Invoice " + inv.Ref() + " from " + inv.CompanyName
	body := fmt.Sprintf("Please find attached invoice %s for %s %s: %s, due %s.\n\nThank you for your business.",
		inv.Ref(), jobs.Ref(job.Number), job.Title, jobs.FormatMoney(inv.TotalCents, inv.Currency), inv.DueOn.Format("2 January 2006"))
	pdf := mail.Attachment{FileID: fileID, Name: inv.FileName(), ContentType: "application/pdf"}
	for _, addr := range to {
		l := Letter{To: addr, Subject: subject, Body: body, Company: inv.CompanyName, JobRef: jobs.Ref(job.Number), JobTitle: job.Title,
			Attachments: []mail.Attachment{pdf}}
		emailID, err := ls.send(ctx, tx, companyID, KindInvoice, l)
		if err != nil {
			return 0, err
		}
		if err := invoices.RecordDispatch(ctx, tx, companyID, inv.ID, emailID, []string{addr}, by.MembershipID); err != nil {
			return 0, err
		}
	}
	rows, _ = tx.Query(ctx, clientAddressesSQL, companyID, jobID)
	clientAddrs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("share: client addresses: %w", err)
	}
	sent := jobs.SentEmail{To: to, Subject: subject, Body: body, Attachments: []string{inv.FileName()},
		ToClient: slices.ContainsFunc(to, func(addr string) bool { return slices.Contains(clientAddrs, strings.ToLower(addr)) })}
	return len(to), jobs.RecordEmail(ctx, tx, companyID, by, jobID, sent)
}
