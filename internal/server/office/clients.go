package office

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/chat"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/share"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	clientsview "fieldops/templates/clients"
)

// ClientList is the client list: search, 50 a page by name, keyset paging both ways.
func (h *Handlers) ClientList(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	p := clientsview.ListPage{Q: q.Get("q"), CanCreate: v.Role.IsAdmin(),
		Notice: h.Notice(r)}
	f := clients.ListFilter{Q: strings.TrimSpace(p.Q)}
	// A mangled cursor is the first page.
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	p.Filtered = f.Q != ""
	p.Here = r.URL.RequestURI()
	if err := f.Validate(); err != nil {
		p.Errors = page.Validation(err)
		h.Render(w, r, err, clientsview.List(h.Chrome(r, "Clients"), p))
		return
	}
	var list clients.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	p.Rows = list.Rows
	if n := len(list.Rows); n > 0 {
		p.Pager = page.Keyset{Path: "/clients", Filters: url.Values{"q": {p.Q}}, Rows: n, First: list.Rows[0].ID, Last: list.Rows[n-1].ID,
			More: list.More, After: f.After, Before: f.Before}.Pager()
	}
	h.Render(w, r, err, clientsview.List(h.Chrome(r, "Clients"), p))
}

// newSiteRows is how many blank site rows a new-client form offers.
const newSiteRows = 2

// ClientNewForm answers GET /clients/new.
func (h *Handlers) ClientNewForm(w http.ResponseWriter, r *http.Request) {
	p := clientsview.FormPage{Form: clients.Form{Sites: make([]clients.SiteForm, newSiteRows)}, Invite: true}
	h.Render(w, r, nil, clientsview.Form(h.Chrome(r, "New client"), p))
}

// clientForm reads the client form; site rows are site_name_N / site_address_N.
func clientForm(r *http.Request) clients.Form {
	f := clients.Form{
		Name:           r.PostFormValue("name"),
		Email:          r.PostFormValue("email"),
		Phone:          r.PostFormValue("phone"),
		BillingAddress: r.PostFormValue("billing_address"),
		Notes:          r.PostFormValue("notes"),
	}
	for i := 0; i <= clients.MaxNewSites; i++ {
		name, nameOK := r.PostForm["site_name_"+strconv.Itoa(i)]
		addr, addrOK := r.PostForm["site_address_"+strconv.Itoa(i)]
		if !nameOK && !addrOK {
			break
		}
		f.Sites = append(f.Sites, clients.SiteForm{Name: strings.Join(name, ""), Address: strings.Join(addr, "")})
	}
	return f
}

// ClientCreate saves a new client with its sites; "Add another site" re-shows the form with one more row instead.
func (h *Handlers) ClientCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := clientForm(r)
	invite := r.PostFormValue("send_invite") != ""
	if r.PostFormValue("add_site") != "" {
		if len(f.Sites) < clients.MaxNewSites {
			f.Sites = append(f.Sites, clients.SiteForm{})
		}
		h.Render(w, r, nil, clientsview.Form(h.Chrome(r, "New client"), clientsview.FormPage{Form: f, Invite: invite}))
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	tok := token.New()
	msg, err := h.InvitationEmail(r, identity.RoleClient, tok)
	var id int64
	if err == nil {
		// The client and its invitation together: a refused invitation (the email is one of your people, no seat
		// left) saves no client either.
		err = h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
			if id, err = clients.Create(r.Context(), tx, co, f); err != nil || !invite || strings.TrimSpace(f.Email) == "" {
				return err
			}
			perms, err := settings.PortalDefaults(r.Context(), tx, co)
			if err == nil {
				_, err = staff.Invite(r.Context(), tx, co, v.MembershipID,
					staff.InviteForm{Email: f.Email, Role: identity.RoleClient, ClientID: id, Perms: perms}, tok.Hash, msg)
			}
			return err
		})
	}
	if err != nil {
		// Show the rows as Validate numbered them (blank rows dropped), plus one blank row to fill.
		f.Normalize()
		f.Sites = append(f.Sites, clients.SiteForm{})
		h.Render(w, r, err, clientsview.Form(h.Chrome(r, "New client"), clientsview.FormPage{Form: f, Errors: page.Validation(err), Invite: invite}))
		return
	}
	notice := "Client saved."
	if invite && f.Email != "" {
		notice = "Client saved, and an invitation sent to " + strings.TrimSpace(f.Email) + "."
	}
	h.Done(w, r, nil, clientPath(id), notice)
}

// ClientShow is a client record: details, co-workers and sites.
func (h *Handlers) ClientShow(w http.ResponseWriter, r *http.Request) {
	h.showClient(w, r, clientState{})
}

// clientState is what a client record shows besides the client: a form as typed and what was wrong with it.
type clientState struct {
	site   clients.SiteForm
	invite *staff.InviteForm
	err    error
}

// showClient renders the record, with a form as typed and its errors when there are any.
func (h *Handlers) showClient(w http.ResponseWriter, r *http.Request, st clientState) {
	site, formErr := st.site, st.err
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	p := clientsview.ShowPage{CanAssign: v.Role.IsAdmin(), Site: site, Errors: page.Validation(formErr),
		SiteFiles: map[int64][]files.File{}}
	if formErr == nil {
		p.Notice = h.Notice(r)
	}
	var assignable []clients.Coworker
	var set settings.Settings
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		clients.QueueGet(b, co, clients.ScopeFor(v), id, &p.Client)
		clients.QueueSites(b, co, id, &p.Sites)
		clients.QueueCoworkers(b, co, id, &p.Coworkers)
		files.QueueClientSites(b, co, id, p.SiteFiles)
		jobs.QueueForClient(b, co, jobs.ScopeFor(v), id, &p.Jobs)
		if p.CanAssign {
			clients.QueueAssignable(b, co, &assignable)
			staff.QueueClientUsers(b, co, id, &p.PortalUsers, &p.PortalInvitations)
			settings.QueueGet(b, co, &set)
			notify.QueuePushOn(b, co, v.MembershipID, notify.Target{ClientID: id}, &p.PushOn)
		}
	})
	p.Invite = staff.InviteForm{Email: p.Client.Email, Perms: set.Portal}
	if st.invite != nil {
		p.Invite = *st.invite
	}
	assigned := map[int64]bool{}
	for _, c := range p.Coworkers {
		assigned[c.MembershipID] = true
	}
	for _, c := range assignable {
		if !assigned[c.MembershipID] {
			p.Assignable = append(p.Assignable, c)
		}
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, clientsview.Show(h.Chrome(r, p.Client.Name), p))
}

// ClientEditForm answers GET /clients/{id}/edit.
func (h *Handlers) ClientEditForm(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var c clients.Client
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueGet(b, v.CompanyID, clients.ScopeFor(v), id, &c)
	})
	p := clientsview.FormPage{ID: id, Form: clients.Form{Name: c.Name, Email: c.Email, Phone: c.Phone, BillingAddress: c.BillingAddress, Notes: c.Notes}}
	h.Render(w, r, err, clientsview.Form(h.Chrome(r, "Edit client"), p))
}

// ClientUpdate answers POST /clients/{id}/edit.
func (h *Handlers) ClientUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := clientForm(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.Update(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, f)
	})
	if err != nil {
		f.Normalize()
		h.Render(w, r, err, clientsview.Form(h.Chrome(r, "Edit client"), clientsview.FormPage{ID: id, Form: f, Errors: page.Validation(err)}))
		return
	}
	h.Done(w, r, nil, clientPath(id), "Client saved.")
}

// ClientAddSite adds a site from the record's form; a mistake re-shows the record with the message by the field.
func (h *Handlers) ClientAddSite(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	site := clients.SiteForm{Name: r.PostFormValue("site_name"), Address: r.PostFormValue("site_address")}
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		_, err := clients.AddSite(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, site)
		return err
	})
	if apperr.AsValidation(err) != nil {
		site.Normalize()
		h.showClient(w, r, clientState{site: site, err: err})
		return
	}
	h.Done(w, r, err, clientPath(id), "Site added.")
}

// ClientRemoveSite answers POST /clients/{id}/sites/{siteID}/remove.
func (h *Handlers) ClientRemoveSite(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	siteID, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.RemoveSite(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, siteID)
	})
	if apperr.AsValidation(err) != nil {
		h.showClient(w, r, clientState{err: err})
		return
	}
	h.Done(w, r, err, clientPath(id), "Site removed.")
}

// ClientAssign answers POST /clients/{id}/coworkers.
func (h *Handlers) ClientAssign(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	member, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return clients.Assign(r.Context(), tx, co, id, member) })
	h.Done(w, r, err, clientPath(id), "Co-worker assigned.")
}

// ClientUnassign answers POST /clients/{id}/coworkers/{membershipID}/remove.
func (h *Handlers) ClientUnassign(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	member, ok := h.PathID(w, r, "membershipID")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error {
		if err := clients.Unassign(r.Context(), tx, co, id, member); err != nil {
			return err
		}
		if err := notify.Forget(r.Context(), tx, co, member, id); err != nil { // the client's counters go with the client
			return err
		}
		return chat.LeftClient(r.Context(), tx, co, member, id) // an open page of its room or its groups' closes
	})
	h.Done(w, r, err, clientPath(id), "Co-worker removed.")
}

// ClientExport answers the bulk bar's Export: the ticked clients as a CSV file. Ids outside the viewer's scope
// are left out, as if they did not exist.
func (h *Handlers) ClientExport(w http.ResponseWriter, r *http.Request) {
	ids := page.TickedIDs(r, "ids")
	if len(ids) == 0 {
		h.Done(w, r, nil, "/clients", "Tick at least one client first.")
		return
	}
	v := page.ViewerOf(r)
	var cs []clients.Client
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueByIDs(b, v.CompanyID, clients.ScopeFor(v), ids, &cs)
	})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="clients.csv"`)
	out := csv.NewWriter(w)
	out.Write([]string{"Name", "Email", "Phone", "Billing address", "Notes"})
	for _, c := range cs {
		out.Write([]string{csvSafe(c.Name), csvSafe(c.Email), csvSafe(c.Phone), csvSafe(c.BillingAddress), csvSafe(c.Notes)})
	}
	out.Flush()
}

// csvSafe keeps a spreadsheet from running what a user typed as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ClientJobShare turns Job Share on or off on one client record.
func (h *Handlers) ClientJobShare(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	on := r.PostFormValue("on") == "1"
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := clients.Lock(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id); err != nil {
			return err
		}
		_, err := clients.SetJobShare(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), []int64{id}, on)
		return err
	})
	notice := "Job Share is off: new jobs for this client send no link."
	if on {
		notice = "Job Share is on: each new job for this client emails its contact a dashboard link."
	}
	h.Done(w, r, err, clientPath(id), notice)
}

// ClientChatGuests answers POST /clients/{id}/chat-guests (admins): on=1 lets the guests of the client's users into
// its chat room, anything else keeps them out — at once, as the room's people are worked out at each request.
func (h *Handlers) ClientChatGuests(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	on := r.PostFormValue("on") == "1"
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.SetChatGuests(r.Context(), tx, v.CompanyID, id, on)
	})
	notice := "Guests are kept out of this client's chat room."
	if on {
		notice = "Guests of this client's users may now read and write in its chat room."
	}
	h.Done(w, r, err, clientPath(id), notice)
}

// ClientRevokeAllLinks revokes every Job Share link of every job of the client.
func (h *Handlers) ClientRevokeAllLinks(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var n int
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if err := clients.Lock(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id); err != nil {
			return err
		}
		n, err = share.RevokeForClient(r.Context(), tx, v.CompanyID, jobs.ActorOf(v), id)
		return err
	})
	h.Done(w, r, err, clientPath(id), fmt.Sprintf("%d Job Share links revoked.", n))
}

// ClientsJobShare is the client list's bulk action: Enable (or Disable) Job Share for selected.
func (h *Handlers) ClientsJobShare(w http.ResponseWriter, r *http.Request) {
	ids := page.TickedIDs(r, "ids")
	on := r.PostFormValue("action") == "job-share-on"
	if len(ids) == 0 {
		h.Done(w, r, nil, "/clients", "Tick at least one client first.")
		return
	}
	v := page.ViewerOf(r)
	var n int
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = clients.SetJobShare(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), ids, on)
		return err
	})
	state := "off"
	if on {
		state = "on"
	}
	h.Done(w, r, err, page.BackTo(r, "/clients"), fmt.Sprintf("Job Share turned %s for %d clients.", state, n))
}

// clientPath is a client record's address.
func clientPath(id int64) string { return "/clients/" + strconv.FormatInt(id, 10) }
