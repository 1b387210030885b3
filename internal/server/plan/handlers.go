// Package plan is the planned jobs' office pages (admins manage; co-workers and subcontractor people read theirs):
// the list, New planned job, a planned job's page with its locations, interventions, documents, comments, Share and
// Stop sharing; a building's settings (its client and assets); and the planned jobs other firms share with this
// company as their supplier.
package plan

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/input"
	"fieldops/internal/planned"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	plannedview "fieldops/templates/planned"
)

// Handlers answers the planned jobs' routes.
type Handlers struct {
	*page.Kit
}

// List answers GET /planned: the viewer's planned jobs (planned.ScopeFor), newest first, 50 a page (?before= the
// last id seen).
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil {
		before = 0 // a mangled cursor shows the newest page
	}
	p := plannedview.ListPage{Notice: h.Notice(r), Manage: v.Role.IsAdmin()}
	err = h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		planned.QueueList(b, v.CompanyID, planned.ScopeFor(v), before, &p.Rows, &p.More)
	})
	h.Render(w, r, err, plannedview.List(h.Chrome(r, "Planned jobs"), p))
}

func formOf(r *http.Request) planned.Form {
	f := planned.Form{Title: r.PostFormValue("title"), Type: r.PostFormValue("type"), Description: r.PostFormValue("description"),
		OrderDate: r.PostFormValue("order_date"), CostCentre: r.PostFormValue("cost_centre"),
		InternalNotifications: r.PostFormValue("internal_notifications"), InternalSLA: r.PostFormValue("internal_sla"),
		Gatekeeper: r.PostFormValue("gatekeeper"), CustomerSatisfaction: r.PostFormValue("customer_satisfaction"),
		Assignees: page.TickedIDs(r, "assignees")}
	f.SiteID, _ = strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	f.SupplierID, _ = strconv.ParseInt(r.PostFormValue("supplier_id"), 10, 64)
	return f
}

// queueChoices adds what the form offers besides its building: suppliers, staff.
func queueChoices(b *pgx.Batch, co int64, p *plannedview.FormPage) {
	planned.QueueSuppliers(b, co, &p.Suppliers)
	planned.QueueStaff(b, co, &p.Staff)
}

// New answers GET /planned/new: first the building (a search, ?q=), then the form for it (?site=).
func (h *Handlers) New(w http.ResponseWriter, r *http.Request) {
	site, _ := strconv.ParseInt(r.URL.Query().Get("site"), 10, 64)
	if site <= 0 {
		h.pickBuilding(w, r, plannedview.PickBuildingPage{})
		return
	}
	h.showNew(w, r, plannedview.FormPage{Form: planned.Form{SiteID: site}}, nil)
}

// pickBuilding shows the buildings whose name, address or client holds ?q=: for a new planned job, or to move
// planned job p.Job.ID (read here with its details).
func (h *Handlers) pickBuilding(w http.ResponseWriter, r *http.Request, p plannedview.PickBuildingPage) {
	v := page.ViewerOf(r)
	p.Q = r.URL.Query().Get("q")
	ve := &apperr.ValidationError{}
	input.CheckSearch(ve, "q", p.Q, input.MaxSearchLen)
	p.Errors = ve
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		if p.Job.ID != 0 {
			planned.QueueGet(b, v.CompanyID, planned.ScopeFor(v), p.Job.ID, &p.Job, &p.Details)
		}
		if ve.Err() == nil {
			planned.QueueFindBuildings(b, v.CompanyID, p.Q, &p.Buildings, &p.More)
		}
	})
	if p.Job.ID != 0 {
		p.Refusal = planned.MoveRefusal(p.Details.Shared(), len(p.Details.Locations)+len(p.Details.Interventions) > 0)
	}
	if err == nil {
		err = ve.Err()
	}
	h.Render(w, r, err, plannedview.PickBuilding(h.Chrome(r, p.Heading()), p))
}

func (h *Handlers) showNew(w http.ResponseWriter, r *http.Request, p plannedview.FormPage, formErr error) {
	v := page.ViewerOf(r)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		planned.QueueBuilding(b, v.CompanyID, p.Form.SiteID, &p.Building)
		queueChoices(b, v.CompanyID, &p)
	})
	p.Errors = page.Validation(formErr)
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, plannedview.New(h.Chrome(r, "New planned job"), p))
}

// Create answers POST /planned/new.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := formOf(r)
	var id int64
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		id, err = planned.Create(r.Context(), tx, v.CompanyID, *v, f)
		return err
	})
	if apperr.AsValidation(err) != nil {
		f.Normalize()
		h.showNew(w, r, plannedview.FormPage{Form: f}, err)
		return
	}
	h.Done(w, r, err, "/planned/"+strconv.FormatInt(id, 10), "Planned job created. Add its locations and interventions, then Share it.")
}

// state is what a planned job's page shows besides the job: a refused form, as typed, and its error.
type state struct {
	err           error
	form          *planned.Form
	comment, note string
}

// Show answers GET /planned/{id}: an admin's page to manage it; the others in scope (planned.ScopeFor) read it.
func (h *Handlers) Show(w http.ResponseWriter, r *http.Request) { h.show(w, r, state{}) }

func (h *Handlers) show(w http.ResponseWriter, r *http.Request, st state) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	co := v.CompanyID
	p := plannedview.ShowPage{Manage: v.Role.IsAdmin(), Errors: page.Validation(st.err), Comment: st.comment, Note: st.note}
	var set settings.Settings
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &set)
		planned.QueueGet(b, co, planned.ScopeFor(v), id, &p.Job, &p.Details)
		files.QueueList(b, co, files.Owner{PlannedJobID: id}, false, &p.Documents)
		if p.Manage {
			queueChoices(b, co, &p.Edit)
		}
	})
	p.Location = set.Location()
	p.Edit.ID, p.Edit.Shared, p.Edit.Errors = id, p.Details.Shared(), p.Errors
	p.Edit.Building = planned.Building{ID: p.Job.SiteID, Name: p.Job.Building, Address: p.Job.Address, ClientID: p.Job.ClientID, ClientName: p.Job.ClientName}
	if st.form != nil {
		p.Edit.Form = *st.form
	} else {
		p.Edit.Form = planned.FormOf(p.Job, p.Details.Assignees)
	}
	if st.err == nil {
		p.Notice = h.Notice(r)
	} else if err == nil {
		err = st.err
	}
	h.Render(w, r, err, plannedview.Show(h.Chrome(r, p.Job.Title), p))
}

// changed ends an action on planned job id: a refusal in words re-shows the page with it (422), a conflict is the
// 409 page in words, anything else returns to the page with notice.
func (h *Handlers) changed(w http.ResponseWriter, r *http.Request, id int64, err error, st state, notice string) {
	if page.RefusedInWords(err) {
		st.err = err
		h.show(w, r, st)
		return
	}
	h.Done(w, r, err, "/planned/"+strconv.FormatInt(id, 10), notice)
}

// inPlanned runs change on planned job id (from the path) as the viewer, in one transaction, then answers as changed.
func (h *Handlers) inPlanned(w http.ResponseWriter, r *http.Request, st state, notice string, change func(tx pgx.Tx, co, id int64) error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error { return change(tx, v.CompanyID, id) })
	h.changed(w, r, id, err, st, notice)
}

// Update answers POST /planned/{id}: while shared only title, description, supplier, cost centre and assignees may
// change (a forged edit of another field is the 409 page, in words).
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	v := page.ViewerOf(r)
	h.inPlanned(w, r, state{form: &f}, "Planned job saved.", func(tx pgx.Tx, co, id int64) error {
		return planned.Update(r.Context(), tx, co, *v, id, f)
	})
}

// MoveForm answers GET /planned/{id}/building: the buildings to move the planned job to (a search, ?q=).
func (h *Handlers) MoveForm(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	h.pickBuilding(w, r, plannedview.PickBuildingPage{Job: planned.PlannedJob{ID: id}})
}

// Move answers POST /planned/{id}/building (site_id): refused while planned.MoveRefusal says so (409, in words).
func (h *Handlers) Move(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	site, _ := strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	var moved bool
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		moved, err = planned.Move(r.Context(), tx, v.CompanyID, *v, id, site)
		return err
	})
	notice := "It is in that building already."
	if moved {
		notice = "Moved: it is in the new building now."
	}
	h.changed(w, r, id, err, state{}, notice)
}
