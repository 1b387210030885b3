package public

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/share"
	shareview "fieldops/templates/share"
)

// shareHeaders keep a dashboard out of other sites' referrers, search engines and caches.
func shareHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Cache-Control", "no-store")
}

// openShare looks up the link in the path. A live link is never throttled; failed lookups count against the
// client IP, and past the limit answer 429. Unknown, malformed and revoked links are the same 404; an expired
// one is the 410 page naming the company. ok is false when a page was written.
func (h *Handlers) openShare(w http.ResponseWriter, r *http.Request, record bool) (share.Opened, bool) {
	shareHeaders(w)
	var opens *share.Opens
	if record {
		opens = h.Opens
	}
	o, err := share.Open(r.Context(), h.DB.Pool, r.PathValue("token"), opens)
	switch {
	case err == nil && o.Expired:
		h.Write(w, r, http.StatusGone, shareview.Gone(o.CompanyName))
	case err == nil:
		return o, true
	case errors.Is(err, apperr.ErrNotFound):
		h.tokenMissed(w, r)
	default:
		h.Fail(w, r, err)
	}
	return o, false
}

// tokenMissed answers a link whose token matched nothing: the 404, and the miss counts against the client IP —
// past the limit, 429 (a live link is looked up first and never throttled).
func (h *Handlers) tokenMissed(w http.ResponseWriter, r *http.Request) {
	ip := identity.ClientKey(h.ClientIP(r))
	h.TokensPerIP.Fail(ip)
	if wait := h.TokensPerIP.Wait(ip); wait > 0 {
		h.Fail(w, r, errTooManyLinks(wait))
		return
	}
	h.Fail(w, r, apperr.ErrNotFound)
}

// ShareDashboard is the live, read-only dashboard of one job: one lookup (which records the open), then one Read.
func (h *Handlers) ShareDashboard(w http.ResponseWriter, r *http.Request) {
	o, ok := h.openShare(w, r, true)
	if !ok {
		return
	}
	p := shareview.Page{Token: r.PathValue("token"), Now: h.Now()}
	err := h.DB.Read(r.Context(), o.CompanyID, func(b *pgx.Batch) { share.QueueDashboard(b, o.CompanyID, o.JobID, &p.Dashboard) })
	p.Location = p.Settings.Location()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Write(w, r, http.StatusOK, shareview.Dashboard(p))
}

// ShareFile sends a file marked for the client, from its dashboard.
func (h *Handlers) ShareFile(w http.ResponseWriter, r *http.Request) {
	o, ok := h.openShare(w, r, false)
	if !ok {
		return
	}
	h.ServeFile(w, r, page.FileRequest{CompanyID: o.CompanyID, Owner: files.Owner{JobID: o.JobID}, ClientOnly: true,
		Variant: files.Original})
}
