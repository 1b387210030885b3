package invoices

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"fieldops/internal/jobs"
	"fieldops/internal/settings"
)

//go:embed fonts/DejaVuSansCondensed.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSansCondensed-Bold.ttf
var fontBold []byte

// PDF draws an invoice on paper ("A4" or "Letter") with its fonts embedded, dates in loc (the company's zone). The
// same invoice gives the same bytes: the document's dates are the issue time.
func PDF(inv Invoice, loc *time.Location, paper string) ([]byte, error) {
	if paper != "Letter" {
		paper = "A4"
	}
	p := fpdf.New("P", "mm", paper, "")
	p.SetCatalogSort(true) // fonts and images in a fixed order: the same invoice, the same bytes
	p.SetCreationDate(inv.IssuedAt)
	p.SetModificationDate(inv.IssuedAt)
	p.SetTitle(inv.Ref()+" "+inv.CompanyName, true)
	p.SetAuthor(inv.CompanyName, true)
	p.AddUTF8FontFromBytes("body", "", fontRegular)
	p.AddUTF8FontFromBytes("body", "B", fontBold)
	p.SetMargins(18, 18, 18)
	p.SetAutoPageBreak(true, 18)
	p.AddPage()
	width, height := p.GetPageSize()
	inner := width - 36
	money := func(c int64) string { return jobs.FormatMoney(c, inv.Currency) }

	// The logo, when the company has one, above its name.
	if len(inv.Logo) > 0 {
		opts := fpdf.ImageOptions{ImageType: inv.LogoType, ReadDpi: false}
		p.RegisterImageOptionsReader("logo", opts, bytes.NewReader(inv.Logo))
		if p.Err() {
			return nil, fmt.Errorf("invoices: pdf: the logo: %w", p.Error())
		}
		p.ImageOptions("logo", 18, 16, 0, 16, false, opts, 0, "") // 16 mm high, its width as its shape says
		p.SetY(36)
	}
	// The company, and the invoice's number and dates beside it.
	p.SetFont("body", "B", 16)
	p.CellFormat(inner*0.6, 8, inv.CompanyName, "", 0, "L", false, 0, "")
	p.SetFont("body", "B", 20)
	p.CellFormat(inner*0.4, 8, "INVOICE", "", 1, "R", false, 0, "")
	p.SetFont("body", "", 10)
	left := lines(inv.CompanyAddr)
	if inv.TaxNumber != "" {
		left = append(left, inv.TaxName+" number: "+inv.TaxNumber)
	}
	right := []string{inv.Ref(), "Issued " + inv.IssuedAt.In(loc).Format("2 January 2006"), "Due " + inv.DueOn.Format("2 January 2006")}
	for i := range max(len(left), len(right)) {
		p.CellFormat(inner*0.6, 5, at(left, i), "", 0, "L", false, 0, "")
		p.CellFormat(inner*0.4, 5, at(right, i), "", 1, "R", false, 0, "")
	}
	p.Ln(8)

	// Whom it bills, and for what job and where.
	p.SetFont("body", "B", 10)
	p.CellFormat(inner*0.5, 5, "Bill to", "", 0, "L", false, 0, "")
	p.CellFormat(inner*0.5, 5, "Job", "", 1, "L", false, 0, "")
	p.SetFont("body", "", 10)
	billTo := append([]string{inv.BillTo}, lines(inv.BillToAddr)...)
	job := append([]string{inv.JobRef + " · " + inv.JobTitle}, lines(inv.SiteAddr)...)
	for i := range max(len(billTo), len(job)) {
		p.CellFormat(inner*0.5, 5, at(billTo, i), "", 0, "L", false, 0, "")
		p.CellFormat(inner*0.5, 5, at(job, i), "", 1, "L", false, 0, "")
	}
	p.Ln(8)

	// The lines.
	cols := []float64{inner * 0.52, inner * 0.12, inner * 0.18, inner * 0.18}
	p.SetFont("body", "B", 10)
	p.SetFillColor(235, 239, 245)
	for i, h := range []string{"Description", "Qty", "Unit price", "Amount"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		p.CellFormat(cols[i], 7, h, "B", 0, align, true, 0, "")
	}
	p.Ln(-1)
	p.SetFont("body", "", 10)
	for _, l := range inv.Lines {
		desc := p.SplitText(l.Description, cols[0]-2)
		h := 5.5 * float64(len(desc))
		if p.GetY()+h > height-18 {
			p.AddPage()
		}
		x, y := p.GetX(), p.GetY()
		for i, d := range desc {
			p.SetXY(x, y+5.5*float64(i))
			p.CellFormat(cols[0], 5.5, d, "", 0, "L", false, 0, "")
		}
		p.SetXY(x+cols[0], y)
		p.CellFormat(cols[1], 5.5, jobs.FormatQuantity(l.QuantityMilli), "", 0, "R", false, 0, "")
		p.CellFormat(cols[2], 5.5, money(l.UnitPriceCents), "", 0, "R", false, 0, "")
		p.CellFormat(cols[3], 5.5, money(l.AmountCents), "", 0, "R", false, 0, "")
		p.SetXY(x, y+h+1)
	}
	p.Line(p.GetX(), p.GetY(), p.GetX()+inner, p.GetY())
	p.Ln(3)

	// The totals.
	rate := settings.Percent(inv.TaxRateBP) + "%"
	total := func(label, value string, bold bool) {
		if bold {
			p.SetFont("body", "B", 11)
		} else {
			p.SetFont("body", "", 10)
		}
		p.CellFormat(inner-cols[3]-cols[2], 6, "", "", 0, "", false, 0, "")
		p.CellFormat(cols[2], 6, label, "", 0, "R", false, 0, "")
		p.CellFormat(cols[3], 6, value, "", 1, "R", false, 0, "")
	}
	if inv.TaxInclusive {
		total("Total (incl. "+inv.TaxName+")", money(inv.TotalCents), true)
		total("Includes "+inv.TaxName+" "+rate, money(inv.TaxCents), false)
	} else {
		total("Subtotal", money(inv.SubtotalCents), false)
		total(inv.TaxName+" "+rate, money(inv.TaxCents), false)
		total("Total", money(inv.TotalCents), true)
	}
	p.Ln(8)
	p.SetFont("body", "", 10)
	p.MultiCell(inner, 5, fmt.Sprintf("Please pay %s by %s, quoting %s.", money(inv.TotalCents), inv.DueOn.Format("2 January 2006"), inv.Ref()), "", "L", false)

	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		return nil, fmt.Errorf("invoices: pdf: %w", err)
	}
	return out.Bytes(), nil
}

// lines splits a multi-line text into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}
