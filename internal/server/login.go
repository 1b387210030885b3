package server

import (
	"fmt"
	"net/http"
	"strings"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/templates/auth"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if viewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	next := r.URL.Query().Get("next")
	if localPath(next) != next {
		next = ""
	}
	s.render(w, r, nil, auth.Login(s.chrome(r, "Log in"), auth.LoginForm{Next: next}))
}

// errNoCompany answers a correct login whose account has no active membership left.
var errNoCompany = &apperr.ValidationError{Form: "This login no longer has access to any company. Ask the company that invited you."}

// login checks the password (rate-limited per client IP and per email) and logs in: straight into the only
// company, or on to /switch to pick one of several.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	in := identity.Login{Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}
	in.Normalize()
	next := localPath(r.PostFormValue("next"))
	form := auth.LoginForm{Email: in.Email, Next: r.PostFormValue("next")}
	if localPath(form.Next) != form.Next {
		form.Next = ""
	}
	err := s.tryLogin(w, r, in, next)
	if err == nil {
		return
	}
	form.Errors = validation(err)
	s.render(w, r, err, auth.Login(s.chrome(r, "Log in"), form))
}

func (s *Server) tryLogin(w http.ResponseWriter, r *http.Request, in identity.Login, next string) error {
	if err := in.Validate(); err != nil {
		return err
	}
	ipKey, emailKey := s.clientIP(r).String(), strings.ToLower(in.Email)
	if wait := max(s.ipLimiter.Wait(ipKey), s.emailLimiter.Wait(emailKey)); wait > 0 {
		return fmt.Errorf("%w: %w", apperr.ErrTooManyRequests, &apperr.ValidationError{Form: identity.TooManyAttempts(wait)})
	}
	ctx := r.Context()
	accountID, err := identity.Authenticate(ctx, s.db.Pool, s.hasher, in)
	if err == identity.ErrWrongLogin {
		s.ipLimiter.Fail(ipKey)
		s.emailLimiter.Fail(emailKey)
	}
	if err != nil {
		return err
	}
	s.emailLimiter.Reset(emailKey)
	ms, err := identity.Memberships(ctx, s.db.Pool, accountID)
	if err != nil {
		return err
	}
	switch len(ms) {
	case 0:
		return errNoCompany
	case 1:
		if err := s.startSession(ctx, accountID, ms[0]); err != nil {
			return err
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	default:
		// Logged in as the account, not yet in a company: /switch asks which.
		if err := s.sessions.RenewToken(ctx); err != nil {
			return err
		}
		s.sessions.Put(ctx, keyAccount, accountID)
		http.Redirect(w, r, "/switch", http.StatusSeeOther)
	}
	return nil
}

// logout ends the session: its row is deleted and the cookie expired.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// validation is err's ValidationError, for a form to show; nil when err is another kind.
func validation(err error) *apperr.ValidationError { return apperr.AsValidation(err) }
