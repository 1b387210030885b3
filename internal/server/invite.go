package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/staff"
	"fieldops/templates/auth"
	"fieldops/templates/layout"
)

// openInvitation finds the invitation of the link in the path and reads it. A made-up, replaced or cancelled link
// is the 404 page (failures are rate-limited per client IP); a used or expired one is the 410 page. ok is false
// when a page was written.
func (s *Server) openInvitation(w http.ResponseWriter, r *http.Request) (co, id int64, inv staff.Invitation, ok bool) {
	ip := s.clientIP(r).String()
	if wait := s.tokenLimiter.Wait(ip); wait > 0 {
		s.write(w, r, http.StatusTooManyRequests, layout.Error(s.chrome(r, "Too many attempts"), layout.ErrorPage{
			Status: http.StatusTooManyRequests, Heading: "Too many attempts", Message: identity.TooManyAttempts(wait)}))
		return 0, 0, inv, false
	}
	co, id, err := staff.Lookup(r.Context(), s.db.Pool, r.PathValue("token"))
	if err == nil {
		err = s.db.Read(r.Context(), co, func(b *pgx.Batch) { staff.QueueInvitation(b, co, id, &inv) })
	}
	if errors.Is(err, apperr.ErrNotFound) {
		s.tokenLimiter.Fail(ip)
	}
	if err == nil {
		switch inv.Status {
		case staff.InvitationRegistered:
			err = staff.ErrInvitationUsed
		case staff.InvitationExpired:
			err = staff.ErrInvitationExpired
		}
	}
	if err != nil {
		s.invitationFailed(w, r, err, inv.CompanyName)
		return 0, 0, inv, false
	}
	return co, id, inv, true
}

// invitationFailed answers a link that cannot be used, saying why and offering nothing else.
func (s *Server) invitationFailed(w http.ResponseWriter, r *http.Request, err error, company string) {
	var page layout.ErrorPage
	switch {
	case errors.Is(err, staff.ErrInvitationUsed):
		page = layout.ErrorPage{Status: http.StatusGone, Heading: "This invitation was already used",
			Message: "An invitation link works once. If it was you, log in with the email and password you chose."}
	case errors.Is(err, staff.ErrInvitationExpired):
		page = layout.ErrorPage{Status: http.StatusGone, Heading: "This invitation has expired",
			Message: fmt.Sprintf("Invitation links work for 7 days. Ask %s to send you a new one.", company)}
	case errors.Is(err, apperr.ErrNotFound):
		page = layout.ErrorPage{Status: http.StatusNotFound, Heading: "This invitation link does not work",
			Message: "It may have been replaced by a newer email, or cancelled. Use the link in the latest invitation email you received."}
	default:
		s.fail(w, r, err)
		return
	}
	s.write(w, r, page.Status, layout.Error(s.chrome(r, page.Heading), page))
}

func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	_, _, inv, ok := s.openInvitation(w, r)
	if !ok {
		return
	}
	s.render(w, r, nil, auth.Accept(s.chrome(r, "Join "+inv.CompanyName), acceptForm(r, inv)))
}

func acceptForm(r *http.Request, inv staff.Invitation) auth.AcceptForm {
	return auth.AcceptForm{Token: r.PathValue("token"), CompanyName: inv.CompanyName, Email: inv.Email,
		Role: roleArticle(inv.Role), HasAccount: inv.HasAccount}
}

// inviteAccept joins the invited email's account to the company — a new account with the name and password
// typed, or the existing one after its password — and logs that account in, whoever was logged in before.
func (s *Server) inviteAccept(w http.ResponseWriter, r *http.Request) {
	co, id, inv, ok := s.openInvitation(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var accountID int64
	var m identity.Membership
	var err error
	if inv.HasAccount {
		accountID, err = s.checkInvitedPassword(r, inv.Email, r.PostFormValue("password"))
		if err == nil {
			err = s.db.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
				m, err = staff.AcceptExisting(ctx, tx, co, id, accountID)
				return err
			})
		}
	} else {
		err = s.db.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			accountID, m, err = staff.AcceptNew(ctx, tx, s.hasher, co, id,
				staff.NewAccount{Name: r.PostFormValue("name"), Password: r.PostFormValue("password")})
			return err
		})
	}
	if err == nil {
		err = s.startSession(ctx, accountID, m)
	}
	if errors.Is(err, staff.ErrInvitationUsed) || errors.Is(err, staff.ErrInvitationExpired) {
		s.invitationFailed(w, r, err, inv.CompanyName)
		return
	}
	if err != nil {
		f := acceptForm(r, inv)
		f.Name, f.Errors = strings.TrimSpace(r.PostFormValue("name")), validation(err)
		s.render(w, r, err, auth.Accept(s.chrome(r, "Join "+inv.CompanyName), f))
		return
	}
	s.sessions.Put(ctx, keyNotice, "Welcome to "+m.CompanyName+".")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// checkInvitedPassword checks the password of the account holding the invited email, rate-limited as logins are.
func (s *Server) checkInvitedPassword(r *http.Request, email, password string) (int64, error) {
	if password == "" {
		return 0, &apperr.ValidationError{Fields: map[string]string{"password": "Enter your password."}}
	}
	ipKey, emailKey := s.clientIP(r).String(), strings.ToLower(email)
	if wait := max(s.ipLimiter.Wait(ipKey), s.emailLimiter.Wait(emailKey)); wait > 0 {
		return 0, fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: identity.TooManyAttempts(wait)})
	}
	id, err := identity.Authenticate(r.Context(), s.db.Pool, s.hasher, identity.Login{Email: email, Password: password})
	if err == identity.ErrWrongLogin {
		s.ipLimiter.Fail(ipKey)
		s.emailLimiter.Fail(emailKey)
		return 0, &apperr.ValidationError{Fields: map[string]string{"password": "That is not the password of this login."}}
	}
	if err == nil {
		s.emailLimiter.Reset(emailKey)
	}
	return id, err
}
