package public

import (
	"net/http"

	"fieldops/internal/server/page"
	"fieldops/templates/home"
)

// Home is the start page of a visitor: an introduction. Someone logged in gets Today instead (see the server's
// routes); someone logged in who has not chosen a company yet goes to choose one.
func (h *Handlers) Home(w http.ResponseWriter, r *http.Request) {
	if h.Sessions.GetInt64(r.Context(), page.KeyAccount) != 0 {
		http.Redirect(w, r, "/switch", http.StatusSeeOther)
		return
	}
	h.Render(w, r, nil, home.Page(h.Chrome(r, "Welcome")))
}
