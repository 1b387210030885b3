package cowork

import (
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/input"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/visits"
	coworkview "fieldops/templates/cowork"
)

// Board answers GET /calendar/board: the dispatch board of a week (?week=, any day of it; this week by default) or
// of one day (?day=), in one Read — the staff, the visits in the viewer's scope that start on those days, and the
// visits with no time yet. A date that is not one shows this week.
func (h *Handlers) Board(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	loc := v.Location()
	now := h.Now()
	p := coworkview.BoardPage{Period: coworkview.Period{Location: loc, Now: now, Days: 7}, Notice: h.Notice(r)}
	q := r.URL.Query()
	if day, ok := parseDate(q.Get("day"), loc); ok {
		p.Start, p.Days = day, 1
	} else {
		week, ok := parseDate(q.Get("week"), loc)
		if !ok {
			week = jobs.Today(now, loc).Start
		}
		p.Start = monday(week)
	}
	scope := jobs.ScopeFor(v)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		visits.QueueAssignees(b, v.CompanyID, &p.Staff)
		jobs.QueueVisitsBetween(b, v.CompanyID, scope, p.Span(), coworkview.BoardLimit, &p.Visits)
		jobs.QueueUnscheduledVisits(b, v.CompanyID, scope, coworkview.UnscheduledLimit, &p.Unscheduled)
	})
	p.Full = len(p.Visits) == coworkview.BoardLimit
	h.Render(w, r, err, coworkview.Board(h.Chrome(r, "Board"), p))
}

// parseDate reads a date input's value ("2026-11-26") as that day's start in loc.
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	d, ok := input.ParseDate(s)
	if !ok {
		return time.Time{}, false
	}
	return jobs.StartOfDay(d.Year(), d.Month(), d.Day(), loc), true
}

// monday is the Monday of day's week, at its start.
func monday(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	y, m, d := day.Date()
	return jobs.StartOfDay(y, m, d-back, day.Location())
}
