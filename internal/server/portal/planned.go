package portal

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/planned"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	plannedview "fieldops/templates/planned"
	portalview "fieldops/templates/portal"
)

// PlannedJobs answers GET /portal/planned: the planned jobs shared with the client user's client.
func (h *Handlers) PlannedJobs(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	var rows []planned.ClientRow
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { planned.QueueClientList(b, v.CompanyID, *v.ClientID, &rows) })
	h.Render(w, r, err, portalview.PlannedList(h.portalChrome(r, "Planned jobs"), rows, h.Notice(r)))
}

func plannedPath(id int64) string { return "/portal/planned/" + strconv.FormatInt(id, 10) }

// PlannedJob answers GET /portal/planned/{id}: only while it is shared with the client (404 otherwise).
func (h *Handlers) PlannedJob(w http.ResponseWriter, r *http.Request) { h.showPlanned(w, r, "", nil) }

func (h *Handlers) showPlanned(w http.ResponseWriter, r *http.Request, comment string, formErr error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := plannedview.SharedView{Base: plannedPath(id), Comment: comment, Errors: page.Validation(formErr)}
	var set settings.Settings
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		planned.QueueForClient(b, v.CompanyID, *v.ClientID, id, &p.Job)
	})
	p.Location = set.Location()
	notice := ""
	if formErr == nil {
		notice = h.Notice(r)
	} else if err == nil {
		err = formErr
	}
	h.Render(w, r, err, portalview.Planned(h.portalChrome(r, p.Job.Title), p, notice))
}

// inPlanned runs change on planned job id, shared with the client user's client (404 otherwise), then returns to
// its page — or shows a refusal in words on it.
func (h *Handlers) inPlanned(w http.ResponseWriter, r *http.Request, comment, notice string, change func(tx pgx.Tx, co, id int64) error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := planned.CheckClient(r.Context(), tx, v.CompanyID, *v.ClientID, id); err != nil {
			return err
		}
		return change(tx, v.CompanyID, id)
	})
	if page.RefusedInWords(err) {
		h.showPlanned(w, r, comment, err)
		return
	}
	h.Done(w, r, err, plannedPath(id), notice)
}

// PlannedComment answers POST /portal/planned/{id}/comments.
func (h *Handlers) PlannedComment(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	body := r.PostFormValue("body")
	h.inPlanned(w, r, body, "Comment added.", func(tx pgx.Tx, co, id int64) error {
		return planned.Comment(r.Context(), tx, co, "client", v.Name+" (client)", id, body)
	})
}

// PlannedUpload answers POST /portal/planned/{id}/files: the client's document, shared with the office.
func (h *Handlers) PlannedUpload(w http.ResponseWriter, r *http.Request) {
	u, uerr := page.ReadUpload(w, r)
	u.Party, u.VisibleToClient = "client", true
	v := page.ViewerOf(r)
	h.inPlanned(w, r, "", "Document added.", func(tx pgx.Tx, co, id int64) error {
		err := uerr
		var f files.File
		if err == nil {
			f, err = files.Save(r.Context(), tx, h.Files, co, files.Owner{PlannedJobID: id}, v.MembershipID, u)
		}
		if ve := apperr.AsValidation(err); ve != nil && ve.Field("file") != "" {
			return &apperr.ValidationError{Form: "The document was not added: " + ve.Field("file")}
		}
		if err != nil {
			return err
		}
		return planned.History(r.Context(), tx, co, id, "client", v.Name+" (client)", "Added the document "+f.Name)
	})
}

// PlannedFile answers GET /portal/planned/{id}/files/{fileID}: a shared document of a planned job shared with the
// client.
func (h *Handlers) PlannedFile(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var j planned.SharedJob
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{PlannedJobID: id}, ClientOnly: true, Variant: files.Original,
		Check: func(b *pgx.Batch) { planned.QueueForClient(b, v.CompanyID, *v.ClientID, id, &j) }})
}
