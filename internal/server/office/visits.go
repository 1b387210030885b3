package office

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/visits"
	jobsview "fieldops/templates/jobs"
)

// JobAddVisit answers POST /jobs/{id}/visits.
func (h *Handlers) JobAddVisit(w http.ResponseWriter, r *http.Request) {
	f := visitForm(r)
	loc := page.ViewerOf(r).Location()
	h.inJob(w, r, jobState{tab: "visits", visit: f}, "Visit added.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := visits.Add(r.Context(), tx, co, scope, by, id, f, loc)
		return err
	})
}

// JobRemoveVisit answers POST /jobs/{id}/visits/{visitID}/remove.
func (h *Handlers) JobRemoveVisit(w http.ResponseWriter, r *http.Request) {
	visit, ok := h.PathID(w, r, "visitID")
	if !ok {
		return
	}
	h.inJob(w, r, jobState{tab: "visits"}, "Visit removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return visits.Remove(r.Context(), tx, co, scope, by, id, visit)
	})
}

// JobEditVisit answers GET /jobs/{id}/visits/{visitID}/edit: the office's form for one visit, filled with what it
// holds — or, for a client's request not yet scheduled, with the window they asked for.
func (h *Handlers) JobEditVisit(w http.ResponseWriter, r *http.Request) {
	h.showVisitForm(w, r, nil, nil)
}

func (h *Handlers) showVisitForm(w http.ResponseWriter, r *http.Request, typed *visits.Form, formErr error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	visitID, ok := h.PathID(w, r, "visitID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	p := jobsview.EditVisitPage{Errors: page.Validation(formErr), Location: v.Location(), Return: returnTo(r)}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		jobs.QueueGet(b, co, jobs.ScopeFor(v), id, &p.Job)
		visits.QueueOne(b, co, id, visitID, &p.Visit)
		visits.QueueAssignees(b, co, &p.Assignees)
	})
	p.Form = visits.FormOf(p.Visit, p.Location)
	if typed != nil {
		p.Form = *typed
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, jobsview.EditVisit(h.Chrome(r, "Edit visit"), p))
}

// JobSaveVisit answers POST /jobs/{id}/visits/{visitID}/edit.
func (h *Handlers) JobSaveVisit(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	visitID, ok := h.PathID(w, r, "visitID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := visitForm(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return visits.Edit(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, visitID, f, v.Location())
	})
	if apperr.AsValidation(err) != nil {
		h.showVisitForm(w, r, &f, err)
		return
	}
	next := returnTo(r)
	if next == "" {
		next = "/jobs/" + strconv.FormatInt(id, 10) + "?tab=visits"
	}
	h.Done(w, r, err, next, "Visit saved.")
}

// returnTo is where the visit form goes back to when it was opened from elsewhere (the board): its "return"
// parameter when that is a path on this site, else "".
func returnTo(r *http.Request) string {
	if next := r.FormValue("return"); page.IsLocalPath(next) {
		return next
	}
	return ""
}

// visitForm is the office's visit form as posted.
func visitForm(r *http.Request) visits.Form {
	f := visits.Form{Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Notes: r.PostFormValue("notes")}
	f.AssigneeID, _ = strconv.ParseInt(r.PostFormValue("assignee_id"), 10, 64)
	return f
}
