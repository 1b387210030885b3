package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Line is one time or parts line of a job. Quantities are in thousandths, money in cents.
type Line struct {
	ID             int64
	Description    string
	QuantityMilli  int64
	UnitCostCents  int64
	UnitPriceCents int64
}

// Bounds of a line.
const (
	MaxQuantityMilli = 100_000_000    // 100,000
	MaxUnitCents     = 10_000_000_000 // 100,000,000.00
	maxLineDescLen   = 500
)

func scaled(milli, cents int64) int64 { return (milli*cents + 500) / 1000 } // rounds half up, as SQL round() does

// TotalCents is the line's sale total.
func (l Line) TotalCents() int64 { return scaled(l.QuantityMilli, l.UnitPriceCents) }

// CostCents is the line's cost total.
func (l Line) CostCents() int64 { return scaled(l.QuantityMilli, l.UnitCostCents) }

// Totals sums lines: sale, cost and margin (sale − cost).
type Totals struct {
	SaleCents   int64
	CostCents   int64
	MarginCents int64
}

// Sum totals lines.
func Sum(lines []Line) Totals {
	var t Totals
	for _, l := range lines {
		t.SaleCents += l.TotalCents()
		t.CostCents += l.CostCents()
	}
	t.MarginCents = t.SaleCents - t.CostCents
	return t
}

// QueueLines adds the job's lines in the order they were added.
func QueueLines(b *pgx.Batch, companyID, jobID int64, lines *[]Line) {
	b.Queue(`
		select id, description, quantity_milli, unit_cost_cents, unit_price_cents from job_lines
		 where company_id = $1 and job_id = $2 order by id`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[Line])
		return err
	})
}

// LineForm is what the add-line form sends, as typed.
type LineForm struct {
	Description string
	Quantity    string
	UnitCost    string
	UnitPrice   string
}

// ParseDecimal reads a non-negative decimal with at most places decimals ("1,234.5", "$12.50") as an integer
// scaled by 10^places. ok is false for anything else.
func ParseDecimal(s string, places int) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "$€£¥")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || len(s) > 20 {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > places || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	frac += strings.Repeat("0", places-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// parse validates the form; withCost says the viewer may see and set costs.
func (f LineForm) parse(withCost bool) (Line, error) {
	v := &apperr.ValidationError{}
	l := Line{Description: strings.TrimSpace(f.Description)}
	switch {
	case l.Description == "":
		v.Add("description", "Describe the work or part, like “Labour” or “15 mm copper pipe”.")
	case utf8.RuneCountInString(l.Description) > maxLineDescLen:
		v.Add("description", "Use at most 500 characters.")
	}
	var ok bool
	if l.QuantityMilli, ok = ParseDecimal(f.Quantity, 3); !ok || l.QuantityMilli > MaxQuantityMilli {
		v.Add("quantity", "Enter a quantity from 0 to 100,000, with at most 3 decimals.")
	}
	money := func(field, s string) int64 {
		if strings.TrimSpace(s) == "" {
			return 0
		}
		c, ok := ParseDecimal(s, 2)
		if !ok || c > MaxUnitCents {
			v.Add(field, "Enter an amount from 0 to 100,000,000.00, like 45.50.")
		}
		return c
	}
	l.UnitPriceCents = money("unit_price", f.UnitPrice)
	if withCost {
		l.UnitCostCents = money("unit_cost", f.UnitCost)
	}
	return l, v.Err()
}

// AddLine adds a time or parts line to the job, with a History line. withCost says the viewer may set the unit
// cost (admins); others' lines cost 0 until an admin edits them.
func AddLine(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID int64, f LineForm, withCost bool) (int64, error) {
	l, err := f.parse(withCost)
	if err != nil {
		return 0, err
	}
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		companyID, jobID, l.Description, l.QuantityMilli, l.UnitCostCents, l.UnitPriceCents).Scan(&id); err != nil {
		return 0, fmt.Errorf("jobs: add line: %w", err)
	}
	return id, Record(ctx, tx, companyID, jobID, by, fmt.Sprintf("Line added: %s × %s", FormatQuantity(l.QuantityMilli), l.Description))
}

// RemoveLine deletes a line of the job, with a History line. ErrNotFound when it is not the job's.
func RemoveLine(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID, lineID int64) error {
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	var desc string
	err := tx.QueryRow(ctx, `delete from job_lines where company_id = $1 and job_id = $2 and id = $3 returning description`,
		companyID, jobID, lineID).Scan(&desc)
	if err == pgx.ErrNoRows {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("jobs: remove line: %w", err)
	}
	return Record(ctx, tx, companyID, jobID, by, "Line removed: "+desc)
}

// FormatQuantity shows thousandths as a plain number: 1500 → "1.5".
func FormatQuantity(milli int64) string {
	s := strconv.FormatInt(milli/1000, 10)
	if frac := milli % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s
}

// FormatMoney shows cents in the company's currency: "$1,234.50" for dollar currencies, "1,234.50 EUR" otherwise.
func FormatMoney(cents int64, currency string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	s := fmt.Sprintf("%s.%02d", whole, cents%100)
	switch currency {
	case "USD", "NZD", "AUD", "CAD", "SGD", "HKD":
		s = "$" + s
	case "GBP":
		s = "£" + s
	default:
		s += " " + currency
	}
	if neg {
		s = "−" + s
	}
	return s
}
