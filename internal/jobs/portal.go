package jobs

import (
	"strings"
	"time"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// MarksSeen says whether opening the job as role is the office seeing what the client sent — a job raised in the
// portal, or their reply on it: it then leaves From clients and the Jobs badge. Only admins and co-workers count; a client user opening their own job does not.
func (j Job) MarksSeen(role identity.Role) bool {
	return !j.Seen && role.IsOffice()
}

// ForClient is lines as a client user with perms may see them: never unit costs, and sale prices only with View
// sale price. It clears the fields rather than leaving it to the page, so what must not show never reaches it.
func ForClient(lines []Line, perms identity.Permissions) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.UnitCostCents = 0
		if !perms.ViewPrices {
			l.UnitPriceCents = 0
		}
		out[i] = l
	}
	return out
}

// AddPreferredDate writes the date a client user would like the work done (a form's "YYYY-MM-DD", in loc) into
// the description, for the office to schedule. An empty date adds nothing; anything else that is not a date
// between 2000 and 2100 is a ValidationError on field "preferred_date".
func (f *Form) AddPreferredDate(raw string, loc *time.Location) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	d, err := time.ParseInLocation("2006-01-02", raw, loc)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return &apperr.ValidationError{Fields: map[string]string{"preferred_date": "Pick a date from the calendar, or leave it empty."}}
	}
	f.Description = strings.TrimSpace(f.Description + "\n\nPreferred date: " + d.Format("Monday 2 January 2006"))
	return nil
}
