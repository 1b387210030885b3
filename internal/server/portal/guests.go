package portal

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	portalview "fieldops/templates/portal"
)

// Guests is the client user's Guests page: the guests who serve their client with them, their invitations, and the
// form to invite one (a guest uses no seat).
func (h *Handlers) Guests(w http.ResponseWriter, r *http.Request) {
	h.showGuests(w, r, "", nil)
}

func (h *Handlers) showGuests(w http.ResponseWriter, r *http.Request, typed string, refused error) {
	v := page.ViewerOf(r)
	p := portalview.GuestsPage{Email: typed, Errors: page.Validation(refused)}
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		staff.QueueGuests(b, v.CompanyID, v.MembershipID, &p.Guests, &p.Invitations)
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, portalview.Guests(h.portalChrome(r, "Guests"), p))
}

// InviteGuest invites a guest of the client user's own: the invitation and its email in one transaction.
func (h *Handlers) InviteGuest(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.RoleGuest, HostID: v.MembershipID}
	f.Normalize()
	err := h.Invite(r, f)
	if apperr.AsValidation(err) != nil {
		h.showGuests(w, r, f.Email, err)
		return
	}
	h.Done(w, r, err, "/portal/guests", "Invitation sent to "+f.Email+".")
}

// DeactivateGuest and ReactivateGuest act on one of the client user's own guests; anyone else's id is a 404.
func (h *Handlers) DeactivateGuest(w http.ResponseWriter, r *http.Request) {
	h.setGuestActive(w, r, false)
}

// ReactivateGuest: see DeactivateGuest.
func (h *Handlers) ReactivateGuest(w http.ResponseWriter, r *http.Request) {
	h.setGuestActive(w, r, true)
}

func (h *Handlers) setGuestActive(w http.ResponseWriter, r *http.Request, active bool) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return staff.SetGuestActive(r.Context(), tx, v.CompanyID, v.MembershipID, id, active)
	})
	if apperr.AsValidation(err) != nil {
		h.showGuests(w, r, "", err)
		return
	}
	notice := "Guest deactivated: they can no longer log in."
	if active {
		notice = "Guest reactivated."
	}
	h.Done(w, r, err, "/portal/guests", notice)
}
