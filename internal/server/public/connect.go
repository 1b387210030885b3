package public

import (
	"context"
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
)

// openConnection finds the subcontractor invitation of the link in the path, as openInvitation does for people: a
// made-up, replaced, cancelled or used link is the 404 page, an expired one the 410 page (openInvitationLink). ok
// is false when a page was written.
func (h *Handlers) openConnection(w http.ResponseWriter, r *http.Request) (co int64, inv connections.Invitation, ok bool) {
	ok = h.openInvitationLink(w, r, func() (string, error) {
		var id int64
		var err error
		co, id, err = connections.Lookup(r.Context(), h.DB.Pool, r.PathValue("token"))
		if err == nil {
			err = h.DB.Read(r.Context(), co, func(b *pgx.Batch) { connections.QueueInvitation(b, co, id, h.Now(), &inv) })
		}
		if err == nil && inv.State == connections.StateExpired {
			err = staff.ErrInvitationExpired
		}
		if err == nil {
			inv.Firms, inv.HasAccount, err = connections.FirmsOf(r.Context(), h.DB.Pool, inv.Email)
		}
		return inv.CompanyName, err
	})
	return co, inv, ok
}

// ConnectForm answers GET /connect/{token}: a subcontractor invitation's page.
func (h *Handlers) ConnectForm(w http.ResponseWriter, r *http.Request) {
	_, inv, ok := h.openConnection(w, r)
	if !ok {
		return
	}
	h.Render(w, r, nil, auth.Connect(h.Chrome(r, "Connect with "+inv.CompanyName), connectForm(r, inv)))
}

func connectForm(r *http.Request, inv connections.Invitation) auth.ConnectForm {
	return auth.ConnectForm{Token: r.PathValue("token"), CompanyName: inv.CompanyName, Email: inv.Email,
		HasAccount: inv.HasAccount, Firms: inv.Firms}
}

// Connect accepts a subcontractor invitation for a company the invited login runs, a new company of that login,
// or — for an email without a login — a new login and company (signed up as /signup does, verification email
// included); then it logs that login in to the connected company. The sign-up and the connection are one
// transaction: a refused connection creates no company.
func (h *Handlers) Connect(w http.ResponseWriter, r *http.Request) {
	co, inv, ok := h.openConnection(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	raw := r.PathValue("token")
	f := connectForm(r, inv)
	f.Firm, f.NewCompany, f.Name = r.PostFormValue("firm"), strings.TrimSpace(r.PostFormValue("company_name")), strings.TrimSpace(r.PostFormValue("name"))
	var accountID int64
	var m identity.Membership
	var err error
	var signedUp bool
	if inv.HasAccount {
		accountID, err = h.checkInvitedPassword(r, inv.Email, r.PostFormValue("password"))
		if err == nil {
			m, err = h.firmOf(ctx, accountID, f.Firm)
		}
		if err == nil {
			err = h.DB.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
				m.CompanyID, err = connections.AcceptSubcontractor(ctx, tx, raw, accountID, m.CompanyID, f.NewCompany)
				return err
			})
		}
		if err == nil && m.ID == 0 { // a new company: its membership, for the session
			m, err = h.firmOf(ctx, accountID, strconv.FormatInt(m.CompanyID, 10))
		}
	} else {
		if wait := h.SignupsPerIP.Take(identity.ClientKey(h.ClientIP(r))); wait > 0 {
			err = fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{
				Form: "Too many sign-ups from your network. " + identity.TooManyAttempts(wait)})
		} else {
			in := identity.Signup{CompanyName: f.NewCompany, Name: f.Name, Email: inv.Email, Password: r.PostFormValue("password")}
			err = h.DB.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
				if accountID, m, err = identity.SignUp(ctx, tx, h.Hasher, in); err != nil {
					return err
				}
				_, err = connections.AcceptSubcontractor(ctx, tx, raw, accountID, m.CompanyID, "")
				return err
			})
			signedUp = err == nil
		}
	}
	err = connectRefusal(err, inv.CompanyName)
	if signedUp {
		// Connected already; a verification email that cannot be queued now is sent again from Account.
		if verr := h.DB.InCompany(ctx, m.CompanyID, func(tx pgx.Tx) error {
			return h.queueVerification(ctx, tx, accountID, m.CompanyID, f.Name, inv.Email, m.CompanyName)
		}); verr != nil {
			h.Log.ErrorContext(ctx, "connect: verification email", "err", verr, "request_id", page.RequestID(r))
		}
	}
	if err == nil {
		err = h.StartSession(ctx, accountID, 0, m)
	}
	if err != nil {
		f.Errors = page.Validation(err)
		h.Render(w, r, err, auth.Connect(h.Chrome(r, "Connect with "+inv.CompanyName), f))
		return
	}
	h.Done(w, r, nil, "/connections", "Connected: "+inv.CompanyName+" can now assign jobs to "+m.CompanyName+". They are among your customers.")
}

// firmOf is the login's admin membership of the company chosen ("new": none yet, to be created).
func (h *Handlers) firmOf(ctx context.Context, accountID int64, choice string) (identity.Membership, error) {
	if choice == "new" {
		return identity.Membership{}, nil
	}
	id, _ := strconv.ParseInt(choice, 10, 64)
	ms, err := identity.Memberships(ctx, h.DB.Pool, accountID)
	for _, m := range ms {
		if m.CompanyID == id && m.Role == identity.RoleAdmin {
			return m, err
		}
	}
	if err == nil {
		err = apperr.FieldError("firm", "Choose one of your companies, or A new company.")
	}
	return identity.Membership{}, err
}

// connectRefusal puts a refused connection in words.
func connectRefusal(err error, inviter string) error {
	switch {
	case errors.Is(err, connections.ErrAlreadyConnected):
		return apperr.FieldError("firm", "This company is connected to "+inviter+" already.")
	case errors.Is(err, connections.ErrNotAdmin):
		return apperr.FieldError("firm", "You can connect only a company you are an admin of.")
	}
	return err
}
