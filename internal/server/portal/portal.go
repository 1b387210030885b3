package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/visits"
	portalview "fieldops/templates/portal"
)

// portalChrome is the portal frame's view of the request.
func (h *Handlers) portalChrome(r *http.Request, title string) portalview.Chrome {
	v := page.ViewerOf(r)
	return portalview.Chrome{Title: title, ClientName: v.ClientName, Company: v.CompanyName, PersonName: v.Name,
		CanSwitch: v.Memberships > 1, Perms: v.Perms, Unread: v.Unread.Total()}
}

// canAddEdit refuses (403) a client user without Add and edit jobs: the control is hidden, and a forged request
// is refused here.
func (h *Handlers) canAddEdit(w http.ResponseWriter, r *http.Request) bool {
	if !page.ViewerOf(r).Perms.AddEdit {
		h.Fail(w, r, apperr.ErrForbidden)
		return false
	}
	return true
}

// Jobs lists the client user's jobs: their client's, as client or billing client.
func (h *Handlers) Jobs(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	p := portalview.ListPage{Q: q.Get("q"), Location: v.Location(), Notice: h.Notice(r)}
	f := jobs.ListFilter{Q: strings.TrimSpace(p.Q), Now: h.Now()}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if err := f.Validate(); err != nil {
		p.Errors = page.Validation(err)
		h.Render(w, r, err, portalview.List(h.portalChrome(r, "Jobs"), p))
		return
	}
	var list jobs.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueList(b, v.CompanyID, jobs.ScopeFor(v), f, &list) })
	p.Rows = list.Rows
	if n := len(list.Rows); n > 0 {
		p.Pager = page.Keyset{Path: "/portal/jobs", Filters: url.Values{"q": {p.Q}}, Rows: n, First: list.Rows[0].ID, Last: list.Rows[n-1].ID,
			More: list.More, After: f.After, Before: f.Before}.Pager()
	}
	h.Render(w, r, err, portalview.List(h.portalChrome(r, "Jobs"), p))
}

// Job is one job as the client user may see it: messages only with View messages, prices only with View
// sale price (costs never), files only those marked for the client.
func (h *Handlers) Job(w http.ResponseWriter, r *http.Request) {
	h.showPortalJob(w, r, portalview.ShowPage{})
}

func (h *Handlers) showPortalJob(w http.ResponseWriter, r *http.Request, p portalview.ShowPage) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	if p.Errors == nil {
		p.Notice = h.Notice(r)
	}
	var set settings.Settings
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &set)
		jobs.QueueGet(b, co, jobs.ScopeFor(v), id, &p.Job)
		visits.QueueClient(b, co, id, &p.Visits)
		jobs.QueueLines(b, co, id, &p.Lines)
		files.QueueList(b, co, files.Owner{JobID: id}, true, &p.Files)
		if v.Perms.AddEdit {
			visits.QueuePickable(b, co, *v.ClientID, &p.Pickable)
		}
		if v.Perms.ViewMessages {
			jobs.QueueClientTimeline(b, co, id, &p.Messages)
		}
	})
	p.Lines = jobs.ForClient(p.Lines, v.Perms)
	p.Location, p.Currency = set.Location(), set.Currency
	if err == nil && p.Errors != nil {
		err = p.Errors
	}
	h.Render(w, r, err, portalview.Show(h.portalChrome(r, jobs.Ref(p.Job.Number)), p))
}

// NewJob is the New job form; only with Add and edit jobs.
func (h *Handlers) NewJob(w http.ResponseWriter, r *http.Request) {
	if !h.canAddEdit(w, r) {
		return
	}
	h.showPortalForm(w, r, portalview.FormPage{}, nil)
}

func (h *Handlers) showPortalForm(w http.ResponseWriter, r *http.Request, p portalview.FormPage, formErr error) {
	v := page.ViewerOf(r)
	var j jobs.Job
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		clients.QueueSites(b, v.CompanyID, *v.ClientID, &p.Sites)
		if p.JobID != 0 {
			jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), p.JobID, &j)
		} else {
			visits.QueuePickable(b, v.CompanyID, *v.ClientID, &p.Pickable)
		}
	})
	p.Number = j.Number
	if err == nil && p.JobID == 0 && v.Memberships > 1 {
		p.Contractors, err = contractors(r, h.DB.Pool, v)
		p.Current = v.MembershipID
	}
	p.Errors = page.Validation(formErr)
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, portalview.Form(h.portalChrome(r, "New job"), p))
}

// contractors are the firms whose client user the viewer's login is (Assign to on New job).
func contractors(r *http.Request, pool *pgxpool.Pool, v *identity.Viewer) ([]identity.Membership, error) {
	ms, err := identity.Memberships(r.Context(), pool, v.AccountID)
	return slices.DeleteFunc(ms, func(m identity.Membership) bool { return m.Role != identity.RoleClient }), err
}

// CreateJob adds a job for the client user's client: it lands in the office's From clients view, History
// says "Added by … (portal)", and with Job Share on the dashboard email goes out as for any new job.
func (h *Handlers) CreateJob(w http.ResponseWriter, r *http.Request) {
	if !h.canAddEdit(w, r) {
		return
	}
	v := page.ViewerOf(r)
	f := jobs.Form{ClientID: *v.ClientID, Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Address: r.PostFormValue("address"), Source: "portal"}
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	visit := requestForm(r)
	var id int64
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if id, _, err = jobs.Create(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), f, h.Letters); err != nil {
			return err
		}
		if !visit.Empty() {
			if _, err := visits.Request(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), v.Perms, jobs.ActorOf(v), id, visit, v.Location(), h.Now()); err != nil {
				return err
			}
		}
		return tellOffice(r, tx, id, "New job")
	})
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		f.Description = r.PostFormValue("description")
		h.showPortalForm(w, r, portalview.FormPage{Form: f, Visit: visit}, err)
		return
	}
	h.Done(w, r, err, jobPath(id), "Job sent to "+v.CompanyName+". You can follow it here.")
}

// EditJob answers GET /portal/jobs/{id}/edit.
func (h *Handlers) EditJob(w http.ResponseWriter, r *http.Request) {
	if !h.canAddEdit(w, r) {
		return
	}
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
	h.showPortalForm(w, r, portalview.FormPage{JobID: id, Number: j.Number, Form: jobs.FormOf(j)}, nil)
}

// UpdateJob answers POST /portal/jobs/{id}/edit.
func (h *Handlers) UpdateJob(w http.ResponseWriter, r *http.Request) {
	if !h.canAddEdit(w, r) {
		return
	}
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := jobs.Form{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Address: r.PostFormValue("address")}
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := jobs.Update(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f); err != nil {
			return err
		}
		return tellOffice(r, tx, id, "Job edited")
	})
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		h.showPortalForm(w, r, portalview.FormPage{JobID: id, Form: f}, err)
		return
	}
	h.Done(w, r, err, jobPath(id), "Job saved.")
}

// AddVisit asks for a visit: a day and window, and whom they would like if the company lets them pick; the office
// schedules it.
func (h *Handlers) AddVisit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := requestForm(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if _, err := visits.Request(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), v.Perms, jobs.ActorOf(v), id, f, v.Location(), h.Now()); err != nil {
			return err
		}
		return tellOffice(r, tx, id, "Visit requested")
	})
	if apperr.AsValidation(err) != nil {
		h.showPortalJob(w, r, portalview.ShowPage{Visit: f, Errors: page.Validation(err)})
		return
	}
	h.Done(w, r, err, jobPath(id), "Visit requested. "+v.CompanyName+" will confirm the time.")
}

// ChangeVisit answers POST /portal/jobs/{id}/visits/{visitID}: the client user changes what they asked for on a
// visit the office has not scheduled yet (409 once it has).
func (h *Handlers) ChangeVisit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	visitID, ok := h.PathID(w, r, "visitID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := requestForm(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := visits.ChangeRequest(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), v.Perms, jobs.ActorOf(v), id, visitID, f, v.Location(), h.Now()); err != nil {
			return err
		}
		return tellOffice(r, tx, id, "Visit request changed")
	})
	if page.RefusedInWords(err) {
		h.showPortalJob(w, r, portalview.ShowPage{Changing: visitID, Change: f, Errors: page.Validation(err)})
		return
	}
	h.Done(w, r, err, jobPath(id), "Request changed.")
}

// requestForm is a visit request as posted; visits.Request refuses a staff member not on offer.
func requestForm(r *http.Request) visits.RequestForm {
	f := visits.RequestForm{Date: r.PostFormValue("date"), From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	f.AssigneeID, _ = strconv.ParseInt(r.PostFormValue("assignee_id"), 10, 64)
	return f
}

// AddLine records time or a part; prices are the office's to set.
func (h *Handlers) AddLine(w http.ResponseWriter, r *http.Request) {
	if !h.canAddEdit(w, r) {
		return
	}
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := jobs.LineForm{Description: r.PostFormValue("description"), Quantity: r.PostFormValue("quantity")}
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if _, err := jobs.AddLine(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, f, false); err != nil {
			return err
		}
		return tellOffice(r, tx, id, "Time or parts added")
	})
	if apperr.AsValidation(err) != nil {
		h.showPortalJob(w, r, portalview.ShowPage{Line: f, Errors: page.Validation(err)})
		return
	}
	h.Done(w, r, err, jobPath(id), "Added.")
}

// File sends a file of the client user's job that is marked for the client.
func (h *Handlers) File(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var j jobs.Job
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{JobID: id}, ClientOnly: true,
		Variant: files.Original, Check: func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }})
}

// tellOffice notifies, in tx, those who follow the client user's client (notify.ClientActivity) that they did
// what to the job: "New job J-1042 · Leaking tap".
func tellOffice(r *http.Request, tx pgx.Tx, jobID int64, what string) error {
	v := page.ViewerOf(r)
	j, err := jobs.Lock(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobID)
	if err != nil {
		return err
	}
	_, err = notify.ClientActivity(r.Context(), tx, v.CompanyID, notify.Event{Area: notify.AreaJobs, ClientID: *v.ClientID,
		ActorID: v.MembershipID, Actor: v.Name, Title: what + " " + jobs.Ref(j.Number) + " · " + j.Title,
		Link: "/jobs/" + strconv.FormatInt(jobID, 10)})
	return err
}

// jobPath is a job's address in the portal.
func jobPath(id int64) string { return "/portal/jobs/" + strconv.FormatInt(id, 10) }

// Reply answers POST /portal/jobs/{id}/messages: a client user with View messages writes to the office on their
// job; the office is told, and the job comes back to From clients. 403 without View messages.
func (h *Handlers) Reply(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	body := r.PostFormValue("body")
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if _, err := jobs.AddClientReply(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), v.Perms, jobs.ActorOf(v), id, body); err != nil {
			return err
		}
		return tellOffice(r, tx, id, "Reply on")
	})
	if apperr.AsValidation(err) != nil {
		h.showPortalJob(w, r, portalview.ShowPage{Reply: body, Errors: page.Validation(err)})
		return
	}
	h.Done(w, r, err, jobPath(id)+"#reply", "Reply sent to "+v.CompanyName+".")
}
