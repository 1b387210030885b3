package invoices

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
)

// Share is what a stage bills of its parent: a percentage (basis points) or an amount (cents) — one of the two.
type Share struct {
	BP    int
	Cents int64
}

// ParseShare reads a share as typed: "20%" (or "20 %", "12.5%") is a percentage of the parent, "450" or "450.00" an
// amount; "" is none. false for anything else.
func ParseShare(s string) (Share, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Share{}, true
	case strings.HasSuffix(s, "%"):
		bp, ok := settings.ParsePercent(s)
		return Share{BP: bp}, ok && bp > 0 && bp <= 10000
	}
	cents, ok := jobs.ParseDecimal(strings.TrimPrefix(s, "$"), 2)
	return Share{Cents: cents}, ok && cents > 0 && cents <= jobs.MaxUnitCents
}

// None reports a share of nothing: the subjob is not a billing stage.
func (s Share) None() bool { return s.BP == 0 && s.Cents == 0 }

// Of is the share of a parent's total, rounded down to the cent: stages of 100 % never bill more than the total (a
// cent left over stays with the parent, which bills what its stages leave).
func (s Share) Of(totalCents int64) int64 {
	if s.BP > 0 {
		return totalCents * int64(s.BP) / 10000
	}
	return s.Cents
}

// Text is the share in words: "20%", or the amount.
func (s Share) Text(currency string) string {
	if s.BP > 0 {
		return settings.Percent(s.BP) + "%"
	}
	return jobs.FormatMoney(s.Cents, currency)
}

// SetStage makes subjob a billing stage of its parent: share of the parent, billed on billOn (nil: no day planned).
// The parent's stages never pass 100 % of its time & parts at sale price (a percentage stage counts as its
// percentage, an amount as its share of that total), refused in words on field "share" with what is left. Call it in
// the subjob's creation transaction, with the parent locked (jobs.CreateSubjob locks it).
func SetStage(ctx context.Context, tx pgx.Tx, companyID, parentID, subjobID int64, share Share, billOn *time.Time) error {
	if share.None() {
		return nil
	}
	var total, plannedBP int64
	if err := tx.QueryRow(ctx, `
		select coalesce((select sum((quantity_milli * unit_price_cents + 500) / 1000) from job_lines where company_id = $1 and job_id = $2), 0),
		       coalesce((select sum(coalesce(s.share_bp, 0)) from billing_stages s where s.company_id = $1 and s.parent_id = $2), 0)`,
		companyID, parentID).Scan(&total, &plannedBP); err != nil {
		return fmt.Errorf("invoices: stage: %w", err)
	}
	var plannedCents int64
	if err := tx.QueryRow(ctx, `select coalesce(sum(amount_cents), 0) from billing_stages where company_id = $1 and parent_id = $2`,
		companyID, parentID).Scan(&plannedCents); err != nil {
		return fmt.Errorf("invoices: stage: %w", err)
	}
	// In basis points of the parent's total: amounts count as their part of it (all of it when it is still nothing).
	used := plannedBP
	if plannedCents > 0 {
		if total == 0 {
			used = 10000
		} else {
			used += (plannedCents*10000 + total - 1) / total
		}
	}
	want := int64(share.BP)
	if share.Cents > 0 {
		if total == 0 {
			return apperr.FieldError("share", "The parent job has no time or parts yet, so an amount cannot be a share of it. Add its lines first, or bill a percentage.")
		}
		want = (share.Cents*10000 + total - 1) / total
	}
	if used+want > 10000 {
		left := max(0, 10000-used)
		return apperr.FieldError("share", fmt.Sprintf("The stages would bill more than the whole job: %s%% of it is left to plan.", settings.Percent(int(left))))
	}
	if _, err := tx.Exec(ctx, `insert into billing_stages (company_id, job_id, parent_id, share_bp, amount_cents, bill_on) values ($1, $2, $3, $4, $5, $6)`,
		companyID, subjobID, parentID, nullInt(share.BP), db.NullID(share.Cents), billOn); err != nil {
		return fmt.Errorf("invoices: stage: %w", err)
	}
	return nil
}

func nullInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// Stage is a subjob that bills a share of its parent, as the parent lists it.
type Stage struct {
	JobID  int64
	Number int64
	Title  string
	Share  Share
	BillOn *time.Time
	// PlannedCents is what the share comes to of the parent's total now.
	PlannedCents int64
	// Invoice is the stage's current invoice's number as printed and total ("" before it is issued).
	Invoice      string
	InvoiceCents int64
	Paid         bool
}

// Stages is a parent's billing stages and what they leave of its total.
type Stages struct {
	TotalCents int64 // the parent's time & parts at sale price
	List       []Stage
}

// PlannedCents is what the stages come to; Remaining is what is left of the total.
func (s Stages) PlannedCents() (n int64) {
	for _, st := range s.List {
		n += st.PlannedCents
	}
	return n
}

// Remaining is what no stage bills yet.
func (s Stages) Remaining() int64 { return s.TotalCents - s.PlannedCents() }

// QueueStages adds the parent's billing stages in order, with their current invoices, and the parent's total, for a
// parent the caller has checked is in the viewer's scope.
func QueueStages(b *pgx.Batch, companyID int64, parentID int64, out *Stages) {
	b.Queue(`select coalesce(sum((quantity_milli * unit_price_cents + 500) / 1000), 0) from job_lines where company_id = $1 and job_id = $2`,
		companyID, parentID).QueryRow(func(row pgx.Row) error { return row.Scan(&out.TotalCents) })
	b.Queue(`
		select s.job_id, j.number, j.title, coalesce(s.share_bp, 0), coalesce(s.amount_cents, 0), s.bill_on,
		       i.number, i.version, coalesce(i.total_cents, 0), i.paid_at is not null
		  from billing_stages s join jobs j on j.company_id = s.company_id and j.id = s.job_id
		  left join invoices i on i.company_id = s.company_id and i.job_id = s.job_id and i.superseded_at is null
		 where s.company_id = $1 and s.parent_id = $2
		 order by j.id`, companyID, parentID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var st Stage
			var number *int64
			var version *int
			if err := rows.Scan(&st.JobID, &st.Number, &st.Title, &st.Share.BP, &st.Share.Cents, &st.BillOn, &number, &version, &st.InvoiceCents, &st.Paid); err != nil {
				return err
			}
			if number != nil {
				st.Invoice = Invoice{Number: *number, Version: *version}.Ref()
			}
			out.List = append(out.List, st)
		}
		for i := range out.List {
			out.List[i].PlannedCents = out.List[i].Share.Of(out.TotalCents)
		}
		return rows.Err()
	})
}

// stageLine is the invoice line of a stage subjob: its share of the parent's total now, described; ok false when the
// job is not a stage.
func stageLine(ctx context.Context, tx pgx.Tx, companyID, jobID int64, currency string) (Line, bool, error) {
	var share Share
	var parentNumber int64
	var parentTitle string
	var total int64
	err := tx.QueryRow(ctx, `
		select coalesce(s.share_bp, 0), coalesce(s.amount_cents, 0), p.number, p.title,
		       coalesce((select sum((l.quantity_milli * l.unit_price_cents + 500) / 1000) from job_lines l
		                  where l.company_id = p.company_id and l.job_id = p.id), 0)
		  from billing_stages s join jobs p on p.company_id = s.company_id and p.id = s.parent_id
		 where s.company_id = $1 and s.job_id = $2`, companyID, jobID).Scan(&share.BP, &share.Cents, &parentNumber, &parentTitle, &total)
	if errors.Is(err, pgx.ErrNoRows) {
		return Line{}, false, nil
	}
	if err != nil {
		return Line{}, false, fmt.Errorf("invoices: stage line: %w", err)
	}
	amount := share.Of(total)
	desc := fmt.Sprintf("%s of %s %s", share.Text(currency), jobs.Ref(parentNumber), parentTitle)
	if share.BP > 0 {
		desc += " (" + jobs.FormatMoney(total, currency) + ")"
	}
	return Line{Description: desc, QuantityMilli: 1000, UnitPriceCents: amount, AmountCents: amount}, true, nil
}

// stagedLine is the line a parent billed in stages takes off its own invoice — what its stages bill of it — so the
// parent bills only what they leave; ok false when it has no stages.
func stagedLine(ctx context.Context, tx pgx.Tx, companyID, jobID int64, currency string) (Line, bool, error) {
	var st Stages
	b := &pgx.Batch{}
	QueueStages(b, companyID, jobID, &st)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return Line{}, false, fmt.Errorf("invoices: stages: %w", err)
	}
	if len(st.List) == 0 {
		return Line{}, false, nil
	}
	refs := make([]string, len(st.List))
	for i, s := range st.List {
		refs[i] = jobs.Ref(s.Number)
	}
	planned := st.PlannedCents()
	return Line{Description: "Billed in stages: " + strings.Join(refs, ", "), QuantityMilli: 1000, UnitPriceCents: -planned, AmountCents: -planned}, true, nil
}
