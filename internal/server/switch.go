package server

import (
	"net/http"
	"slices"
	"strconv"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/templates/auth"
)

// switchForm lists the companies of the logged-in account.
func (s *Server) switchForm(w http.ResponseWriter, r *http.Request) {
	accountID := s.sessions.GetInt64(r.Context(), keyAccount)
	if accountID == 0 {
		http.Redirect(w, r, "/login?next=%2Fswitch", http.StatusSeeOther)
		return
	}
	ms, err := identity.Memberships(r.Context(), s.db.Pool, accountID)
	current := s.sessions.GetInt64(r.Context(), keyMembership)
	companies := make([]auth.Company, len(ms))
	for i, m := range ms {
		companies[i] = auth.Company{MembershipID: m.ID, Name: m.CompanyName, Role: string(m.Role), Current: m.ID == current}
	}
	s.render(w, r, err, auth.Switch(s.chrome(r, "Choose a company"), companies))
}

// switchCompany moves the session into another membership of the same account; a membership that is not the
// account's (forged) is a 404.
func (s *Server) switchCompany(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	accountID := s.sessions.GetInt64(ctx, keyAccount)
	if accountID == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	ms, err := identity.Memberships(ctx, s.db.Pool, accountID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(ms, func(m identity.Membership) bool { return m.ID == id })
	if i < 0 {
		s.fail(w, r, apperr.ErrNotFound)
		return
	}
	if err := s.startSession(ctx, accountID, ms[i]); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
