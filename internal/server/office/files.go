package office

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
)

// JobUpload answers POST /jobs/{id}/files: the file is stored with the job's History line, then, outside that
// transaction, an image gets its thumbnail.
func (h *Handlers) JobUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	u, err := page.ReadUpload(w, r)
	var f files.File
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
			f, err = jobs.AddFile(r.Context(), tx, h.Files, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, u)
			return err
		})
	}
	if err == nil {
		err = h.Thumbnails.Make(r.Context(), v.CompanyID, f, u.Data)
	}
	h.jobChanged(w, r, id, err, jobState{tab: "files"}, "File uploaded.")
}

// JobRemoveFile answers POST /jobs/{id}/files/{fileID}/remove.
func (h *Handlers) JobRemoveFile(w http.ResponseWriter, r *http.Request) {
	file, ok := h.PathID(w, r, "fileID")
	if !ok {
		return
	}
	h.inJob(w, r, jobState{tab: "files"}, "File removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.RemoveFile(r.Context(), tx, co, scope, by, id, file)
	})
}

// JobFile and JobThumbnail send a file of a job the viewer may see.
func (h *Handlers) JobFile(w http.ResponseWriter, r *http.Request) {
	h.serveJobFile(w, r, files.Original)
}

// JobThumbnail answers GET /jobs/{id}/files/{fileID}/thumbnail.
func (h *Handlers) JobThumbnail(w http.ResponseWriter, r *http.Request) {
	h.serveJobFile(w, r, files.Thumbnail)
}

func (h *Handlers) serveJobFile(w http.ResponseWriter, r *http.Request, variant files.Variant) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var j jobs.Job
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{JobID: id}, Variant: variant,
		Check: func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) }})
}

// SiteFileUpload stores a file on one of a client's sites.
func (h *Handlers) SiteFileUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	u, err := page.ReadUpload(w, r)
	v := page.ViewerOf(r)
	var f files.File
	if err == nil {
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
			f, err = clients.AddSiteFile(r.Context(), tx, h.Files, v.CompanyID, clients.ScopeFor(v), id, site, v.MembershipID, u)
			return err
		})
	}
	if err == nil {
		err = h.Thumbnails.Make(r.Context(), v.CompanyID, f, u.Data)
	}
	if ve := apperr.AsValidation(err); ve != nil {
		h.showClient(w, r, clientState{err: &apperr.ValidationError{Form: "The file was not uploaded: " + ve.Field("file")}})
		return
	}
	h.Done(w, r, err, clientPath(id), "File uploaded to the site.")
}

// SiteFileRemove answers POST /clients/{id}/sites/{siteID}/files/{fileID}/remove.
func (h *Handlers) SiteFileRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	file, ok := h.PathID(w, r, "fileID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.RemoveSiteFile(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, site, file)
	})
	h.Done(w, r, err, clientPath(id), "File removed.")
}

// SiteFile and SiteThumbnail send a file of a site of a client the viewer may see.
func (h *Handlers) SiteFile(w http.ResponseWriter, r *http.Request) {
	h.serveSiteFile(w, r, files.Original)
}

// SiteThumbnail answers GET /clients/{id}/sites/{siteID}/files/{fileID}/thumbnail.
func (h *Handlers) SiteThumbnail(w http.ResponseWriter, r *http.Request) {
	h.serveSiteFile(w, r, files.Thumbnail)
}

func (h *Handlers) serveSiteFile(w http.ResponseWriter, r *http.Request, variant files.Variant) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var c clients.Client
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{SiteID: site, ClientID: id}, Variant: variant,
		Check: func(b *pgx.Batch) { clients.QueueGet(b, v.CompanyID, clients.ScopeFor(v), id, &c) }})
}
