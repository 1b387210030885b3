package public

import (
	"net/http"
	"slices"
	"strconv"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/templates/auth"
)

// SwitchForm lists the companies of the logged-in account.
func (h *Handlers) SwitchForm(w http.ResponseWriter, r *http.Request) {
	accountID, err := h.SessionAccount(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if accountID == 0 {
		http.Redirect(w, r, "/login?next=%2Fswitch", http.StatusSeeOther)
		return
	}
	ms, err := identity.Memberships(r.Context(), h.DB.Pool, accountID)
	current := h.Sessions.GetInt64(r.Context(), page.KeyMembership)
	companies := make([]auth.Company, len(ms))
	for i, m := range ms {
		companies[i] = auth.Company{MembershipID: m.ID, Name: m.CompanyName, Role: string(m.Role), Current: m.ID == current}
	}
	h.Render(w, r, err, auth.Switch(h.Chrome(r, "Choose a company"), companies))
}

// SwitchCompany moves the session into another membership of the same account; a membership that is not the
// account's (forged) is a 404.
func (h *Handlers) SwitchCompany(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	accountID, err := h.SessionAccount(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if accountID == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	ms, err := identity.Memberships(ctx, h.DB.Pool, accountID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	i := slices.IndexFunc(ms, func(m identity.Membership) bool { return m.ID == id })
	if i < 0 {
		h.Fail(w, r, apperr.ErrNotFound)
		return
	}
	if err := h.StartSession(ctx, accountID, 0, ms[i]); err != nil {
		h.Fail(w, r, err)
		return
	}
	// A page that switches on the way (Assign to on the portal's New job) says where to land.
	http.Redirect(w, r, page.LocalPath(r.PostFormValue("next")), http.StatusSeeOther)
}
