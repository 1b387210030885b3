package server

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/staff"
	"fieldops/internal/token"
)

// clientPortalInvite sends a Job Share Plus invitation for the client: a client user with the permissions ticked.
func (s *Server) clientPortalInvite(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.RoleClient, ClientID: id, Perms: permissionsForm(r)}
	f.Normalize()
	tok := token.New()
	msg, err := s.invitationEmail(r, identity.RoleClient, tok)
	if err == nil {
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := staff.Invite(r.Context(), tx, v.CompanyID, v.MembershipID, f, tok.Hash, msg)
			return err
		})
	}
	if apperr.AsValidation(err) != nil {
		s.showClient(w, r, clientState{invite: &f, err: err})
		return
	}
	s.afterClientChange(w, r, id, err, "Job Share Plus invitation sent to "+f.Email+".")
}

// clientPortalPermissions saves one client user's permissions.
func (s *Server) clientPortalPermissions(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	member, ok := s.pathID(w, r, "membershipID")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error {
		return staff.SetPermissions(r.Context(), tx, co, id, member, permissionsForm(r))
	})
	s.afterClientChange(w, r, id, err, "Permissions saved: they apply from the user's next page.")
}

// clientsPortalPermissions is the client list's bulk action: the same permissions for every Job Share Plus user
// of the ticked clients.
func (s *Server) clientsPortalPermissions(w http.ResponseWriter, r *http.Request) {
	ids := tickedIDs(r)
	co := viewerOf(r).CompanyID
	var n int
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		n, err = staff.SetPermissionsForClients(r.Context(), tx, co, ids, permissionsForm(r))
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, fmt.Sprintf("Job Share Plus permissions set for %d users and invitations.", n))
	http.Redirect(w, r, backTo(r, "/clients"), http.StatusSeeOther)
}
