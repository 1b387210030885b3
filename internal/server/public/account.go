package public

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/templates/auth"
)

// Account answers GET /account: the person's own login, with Change password.
func (h *Handlers) Account(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	h.showAccount(w, r, auth.AccountPage{Name: v.Name, Notice: h.Notice(r)}, nil)
}

// showAccount renders the Account page, p holding what was typed; refused is why a form was refused.
func (h *Handlers) showAccount(w http.ResponseWriter, r *http.Request, p auth.AccountPage, refused error) {
	v := page.ViewerOf(r)
	p.Email, p.Errors = v.Email, page.Validation(refused)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { notify.QueueDigests(b, v.CompanyID, v.MembershipID, &p.Digests) })
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, auth.Account(h.Chrome(r, "Your account"), p))
}

// AccountName answers POST /account/name: the person's own name, everywhere they work.
func (h *Handlers) AccountName(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	name := r.PostFormValue("name")
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error { return identity.Rename(r.Context(), tx, v.AccountID, name) })
	if apperr.AsValidation(err) != nil {
		h.showAccount(w, r, auth.AccountPage{Name: name}, err)
		return
	}
	h.Done(w, r, err, "/account", "Name saved.")
}

// AccountNotifications answers POST /account/notifications: the person's own notification settings.
func (h *Handlers) AccountNotifications(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return notify.SetDigests(r.Context(), tx, v.CompanyID, v.MembershipID, page.AreasTicked(r, "digest_"))
	})
	h.Done(w, r, err, "/account", "Notification settings saved.")
}

// ChangePassword answers POST /account/password: with the current password, a new one; every other session of
// the login ends, and this one starts afresh.
func (h *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	ctx := r.Context()
	// Guessing the current password from a stolen session counts as guessing at login does.
	wait, done := h.Logins.Take(h.ClientIP(r), v.Email)
	var err error
	if wait > 0 {
		err = errTooManyLinks(wait)
	} else {
		err = identity.ChangePassword(ctx, h.DB, h.Hasher, v.CompanyID, v.AccountID, v.Email, r.PostFormValue("current"), r.PostFormValue("password"))
		if ve := apperr.AsValidation(err); ve != nil && ve.Field("current") == "" {
			done(apperr.ErrBusy) // refused before the current password was checked: not a guess
		} else {
			done(err)
		}
	}
	if err == nil {
		err = h.restartSession(r, v)
	}
	if apperr.AsValidation(err) != nil {
		h.showAccount(w, r, auth.AccountPage{Name: v.Name}, err)
		return
	}
	h.Done(w, r, err, "/account", "Password changed. Every other session of your login has ended.")
}

// restartSession starts a fresh session for v's membership after its session version moved on.
func (h *Handlers) restartSession(r *http.Request, v *identity.Viewer) error {
	ms, err := identity.Memberships(r.Context(), h.DB.Pool, v.AccountID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.ID == v.MembershipID {
			return h.StartSession(r.Context(), v.AccountID, 0, m)
		}
	}
	return apperr.ErrNotFound
}

// ResendVerification answers POST /account/verify: a new link for the admin of an unverified company (the old
// one dies). It counts against the company's sending limits like any email.
func (h *Handlers) ResendVerification(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	if !v.Unverified {
		h.Done(w, r, nil, "/", "Your email address is already verified.")
		return
	}
	if wait := h.VerifiesPerAccount.Take(strconv.FormatInt(v.AccountID, 10)); wait > 0 {
		h.Fail(w, r, fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{
			Form: "Verification emails were sent several times today. Check your spam folder, or try again tomorrow."}))
		return
	}
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return h.queueVerification(r.Context(), tx, v.AccountID, v.CompanyID, v.Name, v.Email, v.CompanyName)
	})
	h.Done(w, r, err, "/", "A new verification link is on its way to "+v.Email+"; the old one no longer works.")
}

// VerifyForm answers GET /verify/{token}: a button to confirm, since mail scanners open every link in an email
// and a GET changes nothing.
func (h *Handlers) VerifyForm(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, nil, auth.VerifyForm(h.Chrome(r, "Verify your email address"), r.PathValue("token")))
}

// Verify answers POST /verify/{token}: the sign-up's email is verified, and the company may email anyone within
// its limits. A link that is unknown, used or expired is the 404 page (failed lookups are limited per IP).
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) {
	ip := identity.ClientKey(h.ClientIP(r))
	if wait := h.TokensPerIP.Wait(ip); wait > 0 {
		h.Fail(w, r, errTooManyLinks(wait))
		return
	}
	_, err := identity.Verify(r.Context(), h.DB.Pool, r.PathValue("token"))
	if errors.Is(err, apperr.ErrNotFound) {
		h.TokensPerIP.Fail(ip)
	}
	target := "/login"
	if page.ViewerOf(r) != nil {
		target = "/"
	}
	h.Done(w, r, err, target, "Thank you: your email address is verified, and your company can now invite its people and email its clients.")
}
