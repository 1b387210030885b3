// Package settings owns a company's own settings: its name, time zone and currency, what its invoices say and
// count (and, as features land, their defaults). The plan (seats) is not here: only the operator sets it.
package settings

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without the system database

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Settings is a company's settings.
type Settings struct {
	Name     string
	TimeZone string
	Currency string
	// JobShareDefault turns Job Share on for new clients.
	JobShareDefault bool
	// ShareLinkDays is how long a Job Share link works; nil for no limit.
	ShareLinkDays *int
	// Portal is the permissions a new Job Share Plus user starts with (Extra Features).
	Portal identity.Permissions
	// StaffPick is whom a client user may ask for on a visit: "everyone", "assigned" (the client's co-workers) or
	// "nobody" (the office assigns).
	StaffPick string
	// Country reads phone numbers typed without their country code: an ISO code like "NZ", or "" for none.
	Country string
	// Billing is what invoices say and count.
	Billing Billing
	// ShowCustomerToSubcontractors (Privacy) lets the firms this company assigns jobs to see the customer behind
	// each: name, email and phone. Off by default.
	ShowCustomerToSubcontractors bool
}

// StaffPicks are the choices of StaffPick, with their words on screen.
var StaffPicks = [][2]string{{"nobody", "Nobody: the office assigns every visit"},
	{"assigned", "The co-workers assigned to their client"}, {"everyone", "Anyone who goes on visits"}}

// Location is the company's time zone; UTC if the stored name is unknown to this build.
func (s Settings) Location() *time.Location { return identity.Zone(s.TimeZone) }

// QueueGet adds the company's settings to b.
func QueueGet(b *pgx.Batch, companyID int64, s *Settings) {
	b.Queue(`
		select name, time_zone, currency, job_share_default, share_link_days, portal_add_edit, portal_view_messages, portal_view_prices,
		       portal_staff_pick, country, address, tax_number, tax_name, tax_rate_bp, tax_inclusive, payment_terms_days, paper,
		       show_customer_to_subcontractors
		  from companies where id = $1`, companyID).QueryRow(func(row pgx.Row) error {
		return row.Scan(&s.Name, &s.TimeZone, &s.Currency, &s.JobShareDefault, &s.ShareLinkDays,
			&s.Portal.AddEdit, &s.Portal.ViewMessages, &s.Portal.ViewPrices, &s.StaffPick, &s.Country,
			&s.Billing.Address, &s.Billing.TaxNumber, &s.Billing.TaxName, &s.Billing.TaxRateBP, &s.Billing.TaxInclusive, &s.Billing.TermsDays, &s.Billing.Paper,
			&s.ShowCustomerToSubcontractors)
	})
}

// Country reads the company's country (Settings), in tx: what phone numbers typed without a country code are read
// as.
func Country(ctx context.Context, tx pgx.Tx, companyID int64) (string, error) {
	var country string
	if err := tx.QueryRow(ctx, `select country from companies where id = $1`, companyID).Scan(&country); err != nil {
		return "", fmt.Errorf("settings: country: %w", err)
	}
	return country, nil
}

// PortalDefaults reads, in tx, the permissions a new Job Share Plus user starts with (Settings).
func PortalDefaults(ctx context.Context, tx pgx.Tx, companyID int64) (identity.Permissions, error) {
	var p identity.Permissions
	if err := tx.QueryRow(ctx, `select portal_add_edit, portal_view_messages, portal_view_prices from companies where id = $1`,
		companyID).Scan(&p.AddEdit, &p.ViewMessages, &p.ViewPrices); err != nil {
		return p, fmt.Errorf("settings: portal defaults: %w", err)
	}
	return p, nil
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// Normalize trims what was typed.
func (s *Settings) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	if s.StaffPick == "" {
		s.StaffPick = "nobody"
	}
	s.Billing.normalize()
}

// Validate reports a missing name, an unknown time zone or a currency that is not a three-letter code.
func (s Settings) Validate() error {
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "your company's name", s.Name)
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" || len(s.TimeZone) > 64 {
		v.Add("time_zone", "Choose a time zone from the list, like Pacific/Auckland or America/New_York.")
	}
	if !currencyCode.MatchString(s.Currency) {
		v.Add("currency", "Use a three-letter currency code, like NZD, AUD, USD or EUR.")
	}
	if s.Country != "" && !phonenumbers.GetSupportedRegions()[s.Country] {
		v.Add("country", "Use a two-letter country code, like NZ, AU, GB or US, or leave it empty.")
	}
	if s.StaffPick != "nobody" && s.StaffPick != "assigned" && s.StaffPick != "everyone" {
		v.Add("staff_pick", "Choose whom clients may ask for from the list.")
	}
	if s.ShareLinkDays != nil && (*s.ShareLinkDays < 1 || *s.ShareLinkDays > 3650) {
		v.Add("share_link_days", "Enter a number of days from 1 to 3650, or leave it empty for links that do not expire.")
	}
	s.Billing.validate(v)
	return v.Err()
}

// Update saves the settings.
func Update(ctx context.Context, tx pgx.Tx, companyID int64, s Settings) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		update companies set name = $2, time_zone = $3, currency = $4, job_share_default = $5, share_link_days = $6,
		       portal_add_edit = $7, portal_view_messages = $8, portal_view_prices = $9, portal_staff_pick = $10, country = $11,
		       address = $12, tax_number = $13, tax_name = $14, tax_rate_bp = $15, tax_inclusive = $16, payment_terms_days = $17, paper = $18,
		       show_customer_to_subcontractors = $19
		 where id = $1`, companyID, s.Name, s.TimeZone, s.Currency, s.JobShareDefault, s.ShareLinkDays,
		s.Portal.AddEdit, s.Portal.ViewMessages, s.Portal.ViewPrices, s.StaffPick, s.Country,
		s.Billing.Address, s.Billing.TaxNumber, s.Billing.TaxName, s.Billing.TaxRateBP, s.Billing.TaxInclusive, s.Billing.TermsDays, s.Billing.Paper,
		s.ShowCustomerToSubcontractors); err != nil {
		return fmt.Errorf("settings: update: %w", err)
	}
	return nil
}

// TimeZones are the zones the Settings form offers first; any IANA name is accepted.
var TimeZones = []string{
	"Pacific/Auckland", "Pacific/Chatham", "Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane",
	"Australia/Adelaide", "Australia/Darwin", "Australia/Perth", "Australia/Hobart", "Asia/Singapore",
	"Asia/Tokyo", "Asia/Kolkata", "Asia/Dubai", "Africa/Johannesburg", "Europe/London", "Europe/Dublin",
	"Europe/Paris", "Europe/Berlin", "America/St_Johns", "America/Halifax", "America/New_York", "America/Chicago",
	"America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC",
}
