package cowork

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/server/page"
	"fieldops/internal/tasks"
)

// UploadTaskFile answers POST /tasks/{id}/files (the seed's Browse): the file is stored and those on the task
// told in one transaction; then, outside it, an image gets its thumbnail.
func (h *Handlers) UploadTaskFile(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	u, err := page.ReadUpload(w, r)
	var f files.File
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
			if f, err = tasks.AddFile(r.Context(), tx, h.Files, v.CompanyID, tasks.ScopeFor(v), actor(v), id, u); err != nil {
				return err
			}
			return tell(r, tx, id, "New file on a task: "+f.Name)
		})
	}
	if err == nil {
		err = h.Thumbnails.Make(r.Context(), v.CompanyID, f, u.Data)
	}
	if page.RefusedInWords(err) {
		h.showTask(w, r, taskState{err: err})
		return
	}
	h.Done(w, r, err, taskPath(id)+"#files", "File uploaded.")
}

// TaskFile sends a file of a task the viewer is on (an admin, any task's).
func (h *Handlers) TaskFile(w http.ResponseWriter, r *http.Request) {
	h.serveTaskFile(w, r, files.Original)
}

// TaskThumbnail answers GET /tasks/{id}/files/{fileID}/thumbnail.
func (h *Handlers) TaskThumbnail(w http.ResponseWriter, r *http.Request) {
	h.serveTaskFile(w, r, files.Thumbnail)
}

func (h *Handlers) serveTaskFile(w http.ResponseWriter, r *http.Request, variant files.Variant) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{TaskID: id}, Variant: variant,
		Check: func(b *pgx.Batch) { tasks.QueueVisible(b, v.CompanyID, tasks.ScopeFor(v), id) }})
}
