package public

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/calendar"
)

// CalendarFeed answers GET /calendar/feed/{token}.ics: a person's visits and reminders as an iCalendar document
// their phone's calendar subscribes to — one lookup, then one Read, no session. Failed lookups count against the
// client IP like dashboard links; a replaced link is the same 404 as a made-up one.
func (h *Handlers) CalendarFeed(w http.ResponseWriter, r *http.Request) {
	shareHeaders(w)
	v, err := calendar.OpenFeed(r.Context(), h.DB.Pool, r.PathValue("token"))
	if errors.Is(err, apperr.ErrNotFound) {
		h.tokenMissed(w, r)
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	now := h.Now()
	var f calendar.Feed
	if err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { calendar.QueueFeed(b, &v, calendar.FeedSpan(now), &f) }); err != nil {
		h.Fail(w, r, err)
		return
	}
	domain := "fieldops"
	if u, err := url.Parse(h.BaseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="fieldops.ics"`)
	w.Write([]byte(f.ICS(v.CompanyName, h.BaseURL, domain, v.Location(), now)))
}
