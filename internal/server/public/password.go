package public

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/templates/auth"
	"fieldops/templates/email"
)

// ForgotForm answers GET /forgot.
func (h *Handlers) ForgotForm(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, nil, auth.Forgot(h.Chrome(r, "Forgot your password?"), auth.ForgotForm{}))
}

// Forgot answers POST /forgot: when the email has a login, a single-use link to choose a new password (one hour)
// goes out; the answer is the same whether or not it has one. Requests are limited per client IP and per email.
func (h *Handlers) Forgot(w http.ResponseWriter, r *http.Request) {
	f := auth.ForgotForm{Email: strings.TrimSpace(r.PostFormValue("email"))}
	v := &apperr.ValidationError{}
	identity.CheckEmail(v, "email", f.Email)
	err := v.Err()
	if err == nil {
		if wait := max(h.ResetsPerIP.Take(identity.ClientKey(h.ClientIP(r))), h.ResetsPerEmail.Take(strings.ToLower(f.Email))); wait > 0 {
			err = errTooManyLinks(wait)
		}
	}
	if err == nil {
		err = h.sendReset(r.Context(), f.Email)
	}
	if err != nil {
		f.Errors = page.Validation(err)
		h.Render(w, r, err, auth.Forgot(h.Chrome(r, "Forgot your password?"), f))
		return
	}
	f.Sent = true
	h.Render(w, r, nil, auth.Forgot(h.Chrome(r, "Forgot your password?"), f))
}

// sendReset mints the reset link and queues its email through the outbox of the account's company. An email
// with no login sends nothing, and a company whose email is held back (suspended, over its limits) sends
// nothing either — logged, never told to the asker, who gets the same answer.
func (h *Handlers) sendReset(ctx context.Context, addr string) error {
	req, found, err := identity.RequestReset(ctx, h.DB.Pool, addr)
	if err != nil || !found {
		return err
	}
	err = h.DB.InCompany(ctx, req.CompanyID, func(tx pgx.Tx) error {
		var company string
		if err := tx.QueryRow(ctx, `select name from companies where id = $1`, req.CompanyID).Scan(&company); err != nil {
			return fmt.Errorf("reset: company: %w", err)
		}
		d := email.Account{Company: company, Name: req.Name, Link: h.BaseURL + "/reset/" + req.Token.Raw}
		text, html, err := email.Render(ctx, "reset.txt", d, email.ResetHTML(d))
		if err != nil {
			return err
		}
		_, err = mail.Enqueue(ctx, tx, req.CompanyID, mail.Email{Kind: mail.KindReset, To: []string{req.Email},
			Subject: "Choose a new fieldops password", Text: text, HTML: html, Secret: true})
		return err
	})
	if apperr.AsValidation(err) != nil {
		h.Log.WarnContext(ctx, "password reset email held back", "company_id", req.CompanyID, "err", err)
		return nil
	}
	return err
}

// ResetForm answers GET /reset/{token}: the new-password form of a live link; a link that is unknown, used or
// expired is the 404 page (failed lookups are limited per IP).
func (h *Handlers) ResetForm(w http.ResponseWriter, r *http.Request) {
	addr, ok := h.resetLink(w, r)
	if !ok {
		return
	}
	h.Render(w, r, nil, auth.Reset(h.Chrome(r, "Choose a new password"), auth.ResetForm{Token: r.PathValue("token"), Email: addr}))
}

// Reset answers POST /reset/{token}: the new password is saved, the link is used up, and every session of the
// login ends; the person logs in with the new password.
func (h *Handlers) Reset(w http.ResponseWriter, r *http.Request) {
	addr, ok := h.resetLink(w, r)
	if !ok {
		return
	}
	_, err := identity.Reset(r.Context(), h.DB.Pool, h.Hasher, r.PathValue("token"), r.PostFormValue("password"))
	if apperr.AsValidation(err) != nil {
		h.Render(w, r, err, auth.Reset(h.Chrome(r, "Choose a new password"),
			auth.ResetForm{Token: r.PathValue("token"), Email: addr, Errors: page.Validation(err)}))
		return
	}
	if err == nil && page.ViewerOf(r) != nil {
		err = h.Sessions.Destroy(r.Context()) // this browser's session ended with the others
	}
	h.Done(w, r, err, "/login", "Your new password is saved, and every session of your login has ended. Log in with it.")
}

// resetLink finds the email a reset link is for; ok is false when a page was written.
func (h *Handlers) resetLink(w http.ResponseWriter, r *http.Request) (string, bool) {
	ip := identity.ClientKey(h.ClientIP(r))
	if wait := h.TokensPerIP.Wait(ip); wait > 0 {
		h.Fail(w, r, errTooManyLinks(wait))
		return "", false
	}
	addr, err := identity.CheckReset(r.Context(), h.DB.Pool, r.PathValue("token"))
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			h.TokensPerIP.Fail(ip)
		}
		h.Fail(w, r, err)
		return "", false
	}
	return addr, true
}

// errTooManyLinks is the 429 of a caller over a link or request limit.
func errTooManyLinks(wait time.Duration) error {
	return fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: identity.TooManyAttempts(wait)})
}
