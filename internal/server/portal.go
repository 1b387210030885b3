package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
	portalview "fieldops/templates/portal"
)

// portalChrome is the portal frame's view of the request.
func (s *Server) portalChrome(r *http.Request, title string) portalview.Chrome {
	v := viewerOf(r)
	return portalview.Chrome{Title: title, ClientName: v.ClientName, Company: v.CompanyName, PersonName: v.Name,
		CanSwitch: v.Memberships > 1, Perms: v.Perms}
}

// canAddEdit refuses (403) a client user without Add and edit jobs: the control is hidden, and a forged request
// is refused here.
func (s *Server) canAddEdit(w http.ResponseWriter, r *http.Request) bool {
	if !viewerOf(r).Perms.AddEdit {
		s.fail(w, r, apperr.ErrForbidden)
		return false
	}
	return true
}

// portalJobs lists the client user's jobs: their client's, as client or billing client.
func (s *Server) portalJobs(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	p := portalview.ListPage{Q: q.Get("q"), Location: v.Location(), Notice: s.sessions.PopString(r.Context(), keyNotice)}
	f := jobs.ListFilter{Q: strings.TrimSpace(p.Q), Now: s.now()}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if err := f.Validate(); err != nil {
		p.Errors = validation(err)
		s.render(w, r, err, portalview.List(s.portalChrome(r, "Jobs"), p))
		return
	}
	var list jobs.ListPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueList(b, v.CompanyID, jobs.ScopeFor(v), f, &list) })
	p.Rows = list.Rows
	if n := len(list.Rows); n > 0 {
		p.Pager = keysetPager("/portal/jobs", url.Values{"q": {p.Q}}, n, list.Rows[0].ID, list.Rows[n-1].ID,
			list.More, f.After != 0, f.Before != 0)
	}
	s.render(w, r, err, portalview.List(s.portalChrome(r, "Jobs"), p))
}

// portalJob is one job as the client user may see it: messages only with View messages, prices only with View
// sale price (costs never), files only those marked for the client.
func (s *Server) portalJob(w http.ResponseWriter, r *http.Request) {
	s.showPortalJob(w, r, portalview.ShowPage{})
}

func (s *Server) showPortalJob(w http.ResponseWriter, r *http.Request, p portalview.ShowPage) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	co := v.CompanyID
	if p.Errors == nil {
		p.Notice = s.sessions.PopString(r.Context(), keyNotice)
	}
	var set settings.Settings
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &set)
		jobs.QueueGet(b, co, jobs.ScopeFor(v), id, &p.Job)
		jobs.QueueClientVisits(b, co, id, &p.Visits)
		jobs.QueueLines(b, co, id, &p.Lines)
		files.QueueList(b, co, files.Owner{JobID: id}, true, &p.Files)
		if v.Perms.ViewMessages {
			jobs.QueueMessages(b, co, id, true, &p.Messages)
		}
	})
	for i := range p.Lines { // never handed to the page, not merely hidden by it
		p.Lines[i].UnitCostCents = 0
		if !v.Perms.ViewPrices {
			p.Lines[i].UnitPriceCents = 0
		}
	}
	p.Location, p.Currency = set.Location(), set.Currency
	if err == nil && p.Errors != nil {
		err = p.Errors
	}
	s.render(w, r, err, portalview.Show(s.portalChrome(r, jobs.Ref(p.Job.Number)), p))
}

// portalNewJob is the New job form; only with Add and edit jobs.
func (s *Server) portalNewJob(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	s.showPortalForm(w, r, portalview.FormPage{}, nil)
}

func (s *Server) showPortalForm(w http.ResponseWriter, r *http.Request, p portalview.FormPage, formErr error) {
	v := viewerOf(r)
	var j jobs.Job
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueSites(b, v.CompanyID, *v.ClientID, &p.Sites)
		if p.JobID != 0 {
			jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), p.JobID, &j)
		}
	})
	p.Number = j.Number
	p.Errors = validation(formErr)
	if err == nil {
		err = formErr
	}
	s.render(w, r, err, portalview.Form(s.portalChrome(r, "New job"), p))
}

// portalCreateJob adds a job for the client user's client: it lands in the office's From clients view, History
// says "Added by … (portal)", and with Job Share on the dashboard email goes out as for any new job.
func (s *Server) portalCreateJob(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	v := viewerOf(r)
	f := jobs.Form{ClientID: *v.ClientID, Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Address: r.PostFormValue("address"), Source: "portal"}
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	date := strings.TrimSpace(r.PostFormValue("preferred_date"))
	var err error
	if date != "" {
		d, perr := time.ParseInLocation("2006-01-02", date, v.Location())
		if perr != nil || d.Year() < 2000 || d.Year() > 2100 {
			err = &apperr.ValidationError{Fields: map[string]string{"preferred_date": "Pick a date from the calendar, or leave it empty."}}
		} else {
			f.Description = strings.TrimSpace(f.Description + "\n\nPreferred date: " + d.Format("Monday 2 January 2006"))
		}
	}
	var id int64
	if err == nil {
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
			if id, _, err = jobs.Create(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), f); err != nil {
				return err
			}
			return s.jobAdded(r.Context(), tx, v, id)
		})
	}
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		f.Description = r.PostFormValue("description")
		s.showPortalForm(w, r, portalview.FormPage{Form: f, Date: date}, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Job sent to "+v.CompanyName+". You can follow it here.")
	http.Redirect(w, r, "/portal/jobs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) portalEditJob(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	var j jobs.Job
	if err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }); err != nil {
		s.fail(w, r, err)
		return
	}
	f := jobs.Form{Title: j.Title, Description: j.Description}
	if j.SiteID != nil {
		f.SiteID = *j.SiteID
	} else {
		f.Address = j.Address
	}
	s.showPortalForm(w, r, portalview.FormPage{JobID: id, Number: j.Number, Form: f}, nil)
}

func (s *Server) portalUpdateJob(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := jobs.Form{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Address: r.PostFormValue("address")}
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return jobs.Update(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f)
	})
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		s.showPortalForm(w, r, portalview.FormPage{JobID: id, Form: f}, err)
		return
	}
	s.portalChanged(w, r, id, err, "Job saved.")
}

// portalAddVisit asks for a visit at a time; the office assigns who comes.
func (s *Server) portalAddVisit(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := jobs.VisitForm{Start: r.PostFormValue("start"), End: r.PostFormValue("end")}
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		_, err := jobs.AddVisit(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f, v.Location())
		return err
	})
	if apperr.AsValidation(err) != nil {
		s.showPortalJob(w, r, portalview.ShowPage{Visit: f, Errors: validation(err)})
		return
	}
	s.portalChanged(w, r, id, err, "Visit requested.")
}

// portalAddLine records time or a part; prices are the office's to set.
func (s *Server) portalAddLine(w http.ResponseWriter, r *http.Request) {
	if !s.canAddEdit(w, r) {
		return
	}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := jobs.LineForm{Description: r.PostFormValue("description"), Quantity: r.PostFormValue("quantity")}
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		_, err := jobs.AddLine(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f, false)
		return err
	})
	if apperr.AsValidation(err) != nil {
		s.showPortalJob(w, r, portalview.ShowPage{Line: f, Errors: validation(err)})
		return
	}
	s.portalChanged(w, r, id, err, "Added.")
}

func (s *Server) portalChanged(w http.ResponseWriter, r *http.Request, id int64, err error, notice string) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, notice)
	http.Redirect(w, r, "/portal/jobs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// portalFile sends a file of the client user's job that is marked for the client.
func (s *Server) portalFile(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	fileID, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	v := viewerOf(r)
	var j jobs.Job
	var f files.File
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j)
		files.QueueGet(b, v.CompanyID, files.Owner{JobID: id}, fileID, &f)
	})
	if err == nil && !f.VisibleToClient {
		err = apperr.ErrNotFound
	}
	s.serveFile(w, r, err, v.CompanyID, f, files.Original)
}
