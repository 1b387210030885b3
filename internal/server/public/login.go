package public

import (
	"fmt"
	"net/http"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/templates/auth"
)

// LoginForm answers GET /login.
func (h *Handlers) LoginForm(w http.ResponseWriter, r *http.Request) {
	if page.ViewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	next := r.URL.Query().Get("next")
	if page.LocalPath(next) != next {
		next = ""
	}
	h.Render(w, r, nil, auth.Login(h.Chrome(r, "Log in"), auth.LoginForm{Next: next, Notice: h.Notice(r)}))
}

// errNoCompany answers a correct login whose account has no active membership left.
var errNoCompany = &apperr.ValidationError{Form: "This login no longer has access to any company. Ask the company that invited you."}

// Login checks the password (rate-limited per client IP and per email) and logs in: straight into the only
// company, or on to /switch to pick one of several.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	in := identity.Login{Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}
	in.Normalize()
	next := page.LocalPath(r.PostFormValue("next"))
	form := auth.LoginForm{Email: in.Email, Next: r.PostFormValue("next")}
	if page.LocalPath(form.Next) != form.Next {
		form.Next = ""
	}
	err := h.tryLogin(w, r, in, next)
	if err == nil {
		return
	}
	form.Errors = page.Validation(err)
	h.Render(w, r, err, auth.Login(h.Chrome(r, "Log in"), form))
}

func (h *Handlers) tryLogin(w http.ResponseWriter, r *http.Request, in identity.Login, next string) error {
	if err := in.Validate(); err != nil {
		return err
	}
	wait, done := h.Logins.Take(h.ClientIP(r), in.Email)
	if wait > 0 {
		return fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: identity.TooManyAttempts(wait)})
	}
	ctx := r.Context()
	accountID, epoch, err := identity.AuthenticateAt(ctx, h.DB.Pool, h.Hasher, in)
	done(err)
	if err != nil {
		return err
	}
	ms, err := identity.Memberships(ctx, h.DB.Pool, accountID)
	if err != nil {
		return err
	}
	switch len(ms) {
	case 0:
		return errNoCompany
	case 1:
		if err := h.StartSession(ctx, accountID, epoch, ms[0]); err != nil {
			return err
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	default:
		// Logged in as the account, not yet in a company: /switch asks which.
		if err := h.StartLogin(ctx, accountID, epoch); err != nil {
			return err
		}
		http.Redirect(w, r, "/switch", http.StatusSeeOther)
	}
	return nil
}

// Logout ends the session: its row is deleted and the cookie expired.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	if err := h.Sessions.Destroy(r.Context()); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
