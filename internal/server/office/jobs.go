package office

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/connections"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/input"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/share"
	"fieldops/internal/tasks"
	"fieldops/internal/visits"
	jobsview "fieldops/templates/jobs"
)

// JobList is the job list: a view, a search, newest first, 50 a page, with each view's count.
func (h *Handlers) JobList(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	p := jobsview.ListPage{View: q.Get("view"), Q: q.Get("q"), Counts: map[jobs.View]int64{}, CanBill: v.Role.IsAdmin() || v.Role == identity.RoleCoWorker,
		Notice: h.Notice(r)}
	f := jobs.ListFilter{Q: strings.TrimSpace(p.Q), Now: h.Now()}
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
	writes := h.DB.Writes(v.CompanyID)
	cached := h.Counts.Get(v.CompanyID, jobs.ScopeFor(v), f.Today, writes, p.Counts)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		if !cached {
			jobs.QueueCounts(b, v.CompanyID, jobs.ScopeFor(v), f.Today, p.Counts)
		}
		if verr == nil {
			jobs.QueueList(b, v.CompanyID, jobs.ScopeFor(v), f, &list)
		}
	})
	if err == nil && !cached {
		h.Counts.Put(v.CompanyID, jobs.ScopeFor(v), f.Today, writes, p.Counts)
	}
	p.Rows, p.Location, p.Errors = list.Rows, v.Location(), page.Validation(verr)
	p.Filtered = f.Q != "" || view != jobs.ViewAll
	p.Here = r.URL.RequestURI()
	if n := len(list.Rows); n > 0 {
		p.Pager = page.Keyset{Path: "/jobs", Filters: url.Values{"view": {p.View}, "q": {p.Q}}, Rows: n, First: list.Rows[0].ID, Last: list.Rows[n-1].ID,
			More: list.More, After: f.After, Before: f.Before}.Pager()
	}
	if err == nil {
		err = verr
	}
	h.Render(w, r, err, jobsview.List(h.Chrome(r, "Jobs"), p))
}

// JobNew is the new-job form: first the client (a search), then the job for that client.
func (h *Handlers) JobNew(w http.ResponseWriter, r *http.Request) {
	client, _ := strconv.ParseInt(r.URL.Query().Get("client"), 10, 64)
	if client <= 0 {
		h.pickClient(w, r)
		return
	}
	h.showJobForm(w, r, jobsview.FormPage{ClientID: client}, nil)
}

func (h *Handlers) pickClient(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	p := jobsview.PickClientPage{Q: r.URL.Query().Get("q"), CanAddClient: v.Role.IsAdmin()}
	f := clients.ListFilter{Q: strings.TrimSpace(p.Q)}
	if err := f.Validate(); err != nil {
		p.Errors = page.Validation(err)
		h.Render(w, r, err, jobsview.PickClient(h.Chrome(r, "New job"), p))
		return
	}
	var list clients.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	p.Clients, p.More = list.Rows, list.More
	h.Render(w, r, err, jobsview.PickClient(h.Chrome(r, "New job"), p))
}

// showJobForm renders the new-job (p.JobID 0) or edit-job form for p.ClientID, reading the client and its sites.
func (h *Handlers) showJobForm(w http.ResponseWriter, r *http.Request, p jobsview.FormPage, formErr error) {
	v := page.ViewerOf(r)
	var c clients.Client
	scope := clients.ScopeFor(v)
	if p.JobID != 0 {
		scope = clients.Everything // the job's scope was checked; its client may be one reached through a visit
	}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueGet(b, v.CompanyID, scope, p.ClientID, &c)
		clients.QueueSites(b, v.CompanyID, p.ClientID, &p.Sites)
		if p.JobID == 0 && v.Role != identity.RoleSubcontractor {
			connections.QueueFirms(b, v.CompanyID, &p.Firms)
		}
	})
	p.Company = v.CompanyName
	p.ClientName = c.Name
	p.Errors = page.Validation(formErr)
	title := "New job"
	if p.JobID != 0 {
		title = "Edit " + jobs.Ref(p.Number)
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, jobsview.Form(h.Chrome(r, title), p))
}

func jobForm(r *http.Request) jobs.Form {
	f := jobs.Form{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Address: r.PostFormValue("address")}
	f.ClientID, _ = strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	return f
}

// JobCreate answers POST /jobs/new.
func (h *Handlers) JobCreate(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := jobForm(r)
	// Assign to: a connected subcontractor gets the job in the same transaction, or nothing is saved.
	to := connections.AssignForm{}
	if c := r.PostFormValue("connection_id"); c != "" {
		var perr error
		if to.ConnectionID, perr = strconv.ParseInt(c, 10, 64); perr != nil {
			to.ConnectionID = -1 // not a choice the form offers: refused as one
		}
	}
	var id int64
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		id, _, err = jobs.Create(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), f, h.Letters)
		switch {
		case err != nil || to.ConnectionID == 0:
			return err
		case v.Role == identity.RoleSubcontractor:
			return apperr.ErrForbidden // assigning is the office's
		}
		return connections.Assign(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, to)
	})
	if apperr.AsValidation(err) != nil && f.ClientID > 0 {
		f.Normalize()
		h.showJobForm(w, r, jobsview.FormPage{ClientID: f.ClientID, Form: f, AssignTo: to.ConnectionID}, err)
		return
	}
	notice := "Job created. Add its visits next."
	if to.ConnectionID != 0 && err == nil {
		notice = "Job created and assigned: it is in their list now. Follow it here."
	}
	h.Done(w, r, err, "/jobs/"+strconv.FormatInt(id, 10), notice)
}

// jobState is what a job page shows besides the job: a form as typed and what was wrong with it.
type jobState struct {
	tab    string
	err    error
	visit  visits.Form
	line   jobs.LineForm
	subjob string
	// share and billOn are a refused subjob's billing stage, as typed.
	share, billOn string
	recallRef     string
	assign        connections.AssignForm
}

// JobShow answers GET /jobs/{id}.
func (h *Handlers) JobShow(w http.ResponseWriter, r *http.Request) {
	h.showJob(w, r, jobState{tab: r.URL.Query().Get("tab")})
}

// showJob reads the job and its open tab in one Read and renders the page; st.err is a refused form's error,
// shown on the page with 422.
func (h *Handlers) showJob(w http.ResponseWriter, r *http.Request, st jobState) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	p := jobsview.ShowPage{Tab: st.tab, ShowCosts: v.Role.SeesCosts(), Errors: page.Validation(st.err),
		VisitForm: st.visit, LineForm: st.line, SubjobTitle: st.subjob, SubjobShare: st.share, SubjobBillOn: st.billOn, RecallRef: st.recallRef, Now: h.Now(),
		// Whoever may see the job here may remove its visits, lines and files: jobs.Remove* check the same scope.
		CanRemove: true, CanBill: v.Role.IsAdmin() || v.Role == identity.RoleCoWorker}
	// A subcontractor person of the company does not learn which firm the company passes a job to.
	p.Assigning = jobsview.Assigning{CanAssign: p.CanBill, Form: st.assign, Hidden: v.Role == identity.RoleSubcontractor}
	if st.err == nil {
		p.Notice = h.Notice(r)
	}
	var set settings.Settings
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &set)
		jobs.QueueGet(b, co, jobs.ScopeFor(v), id, &p.Job)
		share.QueueLiveCount(b, co, id, &p.LiveLinks)
		switch p.Tab {
		case "visits":
			if !p.Assigning.Hidden {
				connections.QueueAssignment(b, co, id, &p.Assigning.Assignment)
			}
			visits.QueueJob(b, co, id, &p.Visits)
			visits.QueueAssignees(b, co, &p.Assignees)
		case "lines":
			jobs.QueueLines(b, co, id, &p.Lines)
			if p.CanBill {
				invoices.QueueForJob(b, co, id, &p.Invoices)
			}
		case "files":
			files.QueueList(b, co, files.Owner{JobID: id}, false, &p.Files)
		case "messages":
			jobs.QueueMessages(b, co, id, &p.Messages)
		case "history":
			jobs.QueueHistory(b, co, id, &p.History)
			share.QueueLinks(b, co, id, &p.Links)
		default:
			p.Tab = "details"
			if !p.Assigning.Hidden {
				connections.QueueAssignment(b, co, id, &p.Assigning.Assignment)
			}
			if p.Assigning.CanAssign {
				connections.QueueFirms(b, co, &p.Assigning.Firms)
			}
			jobs.QueueSubjobs(b, co, jobs.ScopeFor(v), id, &p.Subjobs)
			if p.CanBill {
				invoices.QueueStages(b, co, id, &p.Stages)
			}
			jobs.QueueRecalls(b, co, jobs.ScopeFor(v), id, &p.Recalls)
			tasks.QueueForJob(b, co, tasks.ScopeFor(v), id, &p.Tasks)
		}
	})
	h.Opens.Include(co, p.Links) // opens counted on this instance and not yet written
	p.Location, p.Currency, p.Billing = set.Location(), set.Currency, set.Billing
	p.Totals = jobs.Sum(p.Lines)
	if err == nil && p.Job.MarksSeen(v.Role) && page.SameOriginNavigation(r) {
		// The one write of a GET besides share-link opens, and an idempotent one; only a person clicking through
		// the office counts, not a link from elsewhere or a prefetch.
		err = h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return jobs.MarkSeen(r.Context(), tx, co, id) })
	}
	for _, sj := range p.Subjobs {
		p.SubjobsTotal += sj.TotalCents
	}
	if err == nil {
		err = st.err
	}
	h.Render(w, r, err, jobsview.Show(h.Chrome(r, jobs.Ref(p.Job.Number)+" "+p.Job.Title), p))
}

// jobChanged ends a change to job id: back to the page's tab with notice, the page with the form's error
// (422), or the error page.
func (h *Handlers) jobChanged(w http.ResponseWriter, r *http.Request, id int64, err error, st jobState, notice string) {
	switch {
	case apperr.AsValidation(err) != nil:
		st.err = err
		h.showJob(w, r, st)
	default:
		target := "/jobs/" + strconv.FormatInt(id, 10)
		if st.tab != "" && st.tab != "details" {
			target += "?tab=" + url.QueryEscape(st.tab)
		}
		// An action from the job list returns to the list as it was.
		h.Done(w, r, err, page.BackTo(r, target), notice)
	}
}

// JobChanged is jobChanged for another door's action on job id: a refusal in words is shown on the job's tab.
func (h *Handlers) JobChanged(w http.ResponseWriter, r *http.Request, id int64, err error, tab, notice string) {
	h.jobChanged(w, r, id, err, jobState{tab: tab}, notice)
}

// inJob runs change on job id (from the path) in one transaction as the viewer, then answers as jobChanged.
func (h *Handlers) inJob(w http.ResponseWriter, r *http.Request, st jobState, notice string,
	change func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return change(tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id)
	})
	h.jobChanged(w, r, id, err, st, notice)
}

// JobEditForm answers GET /jobs/{id}/edit.
func (h *Handlers) JobEditForm(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var j jobs.Job
	if err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.showJobForm(w, r, jobsview.FormPage{JobID: id, Number: j.Number, ClientID: j.ClientID, Form: jobs.FormOf(j)}, nil)
}

// JobUpdate answers POST /jobs/{id}/edit.
func (h *Handlers) JobUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := jobForm(r)
	var j jobs.Job
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return jobs.Update(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f)
	})
	if apperr.AsValidation(err) != nil {
		if rerr := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }); rerr != nil {
			h.Fail(w, r, rerr)
			return
		}
		f.Normalize()
		h.showJobForm(w, r, jobsview.FormPage{JobID: id, Number: j.Number, ClientID: j.ClientID, Form: f}, err)
		return
	}
	h.jobChanged(w, r, id, err, jobState{}, "Job saved.")
}

// JobBillingForm lists clients to bill the job to.
func (h *Handlers) JobBillingForm(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := jobsview.BillingPage{JobID: id, Q: r.URL.Query().Get("q")}
	f := clients.ListFilter{Q: strings.TrimSpace(p.Q)}
	verr := f.Validate()
	if verr != nil {
		f.Q = ""
		p.Errors = page.Validation(verr)
	}
	var j jobs.Job
	var list clients.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j)
		clients.QueueList(b, v.CompanyID, clients.ScopeFor(v), f, &list)
	})
	p.Number, p.Clients = j.Number, list.Rows
	if err == nil {
		err = verr
	}
	h.Render(w, r, err, jobsview.Billing(h.Chrome(r, "Billing client"), p))
}

// JobBilling answers POST /jobs/{id}/billing.
func (h *Handlers) JobBilling(w http.ResponseWriter, r *http.Request) {
	billTo, _ := strconv.ParseInt(r.PostFormValue("billing_client_id"), 10, 64)
	h.inJob(w, r, jobState{}, "Billing client changed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.SetBillingClient(r.Context(), tx, co, scope, by, id, billTo)
	})
}

// JobStatus answers POST /jobs/{id}/status.
func (h *Handlers) JobStatus(w http.ResponseWriter, r *http.Request) {
	to := jobs.Status(r.PostFormValue("status"))
	h.inJob(w, r, jobState{}, "Status changed to "+to.Label()+".", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.SetStatus(r.Context(), tx, co, scope, by, id, to)
	})
}

// JobDefer answers POST /jobs/{id}/defer.
func (h *Handlers) JobDefer(w http.ResponseWriter, r *http.Request) {
	h.inJob(w, r, jobState{}, "Job deferred. Undo it from this page.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.Defer(r.Context(), tx, co, scope, by, id)
	})
}

// JobUndefer answers POST /jobs/{id}/undefer.
func (h *Handlers) JobUndefer(w http.ResponseWriter, r *http.Request) {
	h.inJob(w, r, jobState{}, "Deferral undone.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.Undefer(r.Context(), tx, co, scope, by, id)
	})
}

// JobCreateSubjob answers POST /jobs/{id}/subjobs: a subjob, and — with a share — a billing stage of the parent,
// never past 100 % of it (refused in words next to the form, nothing made).
func (h *Handlers) JobCreateSubjob(w http.ResponseWriter, r *http.Request) {
	title := r.PostFormValue("title")
	var subjob int64
	st := jobState{subjob: title, share: r.PostFormValue("share"), billOn: r.PostFormValue("bill_on")}
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	share, shareOK := invoices.ParseShare(st.share)
	var billOn *time.Time
	if d, ok := input.ParseDate(st.billOn); ok {
		billOn = &d
	}
	refused := &apperr.ValidationError{}
	if !shareOK {
		refused.Add("share", "Type a share of the parent like 20% or an amount like 450.00, or leave it empty.")
	}
	if billOn == nil && strings.TrimSpace(st.billOn) != "" {
		refused.Add("bill_on", "Pick the billing day from the calendar, or leave it empty.")
	}
	err := refused.Err()
	if !share.None() && v.Role != identity.RoleAdmin && v.Role != identity.RoleCoWorker {
		err = apperr.ErrForbidden // billing is the office's; the form offers no share to others
	}
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
			if subjob, _, err = jobs.CreateSubjob(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, title, h.Letters); err != nil {
				return err
			}
			return invoices.SetStage(r.Context(), tx, v.CompanyID, id, subjob, share, billOn)
		})
	}
	if ve := apperr.AsValidation(err); ve != nil && ve.Field("title") != "" {
		err = apperr.FieldError("subjob_title", ve.Field("title"))
	}
	if err == nil {
		id = subjob // go to the new subjob
	}
	h.jobChanged(w, r, id, err, st, "Subjob created.")
}

// JobLinkRecall answers POST /jobs/{id}/recalls.
func (h *Handlers) JobLinkRecall(w http.ResponseWriter, r *http.Request) {
	ref := r.PostFormValue("recall")
	h.inJob(w, r, jobState{recallRef: ref}, "Recall job linked.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.LinkRecall(r.Context(), tx, co, scope, by, id, ref, h.Letters)
		return err
	})
}

// JobAddLine answers POST /jobs/{id}/lines.
func (h *Handlers) JobAddLine(w http.ResponseWriter, r *http.Request) {
	f := jobs.LineForm{Description: r.PostFormValue("description"), Quantity: r.PostFormValue("quantity"),
		UnitCost: r.PostFormValue("unit_cost"), UnitPrice: r.PostFormValue("unit_price")}
	withCost := page.ViewerOf(r).Role.SeesCosts()
	h.inJob(w, r, jobState{tab: "lines", line: f}, "Line added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddLine(r.Context(), tx, co, scope, by, id, f, withCost)
		return err
	})
}

// JobRemoveLine answers POST /jobs/{id}/lines/{lineID}/remove.
func (h *Handlers) JobRemoveLine(w http.ResponseWriter, r *http.Request) {
	line, ok := h.PathID(w, r, "lineID")
	if !ok {
		return
	}
	h.inJob(w, r, jobState{tab: "lines"}, "Line removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.RemoveLine(r.Context(), tx, co, scope, by, id, line)
	})
}

// JobAddMessage answers POST /jobs/{id}/messages.
func (h *Handlers) JobAddMessage(w http.ResponseWriter, r *http.Request) {
	body, visible := r.PostFormValue("body"), r.PostFormValue("visible_to_client") != ""
	h.inJob(w, r, jobState{tab: "messages"}, "Note added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddMessage(r.Context(), tx, co, scope, by, id, body, visible)
		return err
	})
}
