package server

import (
	"net/http"

	"fieldops/internal/identity"
	"fieldops/templates/auth"
)

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	if viewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, nil, auth.Signup(s.chrome(r, "Sign up"), auth.SignupForm{}))
}

// signup creates the company with its first admin and logs them in.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	in := identity.Signup{
		CompanyName: r.PostFormValue("company_name"),
		Name:        r.PostFormValue("name"),
		Email:       r.PostFormValue("email"),
		Password:    r.PostFormValue("password"),
	}
	accountID, m, err := identity.SignUp(r.Context(), s.db.Pool, s.hasher, in)
	if err == nil {
		err = s.startSession(r.Context(), accountID, m)
	}
	if err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	in.Normalize()
	form := auth.SignupForm{CompanyName: in.CompanyName, Name: in.Name, Email: in.Email, Errors: validation(err)}
	s.render(w, r, err, auth.Signup(s.chrome(r, "Sign up"), form))
}
