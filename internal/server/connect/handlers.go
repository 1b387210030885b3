// Package connect is the Connections page (admins): the company's employees, customers and subcontractors in one
// place, with Add subcontractor and each invitation's Resend. Assigning a job to a subcontractor is on the job
// page (the office door); accepting an invitation is the public door's.
package connect

import (
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/connections"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	connectionsview "fieldops/templates/connections"
	"fieldops/templates/email"
)

// Handlers answers the Connections routes.
type Handlers struct {
	*page.Kit
}

// Connections answers GET /connections: the three lists, narrowed by ?q=.
func (h *Handlers) Connections(w http.ResponseWriter, r *http.Request) {
	h.show(w, r, connectionsview.Page{Q: r.URL.Query().Get("q"), Invite: connections.InviteForm{}}, nil)
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request, p connectionsview.Page, formErr error) {
	v := page.ViewerOf(r)
	q := strings.TrimSpace(p.Q)
	var people []staff.Person
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		staff.QueuePeople(b, v.CompanyID, staff.PeopleFilter{Q: q}, &people)
		connections.QueueLists(b, v.CompanyID, q, &p.Lists)
	})
	for _, person := range people {
		if person.Role.IsOffice() || person.Role == identity.RoleSubcontractor {
			p.Employees = append(p.Employees, person)
		}
	}
	p.Errors = page.Validation(formErr)
	if formErr == nil {
		p.Notice = h.Notice(r)
	} else if err == nil {
		err = formErr
	}
	h.Render(w, r, err, connectionsview.Show(h.Chrome(r, "Connections"), p))
}

// InviteSubcontractor answers POST /connections/subcontractors (Add subcontractor): an invitation email with a
// link that connects the firm's own fieldops company.
func (h *Handlers) InviteSubcontractor(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := connections.InviteForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email")}
	tok := token.New()
	msg, err := h.invitationEmail(r, f.Name, tok)
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := connections.InviteSubcontractor(r.Context(), tx, v.CompanyID, v.MembershipID, f, tok.Hash, msg)
			return err
		})
	}
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		h.show(w, r, connectionsview.Page{Invite: f}, err)
		return
	}
	h.Done(w, r, err, "/connections", "Invitation sent to "+strings.TrimSpace(f.Email)+". They appear as connected once they accept.")
}

// ResendSubcontractor sends a subcontractor's invitation again with a new link; the old one stops working.
func (h *Handlers) ResendSubcontractor(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	tok := token.New()
	var to string
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		to, err = connections.ResendSubcontractor(r.Context(), tx, v.CompanyID, v.MembershipID, id, tok.Hash,
			func(name string) (mail.Email, error) { return h.invitationEmail(r, name, tok) })
		return err
	})
	h.Done(w, r, err, "/connections", "A new invitation link is on its way to "+to+"; the old link no longer works.")
}

// CancelSubcontractor withdraws an invitation nobody accepted.
func (h *Handlers) CancelSubcontractor(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return connections.CancelSubcontractor(r.Context(), tx, v.CompanyID, id)
	})
	h.Done(w, r, err, "/connections", "Invitation cancelled: its link no longer works.")
}

// invitationEmail is a subcontractor invitation's email from the viewer to the firm named name.
func (h *Handlers) invitationEmail(r *http.Request, name string, tok token.Token) (mail.Email, error) {
	v := page.ViewerOf(r)
	d := email.Connect{Company: v.CompanyName, InvitedBy: v.Name, Firm: strings.TrimSpace(name), Link: h.BaseURL + "/connect/" + tok.Raw}
	text, html, err := email.Render(r.Context(), "connect.txt", d, email.ConnectHTML(d))
	return mail.Email{Subject: v.CompanyName + " invites you to take jobs as a subcontractor", Text: text, HTML: html}, err
}
