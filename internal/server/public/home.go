package public

import (
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"net/http"

	"fieldops/templates/home"
)

// Home is the start page: an introduction for visitors, a welcome for people logged in.
func (h *Handlers) Home(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	if v == nil {
		if h.Sessions.GetInt64(r.Context(), page.KeyAccount) != 0 {
			// Logged in, company not yet chosen.
			http.Redirect(w, r, "/switch", http.StatusSeeOther)
			return
		}
		h.Render(w, r, nil, home.Page(h.Chrome(r, "Welcome")))
		return
	}
	if v.Role.UsesPortal() {
		http.Redirect(w, r, "/portal/jobs", http.StatusSeeOther) // the notice, if any, shows there
		return
	}
	h.Render(w, r, nil, home.Dashboard(h.Chrome(r, "Home"), home.Welcome{Name: v.Name, Company: v.CompanyName,
		Role: v.Role.Label(), Admin: v.Role.IsAdmin(), Guest: v.Role == identity.RoleGuest, Notice: h.Notice(r)}))
}
