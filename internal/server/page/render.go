package page

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/templates/layout"
)

// Render writes c, or the page err calls for. A ValidationError renders c itself with 422 (c is the form holding
// the messages and the typed values), or 429 when it says the caller is rate-limited; any other error renders an
// error page through Fail.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, err error, c templ.Component) {
	status := http.StatusOK
	if err != nil {
		if apperr.AsValidation(err) == nil {
			k.Fail(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
		if errors.Is(err, apperr.ErrTooManyRequests) {
			status = http.StatusTooManyRequests
		}
	}
	k.Write(w, r, status, c)
}

// Fail renders the error page for err: the domain's sentinel errors decide the status; anything else is logged
// and answered with a 500 page that says nothing of the cause.
func (k *Kit) Fail(w http.ResponseWriter, r *http.Request, err error) {
	var p layout.ErrorPage
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		p = layout.ErrorPage{Status: http.StatusNotFound, Heading: "Page not found",
			Message: "There is nothing here, or it is not yours to see. Check the address, or start again from the menu."}
	case errors.Is(err, apperr.ErrForbidden):
		p = layout.ErrorPage{Status: http.StatusForbidden, Heading: "Not allowed",
			Message: "Your account does not have permission to do that. Ask an admin of your company if you need it."}
	case errors.Is(err, apperr.ErrBusy):
		p = layout.ErrorPage{Status: http.StatusServiceUnavailable, Heading: "Busy right now",
			Message: "Many people are logging in at this moment. Wait a few seconds and try again."}
	case errors.Is(err, apperr.ErrTooManyRequests):
		p = layout.ErrorPage{Status: http.StatusTooManyRequests, Heading: "Too many attempts",
			Message: strings.Join(apperr.AsValidation(err).Messages(), " ")}
		if p.Message == "" {
			p.Message = "Too many attempts in a short time. Wait a few minutes and try again."
		}
	case errors.Is(err, apperr.ErrConflict) && apperr.AsValidation(err) != nil:
		// A request the thing's state forbids, with the reason (apperr.Conflict): no form offers it.
		p = layout.ErrorPage{Status: http.StatusConflict, Heading: "That cannot be done",
			Message: strings.Join(apperr.AsValidation(err).Messages(), " ")}
	case apperr.AsValidation(err) != nil:
		// Something typed was wrong, but there is no form here to show it next to (a forged or stale request).
		p = layout.ErrorPage{Status: http.StatusUnprocessableEntity, Heading: "That could not be saved",
			Message: strings.Join(apperr.AsValidation(err).Messages(), " ") + " Go back and try again."}
	case db.Unavailable(err):
		// The database is away (restarting, failing over): a clean page that says so, not a hang or a 500.
		k.Log.WarnContext(r.Context(), "database unavailable", "err", err, "request_id", RequestID(r))
		w.Header().Set("Retry-After", "5")
		p = layout.ErrorPage{Status: http.StatusServiceUnavailable, Heading: "Back in a moment",
			Message: "fieldops cannot reach its database just now. Wait a few seconds and try again; if you were saving something, check first whether it was saved."}
	case errors.Is(err, apperr.ErrConflict):
		p = layout.ErrorPage{Status: http.StatusConflict, Heading: "That changed meanwhile",
			Message: "Someone else changed this at the same time. Reload the page and try again."}
	default:
		k.Log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", RequestID(r))
		p = serverError
		p.Reference = RequestID(r)
	}
	k.Write(w, r, p.Status, layout.Error(k.Chrome(r, p.Heading), p))
}

var serverError = layout.ErrorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong",
	Message: "It is not your fault, and it has been logged. Try again in a moment."}

// Done ends a change: the error page for err, or else notice (when not "") shown once on target, after a 303.
func (k *Kit) Done(w http.ResponseWriter, r *http.Request, err error, target, notice string) {
	if err != nil {
		k.Fail(w, r, err)
		return
	}
	if notice != "" {
		k.Sessions.Put(r.Context(), keyNotice, notice)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// buffers keeps rendering buffers between requests: a big page (the board of a busy week) grows one once, not
// on every request.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 8 << 20

// Write renders c into a buffer first, so a view that fails half-way still becomes a clean 500 page.
func (k *Kit) Write(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooled {
			buffers.Put(buf)
		}
	}()
	if err := c.Render(r.Context(), buf); err != nil {
		k.Log.ErrorContext(r.Context(), "render failed", "err", err, "request_id", RequestID(r))
		status = http.StatusInternalServerError
		buf.Reset()
		failed := serverError
		failed.Reference = RequestID(r)
		if err := layout.Error(k.Chrome(r, serverError.Heading), failed).Render(r.Context(), buf); err != nil {
			http.Error(w, serverError.Heading, status)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// NotFound answers routes that do not exist, or that lie outside the caller's route groups.
func (k *Kit) NotFound(w http.ResponseWriter, r *http.Request) {
	k.Fail(w, r, apperr.ErrNotFound)
}

// Chrome is the office frame's view of the request: who is logged in and the nav they may use.
func (k *Kit) Chrome(r *http.Request, title string) layout.Chrome {
	c := layout.Chrome{Title: title}
	v := ViewerOf(r)
	if v == nil {
		return c
	}
	c.LoggedIn = true
	c.PersonName = v.Name
	c.Company = v.CompanyName
	c.CanSwitch = v.Memberships > 1
	c.Unverified, c.CanVerify, c.Suspended = v.Unverified, v.Unverified && v.Role.IsAdmin(), v.Suspended
	c.Unread = v.Unread.Total()
	// The current area is the one whose path holds the page's most closely (the Board, not the Calendar, on
	// /calendar/board).
	current := ""
	for _, a := range v.Role.Areas() {
		if (r.URL.Path == a.Path || strings.HasPrefix(r.URL.Path, a.Path+"/")) && len(a.Path) > len(current) {
			current = a.Path
		}
	}
	for _, a := range v.Role.Areas() {
		link := layout.NavLink{Name: a.Name, Path: a.Path, Current: a.Path == current}
		switch a.Path {
		case "/jobs":
			// Jobs raised in the portal that nobody in the office has opened.
			link.Badge, link.BadgeTitle = v.FromClients, "New jobs from clients"
		case "/tasks":
			link.Badge, link.BadgeTitle = v.Unread.Tasks, "Unread about your tasks"
		case "/chat":
			link.Badge, link.BadgeTitle = v.Unread.Chat, "Rooms with unread messages"
		}
		c.Nav = append(c.Nav, link)
	}
	return c
}
