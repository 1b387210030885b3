package office

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	"fieldops/templates/email"
	staffview "fieldops/templates/staff"
)

// StaffList is the Staff page: people, invitations and seats.
func (h *Handlers) StaffList(w http.ResponseWriter, r *http.Request) {
	h.showStaff(w, r, nil)
}

// showStaff renders the Staff page; refused is an action of the page that was refused, said at the top.
func (h *Handlers) showStaff(w http.ResponseWriter, r *http.Request, refused error) {
	co := page.ViewerOf(r).CompanyID
	p := staffview.ListPage{Errors: page.Validation(refused)}
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		staff.QueuePeople(b, co, &p.People)
		staff.QueueInvitations(b, co, &p.Invitations)
		staff.QueueSeats(b, co, &p.Seats)
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.List(h.Chrome(r, "Staff"), p))
}

// StaffInviteForm answers GET /staff/invite.
func (h *Handlers) StaffInviteForm(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	p := staffview.InvitePage{Form: staff.InviteForm{Role: identity.RoleCoWorker}}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) { staff.QueueSeats(b, co, &p.Seats) })
	h.Render(w, r, err, staffview.Invite(h.Chrome(r, "Invite"), p))
}

// StaffInvite records the invitation and queues its email in one transaction.
func (h *Handlers) StaffInvite(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.Role(r.PostFormValue("role"))}
	f.Normalize()
	tok := token.New()
	msg, err := h.invitationEmail(r, f.Role, tok)
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := staff.Invite(r.Context(), tx, v.CompanyID, v.MembershipID, f, tok.Hash, msg)
			return err
		})
	}
	if err != nil {
		p := staffview.InvitePage{Form: f, Errors: page.Validation(err)}
		if rerr := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueueSeats(b, v.CompanyID, &p.Seats) }); rerr != nil {
			err = rerr
		}
		h.Render(w, r, err, staffview.Invite(h.Chrome(r, "Invite"), p))
		return
	}
	h.Done(w, r, nil, "/staff", "Invitation sent to "+f.Email+".")
}

// invitationEmail renders the invitation email whose link holds tok; the domain addresses and queues it.
func (h *Handlers) invitationEmail(r *http.Request, role identity.Role, tok token.Token) (mail.Email, error) {
	v := page.ViewerOf(r)
	d := email.Invite{Company: v.CompanyName, InvitedBy: v.Name, Role: role.WithArticle(), Link: h.BaseURL + "/invite/" + tok.Raw}
	text, html, err := email.Render(r.Context(), "invite.txt", d, email.InviteHTML(d))
	return mail.Email{Subject: "Join " + v.CompanyName + " on fieldops", Text: text, HTML: html}, err
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
	msg, err := h.invitationEmail(r, inv.Role, tok)
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
		h.Done(w, r, err, "/staff", notice)
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
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueuePerson(b, v.CompanyID, id, &p.Person) })
	p.Name, p.Role = p.Person.Name, p.Person.Role
	if typed != nil {
		p.Name, p.Role = typed.Name, typed.Role
	}
	p.CanEdit = p.Person.Role.IsOffice()
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
