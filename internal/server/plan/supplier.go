package plan

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/planned"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	plannedview "fieldops/templates/planned"
)

// SharedList answers GET /planned/shared: the planned jobs the firms this company supplies share with it.
func (h *Handlers) SharedList(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	var p plannedview.SupplierListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { planned.QueueSupplierList(b, &p.Rows) })
	h.Render(w, r, err, plannedview.SupplierList(h.Chrome(r, "Planned jobs shared with us"), p))
}

// sharedIDs are the sharing company and its planned job, from the path.
func (h *Handlers) sharedIDs(w http.ResponseWriter, r *http.Request) (owner, id int64, ok bool) {
	if owner, ok = h.PathID(w, r, "owner"); !ok {
		return 0, 0, false
	}
	id, ok = h.PathID(w, r, "id")
	return owner, id, ok
}

func sharedBase(owner, id int64) string {
	return "/planned/shared/" + strconv.FormatInt(owner, 10) + "/" + strconv.FormatInt(id, 10)
}

// Shared answers GET /planned/shared/{owner}/{id}: a planned job shared with this company as its supplier (404 when
// it is not, or no longer).
func (h *Handlers) Shared(w http.ResponseWriter, r *http.Request) { h.showShared(w, r, "", nil) }

func (h *Handlers) showShared(w http.ResponseWriter, r *http.Request, comment string, formErr error) {
	owner, id, ok := h.sharedIDs(w, r)
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := plannedview.SharedView{Base: sharedBase(owner, id), Comment: comment, Errors: page.Validation(formErr)}
	var set settings.Settings
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		planned.QueueForSupplier(b, owner, id, &p.Job)
	})
	p.Location = set.Location()
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, plannedview.SupplierPage(h.Chrome(r, p.Job.Title), p))
}

// SharedComment answers POST /planned/shared/{owner}/{id}/comments.
func (h *Handlers) SharedComment(w http.ResponseWriter, r *http.Request) {
	owner, id, ok := h.sharedIDs(w, r)
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	body := r.PostFormValue("body")
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return planned.SupplierComment(r.Context(), tx, owner, id, v.Name, body)
	})
	if page.RefusedInWords(err) {
		h.showShared(w, r, body, err)
		return
	}
	h.Done(w, r, err, sharedBase(owner, id), "Comment added.")
}

// SharedUpload answers POST /planned/shared/{owner}/{id}/files: the supplier's document.
func (h *Handlers) SharedUpload(w http.ResponseWriter, r *http.Request) {
	owner, id, ok := h.sharedIDs(w, r)
	if !ok {
		return
	}
	u, err := page.ReadUpload(w, r)
	v := page.ViewerOf(r)
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			return planned.SupplierDocument(r.Context(), tx, owner, id, v.Name, u)
		})
	}
	err = documentRefused(err)
	if page.RefusedInWords(err) {
		h.showShared(w, r, "", err)
		return
	}
	h.Done(w, r, err, sharedBase(owner, id), "Document added.")
}

// SharedFile answers GET /planned/shared/{owner}/{id}/files/{fileID}.
func (h *Handlers) SharedFile(w http.ResponseWriter, r *http.Request) {
	owner, id, ok := h.sharedIDs(w, r)
	if !ok {
		return
	}
	fileID, ok := h.PathID(w, r, "fileID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var data []byte
	var f files.File
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		f, data, err = planned.SupplierFile(r.Context(), tx, owner, id, fileID)
		return err
	})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	page.WriteFile(w, f, data)
}
