package public

import (
	"fieldops/internal/server/page"
	"net/http"

	"fieldops/internal/identity"
	"fieldops/templates/auth"
)

func (h *Handlers) SignupForm(w http.ResponseWriter, r *http.Request) {
	if page.ViewerOf(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.Render(w, r, nil, auth.Signup(h.Chrome(r, "Sign up"), auth.SignupForm{}))
}

// Signup creates the company with its first admin and logs them in.
func (h *Handlers) Signup(w http.ResponseWriter, r *http.Request) {
	in := identity.Signup{
		CompanyName: r.PostFormValue("company_name"),
		Name:        r.PostFormValue("name"),
		Email:       r.PostFormValue("email"),
		Password:    r.PostFormValue("password"),
	}
	accountID, m, err := identity.SignUp(r.Context(), h.DB.Pool, h.Hasher, in)
	if err == nil {
		err = h.StartSession(r.Context(), accountID, m)
	}
	if err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	in.Normalize()
	form := auth.SignupForm{CompanyName: in.CompanyName, Name: in.Name, Email: in.Email, Errors: page.Validation(err)}
	h.Render(w, r, err, auth.Signup(h.Chrome(r, "Sign up"), form))
}
