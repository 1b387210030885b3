package invoices

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ledongthuc/pdf"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
)

func TestTotals(t *testing.T) {
	for _, c := range []struct {
		amounts              []int64
		rate                 int
		inclusive            bool
		subtotal, tax, total int64
	}{
		{[]int64{10000}, 1500, false, 10000, 1500, 11500},
		{[]int64{11500}, 1500, true, 10000, 1500, 11500},
		{[]int64{333, 333, 334}, 1500, false, 1000, 150, 1150},
		{[]int64{1}, 1500, false, 1, 0, 1},          // 0.15 of a cent rounds down
		{[]int64{10}, 1500, false, 10, 2, 12},       // 1.5 cents rounds half up
		{[]int64{100}, 1000, true, 91, 9, 100},      // 9.09 cents of tax within
		{[]int64{12345}, 0, false, 12345, 0, 12345}, // no tax
		{[]int64{12345}, 1250, true, 10973, 1372, 12345},
	} {
		s, x, tot := Totals(c.amounts, c.rate, c.inclusive)
		if s != c.subtotal || x != c.tax || tot != c.total {
			t.Errorf("Totals(%v, %d, %v) = %d, %d, %d; want %d, %d, %d", c.amounts, c.rate, c.inclusive, s, x, tot, c.subtotal, c.tax, c.total)
		}
	}
}

// text extracts a PDF's text, as a reader would copy it.
func text(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.ReadFrom(tr)
	return out.String()
}

// Issuing: a job with no lines is refused in words and nothing saved; a job's invoice takes its lines at sale price
// with the company's tax, numbered from 1001; its PDF (kept as the invoice's file, the same bytes each time it is
// drawn) reads the number, lines, tax and totals and never a cost; later edits to the lines change nothing issued;
// re-issuing makes v2 under the same number with v1 kept; the next job's invoice is 1002; paid moves the job from
// awaiting payment to completed, once; another company's job is not found.
func TestIssue(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co, other := tdb.CreateCompany(t, "Acme Plumbing"), tdb.CreateCompany(t, "Bolt")
	tdb.Owner.Exec(ctx, `update companies set address = E'1 Queen St\nAuckland 1010', tax_number = '123-456-789', tax_rate_bp = 1500,
		payment_terms_days = 20, currency = 'NZD', time_zone = 'Pacific/Auckland' where id = $1`, co)
	var client, job, empty int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, billing_address) values ($1, 'Harbour View', E'PO Box 5\nAuckland') returning id`, co).Scan(&client)
	newJob := func(number int64, title string) (id int64) {
		tdb.Owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, title, status, address)
			values ($1, $2, $3, $3, $4, 'awaiting-billing', '12 Beach Rd') returning id`, co, number, client, title).Scan(&id)
		return id
	}
	job, empty = newJob(7, "Leaking tap"), newJob(8, "Nothing yet")
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'Labour', 1500, 4321, 9000), ($1, $2, 'Tap washer kit', 2000, 777, 1250)`, co, job)
	store := files.Postgres{DB: tdb.DB}
	by := jobs.Actor{Name: "Ann"}
	now := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC) // 26 November in Auckland
	issue := func(company, id int64) (inv Invoice, err error) {
		err = tdb.InCompany(ctx, company, func(tx pgx.Tx) (err error) {
			inv, err = Issue(ctx, tx, store, company, jobs.Everything, by, id, now)
			return err
		})
		return inv, err
	}
	if _, err := issue(co, empty); apperr.AsValidation(err) == nil || !strings.Contains(err.Error(), "no time or parts") {
		t.Errorf("a job with no lines: %v", err)
	}
	if _, err := issue(other, job); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company's job: %v", err)
	}
	var n int
	if tdb.Owner.QueryRow(ctx, `select count(*) from invoices`).Scan(&n); n != 0 {
		t.Fatalf("%d invoices saved by refusals", n)
	}
	inv, err := issue(co, job)
	if err != nil {
		t.Fatal(err)
	}
	// 1.5 × 90.00 + 2 × 12.50 = 160.00; GST 15 % = 24.00; total 184.00.
	if inv.Ref() != "INV-1001" || inv.SubtotalCents != 16000 || inv.TaxCents != 2400 || inv.TotalCents != 18400 ||
		inv.DueOn.Format("2006-01-02") != "2026-12-16" || len(inv.Lines) != 2 {
		t.Errorf("the invoice: %s, %d + %d = %d, due %s, %d lines", inv.Ref(), inv.SubtotalCents, inv.TaxCents, inv.TotalCents, inv.DueOn.Format("2006-01-02"), len(inv.Lines))
	}
	var status string
	if tdb.Owner.QueryRow(ctx, `select status from jobs where id = $1`, job).Scan(&status); status != "awaiting-payment" {
		t.Errorf("the job after issuing: %s, want awaiting-payment", status)
	}
	var stored []byte
	var fileID int64
	tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) { _, fileID, err = Current(ctx, tx, co, job); return err })
	if stored, err = store.Get(ctx, co, fileID, files.Original); err != nil {
		t.Fatal(err)
	}
	again, _ := PDF(inv, time.FixedZone("NZDT", 13*3600), "A4")
	if !bytes.Equal(stored, again) {
		t.Error("drawing the same invoice again gave other bytes")
	}
	got := text(t, stored)
	for _, want := range []string{"INVOICE", "INV-1001", "Acme Plumbing", "1 Queen St", "GST number: 123-456-789", "Harbour View", "PO Box 5",
		"J-7", "Leaking tap", "12 Beach Rd", "Labour", "1.5", "$90.00", "$135.00", "Tap washer kit", "$12.50", "$25.00",
		"Subtotal", "$160.00", "GST 15%", "$24.00", "Total", "$184.00", "Issued 26 November 2026", "Due 16 December 2026"} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, got)
		}
	}
	for _, cost := range []string{"43.21", "7.77", "64.82", "15.54"} {
		if strings.Contains(got, cost) {
			t.Errorf("the PDF shows a cost (%s)", cost)
		}
	}
	// The lines change: v1 stays as it was; re-issued, v2 has the new total under the same number.
	tdb.Owner.Exec(ctx, `update job_lines set unit_price_cents = 10000 where job_id = $1 and description = 'Labour'`, job)
	v2, err := issue(co, job)
	if err != nil {
		t.Fatal(err)
	}
	var invs []Invoice
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueForJob(b, co, job, &invs) })
	if v2.Ref() != "INV-1001 v2" || v2.TotalCents != 20125 || len(invs) != 2 || invs[1].TotalCents != 18400 || invs[1].SupersededAt == nil || invs[0].SupersededAt != nil {
		t.Errorf("after re-issuing: v2 %s = %d; %d versions kept", v2.Ref(), v2.TotalCents, len(invs))
	}
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents) values ($1, $2, 'Call-out', 1000, 5000)`, co, empty)
	if next, err := issue(co, empty); err != nil || next.Ref() != "INV-1002" {
		t.Errorf("the next job's invoice: %s, %v", next.Ref(), err)
	}
	paid := func() error {
		return tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return MarkPaid(ctx, tx, co, jobs.Everything, by, job, now) })
	}
	if err := paid(); err != nil {
		t.Fatal(err)
	}
	if tdb.Owner.QueryRow(ctx, `select status from jobs where id = $1`, job).Scan(&status); status != "completed" {
		t.Errorf("the job after payment: %s, want completed", status)
	}
	if err := paid(); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("paid twice: %v", err)
	}
	if _, err := issue(co, job); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("re-issuing a paid invoice: %v", err)
	}
}

// The same invoice gives the same bytes, draw after draw (fonts are written in a fixed order, dates are the issue
// time): a resent invoice is the one first sent.
func TestPDF_SameBytes(t *testing.T) {
	inv := Invoice{Number: 1001, Version: 2, IssuedAt: time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC), DueOn: time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC),
		CompanyName: "Acme Plumbing", CompanyAddr: "1 Queen St", TaxNumber: "123", BillTo: "Harbour View", JobRef: "J-7", JobTitle: "Leaking tap",
		Currency: "NZD", TaxName: "GST", TaxRateBP: 1500, SubtotalCents: 1000, TaxCents: 150, TotalCents: 1150,
		Lines: []Line{{Description: "Labour, with a description long enough to wrap onto a second line of the invoice's table", QuantityMilli: 1000, UnitPriceCents: 1000, AmountCents: 1000}}}
	first, err := PDF(inv, time.UTC, "Letter")
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if again, _ := PDF(inv, time.UTC, "Letter"); !bytes.Equal(first, again) {
			t.Fatal("the same invoice drew other bytes")
		}
	}
	if got := text(t, first); !strings.Contains(got, "INV-1001 v2") || !strings.Contains(got, "second line") {
		t.Errorf("the PDF: %q", got)
	}
}
