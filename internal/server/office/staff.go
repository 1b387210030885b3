package office

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/identity"
	"fieldops/internal/input"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	staffview "fieldops/templates/staff"
)

// StaffList is the Staff page: people (a tab per type of user, and a search), invitations and seats.
func (h *Handlers) StaffList(w http.ResponseWriter, r *http.Request) {
	h.showStaff(w, r, nil)
}

// showStaff renders the Staff page; refused is an action of the page that was refused, said at the top.
func (h *Handlers) showStaff(w http.ResponseWriter, r *http.Request, refused error) {
	co := page.ViewerOf(r).CompanyID
	p := staffview.ListPage{Errors: page.Validation(refused), Filter: staff.PeopleFilter{Q: r.URL.Query().Get("q")}}
	if role := identity.Role(r.URL.Query().Get("role")); slices.Contains(identity.Roles, role) {
		p.Filter.Role = role
	}
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	v := &apperr.ValidationError{}
	input.CheckSearch(v, "q", p.Filter.Q, input.MaxSearchLen)
	if v.Err() != nil {
		p.Errors, p.Filter.Q = v, ""
	}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		staff.QueuePeople(b, co, p.Filter, &p.People)
		staff.QueueInvitations(b, co, &p.Invitations)
		staff.QueueSeats(b, co, &p.Seats)
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.List(h.Chrome(r, "Staff"), p))
}

// StaffInviteForm answers GET /staff/invite; ?role= and ?host= preselect the type of user and a guest's client user.
func (h *Handlers) StaffInviteForm(w http.ResponseWriter, r *http.Request) {
	f := staff.InviteForm{Role: identity.RoleCoWorker}
	if role := identity.Role(r.URL.Query().Get("role")); slices.Contains(staff.InviteRoles, role) {
		f.Role = role
	}
	f.HostID, _ = strconv.ParseInt(r.URL.Query().Get("host"), 10, 64)
	h.showInvite(w, r, &f, nil)
}

// showInvite renders the Invite User form with what was typed and, when refused, why. A new form (refused nil)
// starts a client user's permissions at the company's defaults (Settings).
func (h *Handlers) showInvite(w http.ResponseWriter, r *http.Request, f *staff.InviteForm, refused error) {
	co := page.ViewerOf(r).CompanyID
	p := staffview.InvitePage{Errors: page.Validation(refused)}
	var defaults settings.Settings
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		staff.QueueSeats(b, co, &p.Seats)
		clients.QueueNames(b, co, clients.Everything, &p.Clients)
		staff.QueueHosts(b, co, &p.Hosts)
		settings.QueueGet(b, co, &defaults)
	})
	if refused == nil {
		f.Perms = defaults.Portal
	}
	p.Form = *f
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.Invite(h.Chrome(r, "Invite User"), p))
}

// StaffInvite records the invitation and queues its email in one transaction.
func (h *Handlers) StaffInvite(w http.ResponseWriter, r *http.Request) {
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.Role(r.PostFormValue("role"))}
	f.ClientID, _ = strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	f.HostID, _ = strconv.ParseInt(r.PostFormValue("host_id"), 10, 64)
	f.Perms = permissionsForm(r)
	f.Normalize()
	err := h.Invite(r, f)
	if apperr.AsValidation(err) != nil {
		h.showInvite(w, r, &f, err)
		return
	}
	h.Done(w, r, err, "/staff", "Invitation sent to "+f.Email+".")
}

// StaffResend sends an invitation again with a new link (the old one dies); an expired one becomes a new invitation.
func (h *Handlers) StaffResend(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var inv staff.Invitation
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueueInvitation(b, v.CompanyID, id, &inv) })
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	tok := token.New()
	msg, err := h.InvitationEmail(r, inv.Role, tok)
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := staff.Resend(r.Context(), tx, v.CompanyID, v.MembershipID, id, tok.Hash, msg)
			return err
		})
	}
	h.afterStaffAction(w, r, err, "A new invitation link is on its way to "+inv.Email+"; the old link no longer works.")
}

// StaffCancelInvitation answers POST /staff/invitations/{id}/cancel.
func (h *Handlers) StaffCancelInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.Cancel(r.Context(), tx, co, id) })
	h.afterStaffAction(w, r, err, "Invitation cancelled: its link no longer works.")
}

// afterStaffAction goes back to the Staff page with notice; a refusal in words is shown on the page (422).
func (h *Handlers) afterStaffAction(w http.ResponseWriter, r *http.Request, err error, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		h.showStaff(w, r, err)
	default:
		h.Done(w, r, err, page.BackTo(r, "/staff"), notice) // Resend on the Connections page returns there
	}
}

// StaffPerson is a person's page: name, role, deactivate or reactivate.
func (h *Handlers) StaffPerson(w http.ResponseWriter, r *http.Request) {
	h.showPerson(w, r, nil, nil)
}

// showPerson renders a person's page; typed is the edit form as sent when refused says what was wrong with it.
func (h *Handlers) showPerson(w http.ResponseWriter, r *http.Request, typed *staff.Edit, refused error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var p staffview.PersonPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		staff.QueuePerson(b, v.CompanyID, id, &p.Person)
		notify.QueueDigests(b, v.CompanyID, id, &p.Digests)
	})
	p.Name, p.Role = p.Person.Name, p.Person.Role
	if typed != nil {
		p.Name, p.Role = typed.Name, typed.Role
	}
	p.CanEdit = true
	p.IsSelf = id == v.MembershipID
	p.Errors = page.Validation(refused)
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.Person(h.Chrome(r, p.Person.Name), p))
}

// StaffUpdate answers POST /staff/{id}.
func (h *Handlers) StaffUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	in := staff.Edit{Name: r.PostFormValue("name"), Role: identity.Role(r.PostFormValue("role"))}
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.Update(r.Context(), tx, co, id, in) })
	h.afterPersonAction(w, r, id, &in, err, "Saved.")
}

// StaffDeactivate answers POST /staff/{id}/deactivate.
func (h *Handlers) StaffDeactivate(w http.ResponseWriter, r *http.Request) {
	h.staffSetActive(w, r, false)
}

// StaffReactivate answers POST /staff/{id}/reactivate.
func (h *Handlers) StaffReactivate(w http.ResponseWriter, r *http.Request) {
	h.staffSetActive(w, r, true)
}

func (h *Handlers) staffSetActive(w http.ResponseWriter, r *http.Request, active bool) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.SetActive(r.Context(), tx, co, id, active) })
	notice := "Deactivated: they are logged out and can no longer log in to this company."
	if active {
		notice = "Reactivated: they can log in again."
	}
	h.afterPersonAction(w, r, id, nil, err, notice)
}

func (h *Handlers) afterPersonAction(w http.ResponseWriter, r *http.Request, id int64, typed *staff.Edit, err error, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		h.showPerson(w, r, typed, err)
	default:
		h.Done(w, r, err, "/staff/"+strconv.FormatInt(id, 10), notice)
	}
}
