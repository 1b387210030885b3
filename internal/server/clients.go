package server

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
	"fieldops/internal/staff"
	clientsview "fieldops/templates/clients"
)

// clientList is the client list: search, 50 a page by name, keyset paging both ways.
func (s *Server) clientList(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	page := clientsview.ListPage{Q: q.Get("q"), CanCreate: v.Role == identity.RoleAdmin,
		Notice: s.sessions.PopString(r.Context(), keyNotice)}
	f := clients.ListFilter{Q: strings.TrimSpace(page.Q)}
	// A mangled cursor is the first page.
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	page.Filtered = f.Q != ""
	page.Here = r.URL.RequestURI()
	if err := f.Validate(); err != nil {
		page.Errors = validation(err)
		s.render(w, r, err, clientsview.List(s.chrome(r, "Clients"), page))
		return
	}
	var list clients.ListPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	page.Rows = list.Rows
	if n := len(list.Rows); n > 0 {
		page.Pager = keysetPager("/clients", url.Values{"q": {page.Q}}, n, list.Rows[0].ID, list.Rows[n-1].ID,
			list.More, f.After != 0, f.Before != 0)
	}
	s.render(w, r, err, clientsview.List(s.chrome(r, "Clients"), page))
}

// newSiteRows is how many blank site rows a new-client form offers.
const newSiteRows = 2

func (s *Server) clientNewForm(w http.ResponseWriter, r *http.Request) {
	p := clientsview.FormPage{Form: clients.Form{Sites: make([]clients.SiteForm, newSiteRows)}}
	s.render(w, r, nil, clientsview.Form(s.chrome(r, "New client"), p))
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

// clientCreate saves a new client with its sites; "Add another site" re-shows the form with one more row instead.
func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := clientForm(r)
	if r.PostFormValue("add_site") != "" {
		if len(f.Sites) < clients.MaxNewSites {
			f.Sites = append(f.Sites, clients.SiteForm{})
		}
		s.render(w, r, nil, clientsview.Form(s.chrome(r, "New client"), clientsview.FormPage{Form: f}))
		return
	}
	co := viewerOf(r).CompanyID
	var id int64
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		id, err = clients.Create(r.Context(), tx, co, f)
		return err
	})
	if err != nil {
		// Show the rows as Validate numbered them (blank rows dropped), plus one blank row to fill.
		f.Normalize()
		f.Sites = append(f.Sites, clients.SiteForm{})
		s.render(w, r, err, clientsview.Form(s.chrome(r, "New client"), clientsview.FormPage{Form: f, Errors: validation(err)}))
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Client saved.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// clientShow is a client record: details, co-workers and sites.
func (s *Server) clientShow(w http.ResponseWriter, r *http.Request) {
	s.showClient(w, r, clientState{})
}

// clientState is what a client record shows besides the client: a form as typed and what was wrong with it.
type clientState struct {
	site   clients.SiteForm
	invite *staff.InviteForm
	err    error
}

// showClient renders the record, with a form as typed and its errors when there are any.
func (s *Server) showClient(w http.ResponseWriter, r *http.Request, st clientState) {
	site, formErr := st.site, st.err
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	co := v.CompanyID
	p := clientsview.ShowPage{CanAssign: v.Role == identity.RoleAdmin, Site: site, Errors: validation(formErr),
		SiteFiles: map[int64][]files.File{}}
	if formErr == nil {
		p.Notice = s.sessions.PopString(r.Context(), keyNotice)
	}
	var assignable []clients.Coworker
	var set settings.Settings
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) {
		clients.QueueGet(b, co, clients.ScopeFor(v), id, &p.Client)
		clients.QueueSites(b, co, id, &p.Sites)
		clients.QueueCoworkers(b, co, id, &p.Coworkers)
		clients.QueueSiteFiles(b, co, id, p.SiteFiles)
		jobs.QueueForClient(b, co, jobs.ScopeFor(v), id, &p.Jobs)
		if p.CanAssign {
			clients.QueueAssignable(b, co, &assignable)
			staff.QueueClientUsers(b, co, id, &p.PortalUsers, &p.PortalInvitations)
			settings.QueueGet(b, co, &set)
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
	s.render(w, r, err, clientsview.Show(s.chrome(r, p.Client.Name), p))
}

func (s *Server) clientEditForm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	var c clients.Client
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueGet(b, v.CompanyID, clients.ScopeFor(v), id, &c)
	})
	p := clientsview.FormPage{ID: id, Form: clients.Form{Name: c.Name, Email: c.Email, Phone: c.Phone, BillingAddress: c.BillingAddress, Notes: c.Notes}}
	s.render(w, r, err, clientsview.Form(s.chrome(r, "Edit client"), p))
}

func (s *Server) clientUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := clientForm(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.Update(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, f)
	})
	if err != nil {
		f.Normalize()
		s.render(w, r, err, clientsview.Form(s.chrome(r, "Edit client"), clientsview.FormPage{ID: id, Form: f, Errors: validation(err)}))
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Client saved.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// clientAddSite adds a site from the record's form; a mistake re-shows the record with the message by the field.
func (s *Server) clientAddSite(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	site := clients.SiteForm{Name: r.PostFormValue("site_name"), Address: r.PostFormValue("site_address")}
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		_, err := clients.AddSite(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, site)
		return err
	})
	if apperr.AsValidation(err) != nil {
		site.Normalize()
		s.showClient(w, r, clientState{site: site, err: err})
		return
	}
	s.afterClientChange(w, r, id, err, "Site added.")
}

func (s *Server) clientRemoveSite(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	siteID, ok := s.pathID(w, r, "siteID")
	if !ok {
		return
	}
	v := viewerOf(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.RemoveSite(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, siteID)
	})
	if apperr.AsValidation(err) != nil {
		s.showClient(w, r, clientState{err: err})
		return
	}
	s.afterClientChange(w, r, id, err, "Site removed.")
}

func (s *Server) clientAssign(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	member, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return clients.Assign(r.Context(), tx, co, id, member) })
	s.afterClientChange(w, r, id, err, "Co-worker assigned.")
}

func (s *Server) clientUnassign(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	member, ok := s.pathID(w, r, "membershipID")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return clients.Unassign(r.Context(), tx, co, id, member) })
	s.afterClientChange(w, r, id, err, "Co-worker removed.")
}

// afterClientChange sends the browser back to the record with notice, or shows the error page.
func (s *Server) afterClientChange(w http.ResponseWriter, r *http.Request, id int64, err error, notice string) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, notice)
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// clientExport answers the bulk bar's Export: the ticked clients as a CSV file. Ids outside the viewer's scope
// are left out, as if they did not exist.
func (s *Server) clientExport(w http.ResponseWriter, r *http.Request) {
	ids := tickedIDs(r)
	if len(ids) == 0 {
		s.sessions.Put(r.Context(), keyNotice, "Tick at least one client first.")
		http.Redirect(w, r, "/clients", http.StatusSeeOther)
		return
	}
	v := viewerOf(r)
	var cs []clients.Client
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueByIDs(b, v.CompanyID, clients.ScopeFor(v), ids, &cs)
	})
	if err != nil {
		s.fail(w, r, err)
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
