package server

import (
	"net/http"

	"fieldops/internal/identity"

	"fieldops/templates/home"
)

// home is the start page: an introduction for visitors, a welcome for people logged in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if v == nil {
		if s.sessions.GetInt64(r.Context(), keyAccount) != 0 {
			// Logged in, company not yet chosen.
			http.Redirect(w, r, "/switch", http.StatusSeeOther)
			return
		}
		s.render(w, r, nil, home.Page(s.chrome(r, "Welcome")))
		return
	}
	if v.Role == identity.RoleClient {
		http.Redirect(w, r, "/portal/jobs", http.StatusSeeOther) // the notice, if any, shows there
		return
	}
	s.render(w, r, nil, home.Dashboard(s.chrome(r, "Home"), home.Welcome{Name: v.Name, Company: v.CompanyName,
		Role: v.Role.Label(), Admin: v.Role == identity.RoleAdmin, Notice: s.sessions.PopString(r.Context(), keyNotice)}))
}
