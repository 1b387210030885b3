// Package invoices owns a job's invoices: issued from its time & parts at sale price and frozen (lines, parties,
// tax and totals copied; the PDF kept as a file of the invoice), numbered per company and never reused, re-issued as
// new versions under the same number, marked paid, and sent — every send kept in the dispatch log.
package invoices

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
)

// Invoice is one version of a job's invoice, as issued.
type Invoice struct {
	ID            int64
	JobID         int64
	Number        int64
	Version       int
	IssuedAt      time.Time
	DueOn         time.Time
	CompanyName   string
	CompanyAddr   string
	TaxNumber     string
	BillTo        string
	BillToAddr    string
	SiteAddr      string
	JobRef        string
	JobTitle      string
	Currency      string
	TaxName       string
	TaxRateBP     int
	TaxInclusive  bool
	SubtotalCents int64
	TaxCents      int64
	TotalCents    int64
	PaidAt        *time.Time
	SupersededAt  *time.Time
	Lines         []Line `db:"-"`
	// Logo is the company's logo when it was issued (LogoType "PNG" or "JPG"): drawn into its PDF, not kept apart.
	Logo     []byte `db:"-"`
	LogoType string `db:"-"`
}

// Line is one line of an invoice: sale price only (costs and margins never reach an invoice).
type Line struct {
	Description    string
	QuantityMilli  int64
	UnitPriceCents int64
	AmountCents    int64
}

// Ref is the invoice's number as printed: "INV-1001", and "INV-1001 v2" for a later version.
func (i Invoice) Ref() string {
	ref := "INV-" + strconv.FormatInt(i.Number, 10)
	if i.Version > 1 {
		ref += " v" + strconv.Itoa(i.Version)
	}
	return ref
}

// FileName is the PDF's name: "INV-1001.pdf", "INV-1001-v2.pdf".
func (i Invoice) FileName() string {
	name := "INV-" + strconv.FormatInt(i.Number, 10)
	if i.Version > 1 {
		name += "-v" + strconv.Itoa(i.Version)
	}
	return name + ".pdf"
}

// Totals works out an invoice's subtotal, tax and total from its lines' amounts at a rate in basis points: added to
// them (exclusive), or taken out of them (inclusive, where the total is their sum). Each rounds half up to the cent.
func Totals(amounts []int64, rateBP int, inclusive bool) (subtotal, tax, total int64) {
	var sum int64
	for _, a := range amounts {
		sum += a
	}
	if inclusive {
		tax = (sum*int64(rateBP)*2 + 10000 + int64(rateBP)) / (2 * (10000 + int64(rateBP)))
		return sum - tax, tax, sum
	}
	tax = (sum*int64(rateBP) + 5000) / 10000
	return sum, tax, sum + tax
}

// noLines is the refusal for a job with nothing to bill.
var noLines = &apperr.ValidationError{Form: "This job has no time or parts to bill yet: add them under Time & parts, then issue the invoice."}

// Issue issues the job's invoice from its lines at sale price (a billing stage's with its share of its parent first),
// or — when it has one — a new version of it under the
// same number, keeping the old one (superseded). A job awaiting billing moves to awaiting payment. The PDF is drawn
// and kept (store) as the invoice's file. now is the issue time; the due date counts the company's payment terms
// from its day in the company's zone. A job with no lines is refused in words, nothing saved; a job out of scope is
// ErrNotFound.
func Issue(ctx context.Context, tx pgx.Tx, store files.Storage, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, now time.Time) (Invoice, error) {
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return Invoice{}, err
	}
	var set settings.Settings
	var status jobs.Status
	inv := Invoice{JobID: jobID, IssuedAt: now}
	err := tx.QueryRow(ctx, `
		select co.name, co.address, co.tax_number, co.currency, co.tax_name, co.tax_rate_bp, co.tax_inclusive, co.payment_terms_days,
		       co.paper, co.time_zone, j.number, j.title, j.status, b.name, b.billing_address,
		       coalesce(nullif(j.address, ''), s.address, ''), co.logo, coalesce(co.logo_type, '')
		  from jobs j join companies co on co.id = j.company_id
		  join clients b on b.company_id = j.company_id and b.id = j.billing_client_id
		  left join sites s on s.company_id = j.company_id and s.id = j.site_id
		 where j.company_id = $1 and j.id = $2`, companyID, jobID).Scan(&inv.CompanyName, &inv.CompanyAddr, &inv.TaxNumber, &inv.Currency,
		&inv.TaxName, &inv.TaxRateBP, &inv.TaxInclusive, &set.Billing.TermsDays, &set.Billing.Paper, &set.TimeZone, &inv.Number, &inv.JobTitle,
		&status, &inv.BillTo, &inv.BillToAddr, &inv.SiteAddr, &inv.Logo, &inv.LogoType)
	if err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: %w", err)
	}
	inv.JobRef = jobs.Ref(inv.Number)
	rows, _ := tx.Query(ctx, `
		select description, quantity_milli, unit_price_cents, (quantity_milli * unit_price_cents + 500) / 1000 as amount_cents
		  from job_lines where company_id = $1 and job_id = $2 order by id`, companyID, jobID)
	if inv.Lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[Line]); err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: lines: %w", err)
	}
	// A billing stage bills its share of the parent first, then any lines of its own; a parent billed in stages
	// bills only what its stages leave.
	if stage, ok, err := stageLine(ctx, tx, companyID, jobID, inv.Currency); err != nil {
		return Invoice{}, err
	} else if ok {
		inv.Lines = append([]Line{stage}, inv.Lines...)
	}
	if len(inv.Lines) == 0 {
		return Invoice{}, noLines
	}
	if staged, ok, err := stagedLine(ctx, tx, companyID, jobID, inv.Currency); err != nil {
		return Invoice{}, err
	} else if ok {
		inv.Lines = append(inv.Lines, staged)
	}
	amounts := make([]int64, len(inv.Lines))
	for i, l := range inv.Lines {
		amounts[i] = l.AmountCents
	}
	inv.SubtotalCents, inv.TaxCents, inv.TotalCents = Totals(amounts, inv.TaxRateBP, inv.TaxInclusive)
	if inv.TotalCents <= 0 {
		return Invoice{}, &apperr.ValidationError{Form: "There is nothing to bill: the lines come to " + jobs.FormatMoney(inv.TotalCents, inv.Currency) +
			" (a job billed in stages is billed on its subjobs)."}
	}
	local := now.In(set.Location())
	inv.DueOn = time.Date(local.Year(), local.Month(), local.Day()+set.Billing.TermsDays, 0, 0, 0, 0, time.UTC)

	// A paid invoice stays as it was paid.
	var paid bool
	if err := tx.QueryRow(ctx, `select exists (select from invoices where company_id = $1 and job_id = $2 and superseded_at is null and paid_at is not null)`,
		companyID, jobID).Scan(&paid); err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: %w", err)
	}
	if paid {
		return Invoice{}, apperr.Conflict("This job's invoice is paid: it stays as it was paid, and is not issued again.")
	}
	// The same number for a new version; the company's next for a first invoice.
	err = tx.QueryRow(ctx, `
		update invoices set superseded_at = $3 where company_id = $1 and job_id = $2 and superseded_at is null
		returning number, version + 1`, companyID, jobID, now).Scan(&inv.Number, &inv.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		inv.Version = 1
		err = tx.QueryRow(ctx, `
			insert into invoice_numbers (company_id, next_number) values ($1, 1002)
			on conflict (company_id) do update set next_number = invoice_numbers.next_number + 1
			returning next_number - 1`, companyID).Scan(&inv.Number)
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: number: %w", err)
	}
	if err := tx.QueryRow(ctx, `
		insert into invoices (company_id, job_id, number, version, issued_at, issued_by, due_on, company_name, company_addr, tax_number,
		                      bill_to, bill_to_addr, site_addr, job_ref, job_title, currency, tax_name, tax_rate_bp, tax_inclusive,
		                      subtotal_cents, tax_cents, total_cents)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) returning id`,
		companyID, jobID, inv.Number, inv.Version, now, db.NullID(by.MembershipID), inv.DueOn, inv.CompanyName, inv.CompanyAddr, inv.TaxNumber,
		inv.BillTo, inv.BillToAddr, inv.SiteAddr, inv.JobRef, inv.JobTitle, inv.Currency, inv.TaxName, inv.TaxRateBP, inv.TaxInclusive,
		inv.SubtotalCents, inv.TaxCents, inv.TotalCents).Scan(&inv.ID); err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: %w", err)
	}
	for i, l := range inv.Lines {
		if _, err := tx.Exec(ctx, `
			insert into invoice_lines (company_id, invoice_id, position, description, quantity_milli, unit_price_cents, amount_cents)
			values ($1, $2, $3, $4, $5, $6, $7)`, companyID, inv.ID, i, l.Description, l.QuantityMilli, l.UnitPriceCents, l.AmountCents); err != nil {
			return Invoice{}, fmt.Errorf("invoices: issue: line: %w", err)
		}
	}
	pdf, err := PDF(inv, set.Location(), set.Billing.Paper)
	if err != nil {
		return Invoice{}, err
	}
	var fileID int64
	if err := tx.QueryRow(ctx, `insert into files (company_id, invoice_id, name, content_type, size, uploaded_by) values ($1, $2, $3, 'application/pdf', $4, $5) returning id`,
		companyID, inv.ID, inv.FileName(), len(pdf), db.NullID(by.MembershipID)).Scan(&fileID); err != nil {
		return Invoice{}, fmt.Errorf("invoices: issue: file: %w", err)
	}
	if err := store.Put(ctx, tx, companyID, fileID, files.Original, pdf); err != nil {
		return Invoice{}, err
	}
	what := "Invoice " + inv.Ref() + " issued: " + jobs.FormatMoney(inv.TotalCents, inv.Currency)
	if err := jobs.Record(ctx, tx, companyID, jobID, by, what); err != nil {
		return Invoice{}, err
	}
	if status == jobs.StatusAwaitingBilling {
		return inv, jobs.SetStatus(ctx, tx, companyID, scope, by, jobID, jobs.StatusAwaitingPayment)
	}
	return inv, nil
}

// MarkPaid records that the job's current invoice was paid at now; a job awaiting payment moves to completed. An
// invoice already paid is a conflict in words; a job without an invoice (or out of scope) is ErrNotFound.
func MarkPaid(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, now time.Time) error {
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	var number int64
	var version int
	var paid bool
	var status jobs.Status
	err := tx.QueryRow(ctx, `
		select i.number, i.version, i.paid_at is not null, j.status from invoices i join jobs j on j.company_id = i.company_id and j.id = i.job_id
		 where i.company_id = $1 and i.job_id = $2 and i.superseded_at is null`, companyID, jobID).Scan(&number, &version, &paid, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("invoices: paid: %w", err)
	}
	if paid {
		return apperr.Conflict("This invoice is already marked paid.")
	}
	if _, err := tx.Exec(ctx, `update invoices set paid_at = $3 where company_id = $1 and job_id = $2 and superseded_at is null`, companyID, jobID, now); err != nil {
		return fmt.Errorf("invoices: paid: %w", err)
	}
	if err := jobs.Record(ctx, tx, companyID, jobID, by, "Invoice "+Invoice{Number: number, Version: version}.Ref()+" marked paid"); err != nil {
		return err
	}
	if status == jobs.StatusAwaitingPayment {
		return jobs.SetStatus(ctx, tx, companyID, scope, by, jobID, jobs.StatusCompleted)
	}
	return nil
}

// invoiceSQL selects Invoice rows of invoices i.
const invoiceSQL = `
	select i.id, i.job_id, i.number, i.version, i.issued_at, i.due_on, i.company_name, i.company_addr, i.tax_number, i.bill_to,
	       i.bill_to_addr, i.site_addr, i.job_ref, i.job_title, i.currency, i.tax_name, i.tax_rate_bp, i.tax_inclusive,
	       i.subtotal_cents, i.tax_cents, i.total_cents, i.paid_at, i.superseded_at
	  from invoices i`

// QueueForJob adds the job's invoices, newest version first (at most 50), for a job the caller has checked is in
// the viewer's scope.
func QueueForJob(b *pgx.Batch, companyID, jobID int64, out *[]Invoice) {
	b.Queue(invoiceSQL+` where i.company_id = $1 and i.job_id = $2 order by i.id desc limit 50`, companyID, jobID).
		Query(func(rows pgx.Rows) (err error) {
			*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invoice])
			return err
		})
}

// Current finds, in tx, the job's current invoice and its PDF's file id. ErrNotFound when it has none.
func Current(ctx context.Context, tx pgx.Tx, companyID, jobID int64) (Invoice, int64, error) {
	rows, _ := tx.Query(ctx, invoiceSQL+` where i.company_id = $1 and i.job_id = $2 and i.superseded_at is null`, companyID, jobID)
	inv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invoice])
	if errors.Is(err, pgx.ErrNoRows) {
		return Invoice{}, 0, apperr.ErrNotFound
	}
	if err != nil {
		return Invoice{}, 0, fmt.Errorf("invoices: current: %w", err)
	}
	var fileID int64
	if err := tx.QueryRow(ctx, `select id from files where company_id = $1 and invoice_id = $2`, companyID, inv.ID).Scan(&fileID); err != nil {
		return Invoice{}, 0, fmt.Errorf("invoices: current: file: %w", err)
	}
	return inv, fileID, nil
}
