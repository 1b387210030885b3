package server

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"fieldops/internal/apperr"
	"fieldops/templates/layout"
)

// render writes c, or the page err calls for. A ValidationError renders c itself with 422 (c is the form holding
// the messages and the typed values), or 429 when it says the caller is rate-limited; any other error renders an
// error page through fail.
func (s *Server) render(w http.ResponseWriter, r *http.Request, err error, c templ.Component) {
	status := http.StatusOK
	if err != nil {
		if apperr.AsValidation(err) == nil {
			s.fail(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
		if errors.Is(err, apperr.ErrTooManyRequests) {
			status = http.StatusTooManyRequests
		}
	}
	s.write(w, r, status, c)
}

// fail renders the error page for err: the domain's sentinel errors decide the status; anything else is logged
// and answered with a 500 page that says nothing of the cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var page layout.ErrorPage
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		page = layout.ErrorPage{Status: http.StatusNotFound, Heading: "Page not found",
			Message: "There is nothing here, or it is not yours to see. Check the address, or start again from the menu."}
	case errors.Is(err, apperr.ErrForbidden):
		page = layout.ErrorPage{Status: http.StatusForbidden, Heading: "Not allowed",
			Message: "Your account does not have permission to do that. Ask an admin of your company if you need it."}
	case errors.Is(err, apperr.ErrConflict):
		page = layout.ErrorPage{Status: http.StatusConflict, Heading: "That changed meanwhile",
			Message: "Someone else changed this at the same time. Reload the page and try again."}
	default:
		s.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestIDOf(r))
		page = layout.ErrorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong",
			Message: "It is not your fault, and it has been logged. Try again in a moment."}
	}
	s.write(w, r, page.Status, layout.Error(s.chrome(r, page.Heading), page))
}

// write renders c into a buffer first, so a view that fails half-way still becomes a clean 500 page.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.ErrorContext(r.Context(), "render failed", "err", err, "request_id", requestIDOf(r))
		status = http.StatusInternalServerError
		buf.Reset()
		page := layout.ErrorPage{Status: status, Heading: "Something went wrong",
			Message: "It is not your fault, and it has been logged. Try again in a moment."}
		if err := layout.Error(s.chrome(r, page.Heading), page).Render(r.Context(), &buf); err != nil {
			http.Error(w, "Something went wrong", status)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// notFound answers routes that do not exist, or that lie outside the caller's route groups.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.ErrNotFound)
}

// chrome is the frame's view of the request: who is logged in and the nav they may use.
func (s *Server) chrome(r *http.Request, title string) layout.Chrome {
	c := layout.Chrome{Title: title}
	v := viewerOf(r)
	if v == nil {
		return c
	}
	c.LoggedIn = true
	c.PersonName = v.Name
	c.Company = v.CompanyName
	c.CanSwitch = v.Memberships > 1
	for _, a := range v.Role.Areas() {
		current := r.URL.Path == a.Path || strings.HasPrefix(r.URL.Path, a.Path+"/")
		link := layout.NavLink{Name: a.Name, Path: a.Path, Current: current}
		if a.Path == "/jobs" {
			link.Badge = v.FromClients // jobs raised in the portal that nobody in the office has opened
		}
		c.Nav = append(c.Nav, link)
	}
	return c
}
