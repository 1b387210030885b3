package server

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	"fieldops/templates/email"
	staffview "fieldops/templates/staff"
)

// staffList is the Staff page: people, invitations and seats.
func (s *Server) staffList(w http.ResponseWriter, r *http.Request) {
	s.showStaff(w, r, nil)
}

// showStaff renders the Staff page; refused is an action of the page that was refused, said at the top.
func (s *Server) showStaff(w http.ResponseWriter, r *http.Request, refused error) {
	co := viewerOf(r).CompanyID
	p := staffview.ListPage{Errors: validation(refused)}
	if refused == nil {
		p.Notice = s.sessions.PopString(r.Context(), keyNotice)
	}
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) {
		staff.QueuePeople(b, co, &p.People)
		staff.QueueInvitations(b, co, &p.Invitations)
		staff.QueueSeats(b, co, &p.Seats)
	})
	if err == nil {
		err = refused
	}
	s.render(w, r, err, staffview.List(s.chrome(r, "Staff"), p))
}

func (s *Server) staffInviteForm(w http.ResponseWriter, r *http.Request) {
	co := viewerOf(r).CompanyID
	p := staffview.InvitePage{Form: staff.InviteForm{Role: identity.RoleCoWorker}}
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) { staff.QueueSeats(b, co, &p.Seats) })
	s.render(w, r, err, staffview.Invite(s.chrome(r, "Invite"), p))
}

// staffInvite records the invitation and queues its email in one transaction.
func (s *Server) staffInvite(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.Role(r.PostFormValue("role"))}
	f.Normalize()
	tok := token.New()
	msg, err := s.invitationEmail(r, f.Role, tok)
	if err == nil {
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := staff.Invite(r.Context(), tx, v.CompanyID, v.MembershipID, f, tok.Hash, msg)
			return err
		})
	}
	if err != nil {
		p := staffview.InvitePage{Form: f, Errors: validation(err)}
		if rerr := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueueSeats(b, v.CompanyID, &p.Seats) }); rerr != nil {
			err = rerr
		}
		s.render(w, r, err, staffview.Invite(s.chrome(r, "Invite"), p))
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Invitation sent to "+f.Email+".")
	http.Redirect(w, r, "/staff", http.StatusSeeOther)
}

// invitationEmail renders the invitation email whose link holds tok; the domain addresses and queues it.
func (s *Server) invitationEmail(r *http.Request, role identity.Role, tok token.Token) (mail.Email, error) {
	v := viewerOf(r)
	d := email.Invite{Company: v.CompanyName, InvitedBy: v.Name, Role: roleArticle(role), Link: s.cfg.BaseURL + "/invite/" + tok.Raw}
	text, html, err := email.Render(r.Context(), "invite.txt", d, email.InviteHTML(d))
	return mail.Email{Subject: "Join " + v.CompanyName + " on fieldops", Text: text, HTML: html}, err
}

// roleArticle is the role with its article, as a sentence says it: "an admin", "a co-worker".
func roleArticle(r identity.Role) string {
	switch r {
	case identity.RoleAdmin:
		return "an admin"
	case identity.RoleClient:
		return "a Job Share Plus client user"
	}
	return "a " + string(r)
}

// staffResend sends an invitation again with a new link (the old one dies); an expired one becomes a new invitation.
func (s *Server) staffResend(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	var inv staff.Invitation
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueueInvitation(b, v.CompanyID, id, &inv) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tok := token.New()
	msg, err := s.invitationEmail(r, inv.Role, tok)
	if err == nil {
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := staff.Resend(r.Context(), tx, v.CompanyID, v.MembershipID, id, tok.Hash, msg)
			return err
		})
	}
	s.afterStaffAction(w, r, err, "A new invitation link is on its way to "+inv.Email+"; the old link no longer works.")
}

func (s *Server) staffCancelInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.Cancel(r.Context(), tx, co, id) })
	s.afterStaffAction(w, r, err, "Invitation cancelled: its link no longer works.")
}

// afterStaffAction goes back to the Staff page with notice; a refusal in words is shown on the page (422).
func (s *Server) afterStaffAction(w http.ResponseWriter, r *http.Request, err error, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		s.showStaff(w, r, err)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.sessions.Put(r.Context(), keyNotice, notice)
		http.Redirect(w, r, "/staff", http.StatusSeeOther)
	}
}

// staffPerson is a person's page: name, role, deactivate or reactivate.
func (s *Server) staffPerson(w http.ResponseWriter, r *http.Request) {
	s.showPerson(w, r, nil, nil)
}

// showPerson renders a person's page; typed is the edit form as sent when refused says what was wrong with it.
func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, typed *staff.Edit, refused error) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	var p staffview.PersonPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { staff.QueuePerson(b, v.CompanyID, id, &p.Person) })
	p.Name, p.Role = p.Person.Name, p.Person.Role
	if typed != nil {
		p.Name, p.Role = typed.Name, typed.Role
	}
	p.CanEdit = p.Person.Role == identity.RoleAdmin || p.Person.Role == identity.RoleCoWorker
	p.IsSelf = id == v.MembershipID
	p.Errors = validation(refused)
	if refused == nil {
		p.Notice = s.sessions.PopString(r.Context(), keyNotice)
	}
	if err == nil {
		err = refused
	}
	s.render(w, r, err, staffview.Person(s.chrome(r, p.Person.Name), p))
}

func (s *Server) staffUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	in := staff.Edit{Name: r.PostFormValue("name"), Role: identity.Role(r.PostFormValue("role"))}
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.Update(r.Context(), tx, co, id, in) })
	s.afterPersonAction(w, r, id, &in, err, "Saved.")
}

func (s *Server) staffDeactivate(w http.ResponseWriter, r *http.Request) {
	s.staffSetActive(w, r, false)
}
func (s *Server) staffReactivate(w http.ResponseWriter, r *http.Request) {
	s.staffSetActive(w, r, true)
}

func (s *Server) staffSetActive(w http.ResponseWriter, r *http.Request, active bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.SetActive(r.Context(), tx, co, id, active) })
	notice := "Deactivated: they are logged out and can no longer log in to this company."
	if active {
		notice = "Reactivated: they can log in again."
	}
	s.afterPersonAction(w, r, id, nil, err, notice)
}

func (s *Server) afterPersonAction(w http.ResponseWriter, r *http.Request, id int64, typed *staff.Edit, err error, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		s.showPerson(w, r, typed, err)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.sessions.Put(r.Context(), keyNotice, notice)
		http.Redirect(w, r, "/staff/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}
