package public

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/templates/auth"
	"fieldops/templates/email"
)

// SignupForm answers GET /signup.
func (h *Handlers) SignupForm(w http.ResponseWriter, r *http.Request) {
	if page.ViewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.Render(w, r, nil, auth.Signup(h.Chrome(r, "Sign up"), auth.SignupForm{}))
}

// Signup creates the company with its first admin, emails them a link to verify their address, and logs them
// in. Until the link is opened the company emails only its admins. Sign-ups are limited per client IP.
func (h *Handlers) Signup(w http.ResponseWriter, r *http.Request) {
	in := identity.Signup{
		CompanyName: r.PostFormValue("company_name"),
		Name:        r.PostFormValue("name"),
		Email:       r.PostFormValue("email"),
		Password:    r.PostFormValue("password"),
	}
	ctx := r.Context()
	var err error
	if wait := h.SignupsPerIP.Take(identity.ClientKey(h.ClientIP(r))); wait > 0 {
		err = fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{
			Form: "Too many sign-ups from your network. " + identity.TooManyAttempts(wait)})
	}
	var accountID int64
	var m identity.Membership
	if err == nil {
		accountID, m, err = identity.SignUp(ctx, h.DB.Pool, h.Hasher, in)
	}
	if err == nil {
		in.Normalize()
		err = h.DB.InCompany(ctx, m.CompanyID, func(tx pgx.Tx) error {
			return h.queueVerification(ctx, tx, accountID, m.CompanyID, in.Name, in.Email, m.CompanyName)
		})
	}
	if err == nil {
		err = h.StartSession(ctx, accountID, 0, m)
	}
	if err == nil {
		h.Done(w, r, nil, "/", "Welcome to fieldops. We emailed "+in.Email+" a link to verify it.")
		return
	}
	in.Normalize()
	form := auth.SignupForm{CompanyName: in.CompanyName, Name: in.Name, Email: in.Email, Errors: page.Validation(err)}
	h.Render(w, r, err, auth.Signup(h.Chrome(r, "Sign up"), form))
}

// queueVerification mints a verification link for the company's admin and queues its email, in tx.
func (h *Handlers) queueVerification(ctx context.Context, tx pgx.Tx, accountID, companyID int64, name, to, company string) error {
	tok, err := identity.NewVerification(ctx, tx, accountID, companyID)
	if err != nil {
		return err
	}
	d := email.Account{Company: company, Name: name, Link: h.BaseURL + "/verify/" + tok.Raw}
	text, html, err := email.Render(ctx, "verify.txt", d, email.VerifyHTML(d))
	if err != nil {
		return err
	}
	_, err = mail.Enqueue(ctx, tx, companyID, mail.Email{Kind: mail.KindVerify, To: []string{to},
		Subject: "Verify your email address for fieldops", Text: text, HTML: html, Secret: true})
	return err
}
