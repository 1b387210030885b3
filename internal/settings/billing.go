package settings

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"  // or PNG
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Billing is what a company's invoices say of it and how they count: its address and tax number, the tax (name,
// rate in basis points — 1500 is 15 % — and whether prices include it), the days until an invoice is due, and the
// paper the PDF is laid out for.
type Billing struct {
	Address      string
	TaxNumber    string
	TaxName      string
	TaxRateBP    int
	TaxInclusive bool
	TermsDays    int
	Paper        string // "A4" or "Letter"
}

// Papers are the paper sizes an invoice may be laid out for.
var Papers = []string{"A4", "Letter"}

// ParsePercent reads a rate typed as a percentage ("15", "12.5", "8.25 %") in basis points — so to two decimal places
// at most; false for anything else.
func ParsePercent(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	frac = (frac + "00")[:2]
	n, err := strconv.Atoi(whole + frac)
	if err != nil || n < 0 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	return n, true
}

// Percent is a rate in basis points as a percentage: "15", "12.5".
func Percent(bp int) string {
	s := strconv.Itoa(bp/100) + "." + strconv.Itoa(100 + bp%100)[1:]
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "0"), "0"), ".")
}

func (b *Billing) normalize() {
	b.Address = strings.TrimSpace(strings.ReplaceAll(b.Address, "\r\n", "\n"))
	b.TaxNumber = strings.TrimSpace(b.TaxNumber)
	b.TaxName = strings.TrimSpace(b.TaxName)
	if b.TaxName == "" {
		b.TaxName = "Tax"
	}
	if b.Paper == "" {
		b.Paper = "A4"
	}
}

func (b Billing) validate(v *apperr.ValidationError) {
	if len([]rune(b.Address)) > 500 {
		v.Add("address", "Use at most 500 characters.")
	}
	if len([]rune(b.TaxNumber)) > 50 {
		v.Add("tax_number", "Use at most 50 characters.")
	}
	if len([]rune(b.TaxName)) > 20 {
		v.Add("tax_name", "Use at most 20 characters, like GST or VAT.")
	}
	if b.TaxRateBP < 0 || b.TaxRateBP > 10000 {
		v.Add("tax_rate", "Enter a percentage from 0 to 100, like 15 or 12.5.")
	}
	if b.TermsDays < 0 || b.TermsDays > 365 {
		v.Add("terms_days", "Enter a number of days from 0 (due on issue) to 365.")
	}
	if b.Paper != "A4" && b.Paper != "Letter" {
		v.Add("paper", "Choose A4 or Letter.")
	}
}

// MaxLogo is the largest logo a company may upload.
const MaxLogo = 512 << 10

// CheckLogo reads an uploaded logo: a PNG or JPEG (by its bytes, whatever its name) of at most MaxLogo and 4000
// pixels a side; it returns the type as invoices name it ("PNG" or "JPG"), or a refusal in words.
func CheckLogo(data []byte) (string, error) {
	refuse := func(msg string) error { return apperr.FieldError("logo", msg) }
	if len(data) == 0 {
		return "", refuse("Choose a PNG or JPEG file.")
	}
	if len(data) > MaxLogo {
		return "", refuse("The logo is larger than 512 KB: use a smaller image.")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case err != nil || (format != "png" && format != "jpeg"):
		return "", refuse("That is not a PNG or JPEG image.")
	case cfg.Width > 4000 || cfg.Height > 4000:
		return "", refuse("The logo is larger than 4000 pixels a side: use a smaller image.")
	}
	if format == "png" {
		return "PNG", nil
	}
	return "JPG", nil
}

// SetLogo saves the company's logo (type from CheckLogo), or removes it with nil data.
func SetLogo(ctx context.Context, tx pgx.Tx, companyID int64, data []byte, logoType string) error {
	var kind *string
	if data != nil {
		kind = &logoType
	}
	if _, err := tx.Exec(ctx, `update companies set logo = $2, logo_type = $3 where id = $1`, companyID, data, kind); err != nil {
		return fmt.Errorf("settings: logo: %w", err)
	}
	return nil
}

// Logo is a company's logo and its type ("PNG" or "JPG").
type Logo struct {
	Data []byte
	Type string
}

// ContentType is the logo's media type.
func (l Logo) ContentType() string {
	if l.Type == "JPG" {
		return "image/jpeg"
	}
	return "image/png"
}

// QueueLogo adds the company's logo: ErrNotFound when it has none.
func QueueLogo(b *pgx.Batch, companyID int64, logo *Logo) {
	b.Queue(`select logo, logo_type from companies where id = $1 and logo is not null`, companyID).Query(func(rows pgx.Rows) (err error) {
		*logo, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Logo])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// QueueHasLogo adds whether the company has a logo.
func QueueHasLogo(b *pgx.Batch, companyID int64, has *bool) {
	b.Queue(`select logo is not null from companies where id = $1`, companyID).QueryRow(func(row pgx.Row) error { return row.Scan(has) })
}
