package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
	"fieldops/internal/share"
	jobsview "fieldops/templates/jobs"
)

// jobList is the job list: a view, a search, newest first, 50 a page, with each view's count.
func (s *Server) jobList(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	p := jobsview.ListPage{View: q.Get("view"), Q: q.Get("q"), Counts: map[jobs.View]int64{},
		Notice: s.sessions.PopString(r.Context(), keyNotice)}
	f := jobs.ListFilter{Q: strings.TrimSpace(p.Q), Now: s.now()}
	f.Today = jobs.Today(f.Now, v.Location())
	// A mangled cursor is the first page.
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	view, verr := jobs.ParseView(p.View)
	if verr == nil {
		verr = f.Validate()
	}
	f.View = view
	var list jobs.ListPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueCounts(b, v.CompanyID, jobs.ScopeFor(v), f.Today, p.Counts)
		if verr == nil {
			jobs.QueueList(b, v.CompanyID, jobs.ScopeFor(v), f, &list)
		}
	})
	p.Rows, p.Location, p.Errors = list.Rows, v.Location(), validation(verr)
	p.Filtered = f.Q != "" || view != jobs.ViewAll
	p.Here = r.URL.RequestURI()
	if n := len(list.Rows); n > 0 {
		p.Pager = keysetPager("/jobs", url.Values{"view": {p.View}, "q": {p.Q}}, n, list.Rows[0].ID, list.Rows[n-1].ID,
			list.More, f.After != 0, f.Before != 0)
	}
	if err == nil {
		err = verr
	}
	s.render(w, r, err, jobsview.List(s.chrome(r, "Jobs"), p))
}

// jobNew is the new-job form: first the client (a search), then the job for that client.
func (s *Server) jobNew(w http.ResponseWriter, r *http.Request) {
	client, _ := strconv.ParseInt(r.URL.Query().Get("client"), 10, 64)
	if client <= 0 {
		s.pickClient(w, r)
		return
	}
	s.showJobForm(w, r, jobsview.FormPage{ClientID: client}, nil)
}

func (s *Server) pickClient(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p := jobsview.PickClientPage{Q: r.URL.Query().Get("q"), CanAddClient: v.Role == identity.RoleAdmin}
	f := clients.ListFilter{Q: strings.TrimSpace(p.Q)}
	if err := f.Validate(); err != nil {
		p.Errors = validation(err)
		s.render(w, r, err, jobsview.PickClient(s.chrome(r, "New job"), p))
		return
	}
	var list clients.ListPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	p.Clients, p.More = list.Rows, list.More
	s.render(w, r, err, jobsview.PickClient(s.chrome(r, "New job"), p))
}

// showJobForm renders the new-job (p.JobID 0) or edit-job form for p.ClientID, reading the client and its sites.
func (s *Server) showJobForm(w http.ResponseWriter, r *http.Request, p jobsview.FormPage, formErr error) {
	v := viewerOf(r)
	var c clients.Client
	scope := clients.ScopeFor(v)
	if p.JobID != 0 {
		scope = clients.Scope{} // the job's scope was checked; its client may be one reached through a visit
	}
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueGet(b, v.CompanyID, scope, p.ClientID, &c)
		clients.QueueSites(b, v.CompanyID, p.ClientID, &p.Sites)
	})
	p.ClientName = c.Name
	p.Errors = validation(formErr)
	title := "New job"
	if p.JobID != 0 {
		title = "Edit " + jobs.Ref(p.Number)
	}
	if err == nil {
		err = formErr
	}
	s.render(w, r, err, jobsview.Form(s.chrome(r, title), p))
}

func jobForm(r *http.Request) jobs.Form {
	f := jobs.Form{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Address: r.PostFormValue("address")}
	f.ClientID, _ = strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	return f
}

func (s *Server) jobCreate(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	f := jobForm(r)
	var id int64
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if id, _, err = jobs.Create(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), f); err != nil {
			return err
		}
		return s.jobAdded(r.Context(), tx, v, id)
	})
	if apperr.AsValidation(err) != nil && f.ClientID > 0 {
		f.Normalize()
		s.showJobForm(w, r, jobsview.FormPage{ClientID: f.ClientID, Form: f}, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Job created. Add its visits next.")
	http.Redirect(w, r, "/jobs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// jobState is what a job page shows besides the job: a form as typed and what was wrong with it.
type jobState struct {
	tab       string
	err       error
	visit     jobs.VisitForm
	line      jobs.LineForm
	subjob    string
	recallRef string
}

func (s *Server) jobShow(w http.ResponseWriter, r *http.Request) {
	s.showJob(w, r, jobState{tab: r.URL.Query().Get("tab")})
}

// showJob reads the job and its open tab in one Read and renders the page; st.err is a refused form's error,
// shown on the page with 422.
func (s *Server) showJob(w http.ResponseWriter, r *http.Request, st jobState) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	co := v.CompanyID
	p := jobsview.ShowPage{Tab: st.tab, ShowCosts: v.Role == identity.RoleAdmin, Errors: validation(st.err),
		VisitForm: st.visit, LineForm: st.line, SubjobTitle: st.subjob, RecallRef: st.recallRef}
	if st.err == nil {
		p.Notice = s.sessions.PopString(r.Context(), keyNotice)
	}
	var set settings.Settings
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &set)
		jobs.QueueGet(b, co, jobs.ScopeFor(v), id, &p.Job)
		share.QueueLiveCount(b, co, id, &p.LiveLinks)
		switch p.Tab {
		case "visits":
			jobs.QueueVisits(b, co, id, &p.Visits)
			jobs.QueueAssignees(b, co, &p.Assignees)
		case "lines":
			jobs.QueueLines(b, co, id, &p.Lines)
		case "files":
			queueJobFiles(b, co, id, &p.Files)
		case "messages":
			jobs.QueueMessages(b, co, id, false, &p.Messages)
		case "history":
			jobs.QueueHistory(b, co, id, &p.History)
			share.QueueLinks(b, co, id, &p.Links)
		default:
			p.Tab = "details"
			jobs.QueueSubjobs(b, co, id, &p.Subjobs)
			jobs.QueueRecalls(b, co, id, &p.Recalls)
		}
	})
	p.Location, p.Currency = set.Location(), set.Currency
	p.Totals = jobs.Sum(p.Lines)
	if err == nil && p.Job.Source == "portal" && !p.Job.Seen && (v.Role == identity.RoleAdmin || v.Role == identity.RoleCoWorker) {
		// Opening a job raised in the portal is the office seeing it: it leaves From clients and the badge.
		// The one write of a GET here besides share-link opens, and an idempotent one.
		err = s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return jobs.MarkSeen(r.Context(), tx, co, id) })
	}
	for _, sj := range p.Subjobs {
		p.SubjobsTotal += sj.TotalCents
	}
	if err == nil {
		err = st.err
	}
	s.render(w, r, err, jobsview.Show(s.chrome(r, jobs.Ref(p.Job.Number)+" "+p.Job.Title), p))
}

// jobChanged ends a change to job id: back to the page's tab with notice, the page with the form's error
// (422), or the error page.
func (s *Server) jobChanged(w http.ResponseWriter, r *http.Request, id int64, err error, st jobState, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		st.err = err
		s.showJob(w, r, st)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.sessions.Put(r.Context(), keyNotice, notice)
		target := "/jobs/" + strconv.FormatInt(id, 10)
		if st.tab != "" && st.tab != "details" {
			target += "?tab=" + url.QueryEscape(st.tab)
		}
		// An action from the job list returns to the list as it was.
		http.Redirect(w, r, backTo(r, target), http.StatusSeeOther)
	}
}

// inJob runs change on job id (from the path) in one transaction as the viewer, then answers as jobChanged.
func (s *Server) inJob(w http.ResponseWriter, r *http.Request, st jobState, notice string,
	change func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return change(tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id)
	})
	s.jobChanged(w, r, id, err, st, notice)
}

func (s *Server) jobEditForm(w http.ResponseWriter, r *http.Request) {
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
	f := jobs.Form{Title: j.Title, Description: j.Description, ClientID: j.ClientID}
	if j.SiteID != nil {
		f.SiteID = *j.SiteID
	} else {
		f.Address = j.Address
	}
	s.showJobForm(w, r, jobsview.FormPage{JobID: id, Number: j.Number, ClientID: j.ClientID, Form: f}, nil)
}

func (s *Server) jobUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	f := jobForm(r)
	var j jobs.Job
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return jobs.Update(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f)
	})
	if apperr.AsValidation(err) != nil {
		if rerr := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }); rerr != nil {
			s.fail(w, r, rerr)
			return
		}
		f.Normalize()
		s.showJobForm(w, r, jobsview.FormPage{JobID: id, Number: j.Number, ClientID: j.ClientID, Form: f}, err)
		return
	}
	s.jobChanged(w, r, id, err, jobState{}, "Job saved.")
}

// jobBillingForm lists clients to bill the job to.
func (s *Server) jobBillingForm(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	p := jobsview.BillingPage{JobID: id, Q: r.URL.Query().Get("q")}
	f := clients.ListFilter{Q: strings.TrimSpace(p.Q)}
	verr := f.Validate()
	if verr != nil {
		f.Q = ""
		p.Errors = validation(verr)
	}
	var j jobs.Job
	var list clients.ListPage
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j)
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	p.Number, p.Clients = j.Number, list.Rows
	if err == nil {
		err = verr
	}
	s.render(w, r, err, jobsview.Billing(s.chrome(r, "Billing client"), p))
}

func (s *Server) jobBilling(w http.ResponseWriter, r *http.Request) {
	billTo, _ := strconv.ParseInt(r.PostFormValue("billing_client_id"), 10, 64)
	s.inJob(w, r, jobState{}, "Billing client changed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.SetBillingClient(r.Context(), tx, co, scope, by, id, billTo)
	})
}

func (s *Server) jobStatus(w http.ResponseWriter, r *http.Request) {
	to := jobs.Status(r.PostFormValue("status"))
	s.inJob(w, r, jobState{}, "Status changed to "+to.Label()+".", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.SetStatus(r.Context(), tx, co, scope, by, id, to)
	})
}

func (s *Server) jobDefer(w http.ResponseWriter, r *http.Request) {
	s.inJob(w, r, jobState{}, "Job deferred. Undo it from this page.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.Defer(r.Context(), tx, co, scope, by, id)
	})
}

func (s *Server) jobUndefer(w http.ResponseWriter, r *http.Request) {
	s.inJob(w, r, jobState{}, "Deferral undone.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.Undefer(r.Context(), tx, co, scope, by, id)
	})
}

func (s *Server) jobCreateSubjob(w http.ResponseWriter, r *http.Request) {
	title := r.PostFormValue("title")
	var subjob int64
	st := jobState{subjob: title}
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if subjob, _, err = jobs.CreateSubjob(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, title); err != nil {
			return err
		}
		return s.jobAdded(r.Context(), tx, v, subjob)
	})
	if ve := apperr.AsValidation(err); ve != nil && ve.Field("title") != "" {
		err = &apperr.ValidationError{Fields: map[string]string{"subjob_title": ve.Field("title")}}
	}
	if err == nil {
		id = subjob // go to the new subjob
	}
	s.jobChanged(w, r, id, err, st, "Subjob created.")
}

func (s *Server) jobLinkRecall(w http.ResponseWriter, r *http.Request) {
	ref := r.PostFormValue("recall")
	s.inJob(w, r, jobState{recallRef: ref}, "Recall job linked.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		recall, err := jobs.LinkRecall(r.Context(), tx, co, scope, by, id, ref)
		if err != nil || strings.TrimSpace(ref) != "" {
			return err
		}
		return s.jobAdded(r.Context(), tx, viewerOf(r), recall) // a new recall job is a job added
	})
}

func (s *Server) jobAddVisit(w http.ResponseWriter, r *http.Request) {
	f := jobs.VisitForm{Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Notes: r.PostFormValue("notes")}
	f.AssigneeID, _ = strconv.ParseInt(r.PostFormValue("assignee_id"), 10, 64)
	loc := viewerOf(r).Location()
	s.inJob(w, r, jobState{tab: "visits", visit: f}, "Visit added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddVisit(r.Context(), tx, co, scope, by, id, f, loc)
		return err
	})
}

func (s *Server) jobRemoveVisit(w http.ResponseWriter, r *http.Request) {
	visit, ok := s.pathID(w, r, "visitID")
	if !ok {
		return
	}
	s.inJob(w, r, jobState{tab: "visits"}, "Visit removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.RemoveVisit(r.Context(), tx, co, scope, by, id, visit)
	})
}

func (s *Server) jobAddLine(w http.ResponseWriter, r *http.Request) {
	f := jobs.LineForm{Description: r.PostFormValue("description"), Quantity: r.PostFormValue("quantity"),
		UnitCost: r.PostFormValue("unit_cost"), UnitPrice: r.PostFormValue("unit_price")}
	withCost := viewerOf(r).Role == identity.RoleAdmin
	s.inJob(w, r, jobState{tab: "lines", line: f}, "Line added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddLine(r.Context(), tx, co, scope, by, id, f, withCost)
		return err
	})
}

func (s *Server) jobRemoveLine(w http.ResponseWriter, r *http.Request) {
	line, ok := s.pathID(w, r, "lineID")
	if !ok {
		return
	}
	s.inJob(w, r, jobState{tab: "lines"}, "Line removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.RemoveLine(r.Context(), tx, co, scope, by, id, line)
	})
}

func (s *Server) jobAddMessage(w http.ResponseWriter, r *http.Request) {
	body, visible := r.PostFormValue("body"), r.PostFormValue("visible_to_client") != ""
	s.inJob(w, r, jobState{tab: "messages"}, "Note added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddMessage(r.Context(), tx, co, scope, by, id, body, visible)
		return err
	})
}
