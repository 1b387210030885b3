package portal

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/calendar"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	portalview "fieldops/templates/portal"
)

// Today is a client user's home, in one Read: their open jobs with the next visit and who is coming, the jobs
// waiting on them, their reminders of the day, and — with View messages — the latest notes they may see.
func (h *Handlers) Today(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	p := portalview.TodayPage{Name: v.Name, Now: h.Now(), Location: v.Location(), Notice: h.Notice(r), ShowMessages: v.Perms.ViewMessages}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueClientToday(b, v.CompanyID, jobs.ScopeFor(v), p.Now, v.Perms.ViewMessages, &p.ClientToday)
		day := jobs.Today(p.Now, p.Location)
		calendar.QueueBetween(b, v.CompanyID, calendar.ScopeFor(v), []calendar.Calendar{{Kind: "person", ID: v.MembershipID}},
			day.Start, day.End, &p.Reminders)
	})
	h.Render(w, r, err, portalview.Today(h.portalChrome(r, "Today"), p))
}
