package public

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/connections"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	"fieldops/templates/auth"
	"fieldops/templates/layout"
)

// openInvitation finds the invitation of the link in the path and reads it. A made-up, replaced or cancelled link
// is the 404 page; a used or expired one is the 410 page (openInvitationLink). ok is false when a page was written.
func (h *Handlers) openInvitation(w http.ResponseWriter, r *http.Request) (co, id int64, inv staff.Invitation, ok bool) {
	ok = h.openInvitationLink(w, r, func() (string, error) {
		var err error
		co, id, err = staff.Lookup(r.Context(), h.DB.Pool, r.PathValue("token"))
		if err == nil {
			err = h.DB.Read(r.Context(), co, func(b *pgx.Batch) { staff.QueueInvitation(b, co, id, &inv) })
		}
		switch {
		case err != nil:
		case inv.Status == staff.InvitationRegistered:
			err = staff.ErrInvitationUsed
		case inv.Status == staff.InvitationExpired:
			err = staff.ErrInvitationExpired
		}
		return inv.CompanyName, err
	})
	return co, id, inv, ok
}

// openInvitationLink opens an invitation link (of a person or of a firm) with open, which returns the inviting
// company's name: failures to find one count against the client IP, and past the limit every link is the 429 page;
// a link that cannot be used is invitationFailed's page. ok is false when a page was written.
func (h *Handlers) openInvitationLink(w http.ResponseWriter, r *http.Request, open func() (company string, err error)) (ok bool) {
	ip := identity.ClientKey(h.ClientIP(r))
	if wait := h.TokensPerIP.Wait(ip); wait > 0 {
		h.Fail(w, r, errTooManyLinks(wait))
		return false
	}
	company, err := open()
	if errors.Is(err, apperr.ErrNotFound) {
		h.TokensPerIP.Fail(ip)
	}
	if err != nil {
		h.invitationFailed(w, r, err, company)
		return false
	}
	return true
}

// invitationFailed answers a link that cannot be used, saying why and offering nothing else.
func (h *Handlers) invitationFailed(w http.ResponseWriter, r *http.Request, err error, company string) {
	var ep layout.ErrorPage
	switch {
	case errors.Is(err, staff.ErrInvitationUsed):
		ep = layout.ErrorPage{Status: http.StatusGone, Heading: "This invitation was already used",
			Message: "An invitation link works once. If it was you, log in with the email and password you chose."}
	case errors.Is(err, staff.ErrInvitationExpired):
		ep = layout.ErrorPage{Status: http.StatusGone, Heading: "This invitation has expired",
			Message: fmt.Sprintf("Invitation links work for 7 days. Ask %s to send you a new one.", company)}
	case errors.Is(err, apperr.ErrNotFound):
		ep = layout.ErrorPage{Status: http.StatusNotFound, Heading: "This invitation link does not work",
			Message: "It may have been replaced by a newer email, or cancelled. Use the link in the latest invitation email you received."}
	default:
		h.Fail(w, r, err)
		return
	}
	h.Write(w, r, ep.Status, layout.Error(h.Chrome(r, ep.Heading), ep))
}

// InviteForm answers GET /invite/{token}.
func (h *Handlers) InviteForm(w http.ResponseWriter, r *http.Request) {
	_, _, inv, ok := h.openInvitation(w, r)
	if !ok {
		return
	}
	f, err := h.acceptForm(r, inv)
	h.Render(w, r, err, auth.Accept(h.Chrome(r, "Join "+inv.CompanyName), f))
}

// acceptForm is the invitation's page; a client user's invitation to a login that runs companies offers to
// connect one of them instead (the inviter's customer).
func (h *Handlers) acceptForm(r *http.Request, inv staff.Invitation) (auth.AcceptForm, error) {
	f := auth.AcceptForm{Token: r.PathValue("token"), CompanyName: inv.CompanyName, Email: inv.Email,
		Role: inv.Role.WithArticle(), HasAccount: inv.HasAccount}
	var err error
	if inv.Role == identity.RoleClient && inv.HasAccount {
		f.Firms, _, err = connections.FirmsOf(r.Context(), h.DB.Pool, inv.Email)
	}
	return f, err
}

// InviteAccept joins the invited email's account to the company — a new account with the name and password
// typed, or the existing one after its password — and logs that account in, whoever was logged in before.
func (h *Handlers) InviteAccept(w http.ResponseWriter, r *http.Request) {
	co, id, inv, ok := h.openInvitation(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var accountID int64
	var m identity.Membership
	var err error
	firm, _ := strconv.ParseInt(r.PostFormValue("connect_firm"), 10, 64)
	if inv.HasAccount && inv.Role == identity.RoleClient && firm > 0 {
		h.acceptAsCustomer(w, r, co, inv, firm)
		return
	}
	if inv.HasAccount {
		accountID, err = h.checkInvitedPassword(r, inv.Email, r.PostFormValue("password"))
		if err == nil {
			err = h.DB.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
				m, err = staff.AcceptExisting(ctx, tx, co, id, accountID)
				return err
			})
		}
	} else {
		err = h.DB.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			accountID, m, err = staff.AcceptNew(ctx, tx, h.Hasher, co, id,
				staff.NewAccount{Name: r.PostFormValue("name"), Password: r.PostFormValue("password")})
			return err
		})
	}
	if err == nil {
		err = h.StartSession(ctx, accountID, 0, m)
	}
	if errors.Is(err, staff.ErrInvitationUsed) || errors.Is(err, staff.ErrInvitationExpired) {
		h.invitationFailed(w, r, err, inv.CompanyName)
		return
	}
	if err != nil {
		h.refuseAccept(w, r, inv, err)
		return
	}
	h.Done(w, r, nil, "/", "Welcome to "+m.CompanyName+".")
}

func (h *Handlers) refuseAccept(w http.ResponseWriter, r *http.Request, inv staff.Invitation, err error) {
	f, ferr := h.acceptForm(r, inv)
	f.Name, f.Errors = strings.TrimSpace(r.PostFormValue("name")), page.Validation(err)
	f.ConnectFirm, _ = strconv.ParseInt(r.PostFormValue("connect_firm"), 10, 64)
	h.Render(w, r, errors.Join(err, ferr), auth.Accept(h.Chrome(r, "Join "+inv.CompanyName), f))
}

// acceptAsCustomer uses a client user's invitation to connect firm, a company the invited login runs, as the
// inviter's customer (no portal login is made), and logs the login in to that company.
func (h *Handlers) acceptAsCustomer(w http.ResponseWriter, r *http.Request, co int64, inv staff.Invitation, firm int64) {
	ctx := r.Context()
	accountID, err := h.checkInvitedPassword(r, inv.Email, r.PostFormValue("password"))
	var m identity.Membership
	if err == nil {
		m, err = h.firmOf(ctx, accountID, strconv.FormatInt(firm, 10))
	}
	if err == nil {
		err = h.DB.InCompany(ctx, co, func(tx pgx.Tx) error {
			return connections.AcceptAsCustomer(ctx, tx, r.PathValue("token"), accountID, firm)
		})
	}
	if errors.Is(err, apperr.ErrNotFound) {
		h.invitationFailed(w, r, err, inv.CompanyName)
		return
	}
	if err = connectRefusal(err, inv.CompanyName); err == nil {
		err = h.StartSession(ctx, accountID, 0, m)
	}
	if v := page.Validation(err); v != nil && v.Fields["firm"] != "" {
		v.Add("connect_firm", v.Fields["firm"])
	}
	if err != nil {
		h.refuseAccept(w, r, inv, err)
		return
	}
	h.Done(w, r, nil, "/connections", "Connected: "+m.CompanyName+" can now assign jobs to "+inv.CompanyName+" — choose them in Assign to on a new job.")
}

// checkInvitedPassword checks the password of the account holding the invited email, rate-limited as logins are.
func (h *Handlers) checkInvitedPassword(r *http.Request, email, password string) (int64, error) {
	if password == "" {
		return 0, apperr.FieldError("password", "Enter your password.")
	}
	wait, done := h.Logins.Take(h.ClientIP(r), email)
	if wait > 0 {
		return 0, fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: identity.TooManyAttempts(wait)})
	}
	id, err := identity.Authenticate(r.Context(), h.DB.Pool, h.Hasher, identity.Login{Email: email, Password: password})
	done(err)
	if errors.Is(err, identity.ErrWrongLogin) {
		return 0, apperr.FieldError("password", "That is not the password of this login.")
	}
	return id, err
}
