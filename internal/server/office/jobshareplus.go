package office

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
)

// ClientPortalInvite sends a Job Share Plus invitation for the client: a client user with the permissions ticked.
func (h *Handlers) ClientPortalInvite(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.RoleClient, ClientID: id, Perms: permissionsForm(r)}
	f.Normalize()
	err := h.Invite(r, f)
	if apperr.AsValidation(err) != nil {
		h.showClient(w, r, clientState{invite: &f, err: err})
		return
	}
	h.Done(w, r, err, clientPath(id), "Job Share Plus invitation sent to "+f.Email+".")
}

// ClientPortalPermissions saves one client user's permissions.
func (h *Handlers) ClientPortalPermissions(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	member, ok := h.PathID(w, r, "membershipID")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error {
		return staff.SetPermissions(r.Context(), tx, co, id, member, permissionsForm(r))
	})
	h.Done(w, r, err, clientPath(id), "Permissions saved: they apply from the user's next page.")
}

// ClientsPortalPermissions is the client list's bulk action: the same permissions for every Job Share Plus user
// of the ticked clients.
func (h *Handlers) ClientsPortalPermissions(w http.ResponseWriter, r *http.Request) {
	ids := page.TickedIDs(r, "ids")
	co := page.ViewerOf(r).CompanyID
	var n int
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		n, err = staff.SetPermissionsForClients(r.Context(), tx, co, ids, permissionsForm(r))
		return err
	})
	h.Done(w, r, err, page.BackTo(r, "/clients"), fmt.Sprintf("Job Share Plus permissions set for %d users and invitations.", n))
}
