package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
)

func queueJobFiles(b *pgx.Batch, companyID, jobID int64, fs *[]files.File) {
	files.QueueList(b, companyID, files.Owner{JobID: jobID}, false, fs)
}

// readUpload reads the "file" field of a multipart form, refusing in words what is too large.
func readUpload(w http.ResponseWriter, r *http.Request) (files.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, files.MaxSize+1<<20)
	tooLarge := &apperr.ValidationError{Fields: map[string]string{"file": "The file is larger than 10 MB. Upload a smaller one."}}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return files.Upload{}, tooLarge
		}
		return files.Upload{}, &apperr.ValidationError{Fields: map[string]string{"file": "Choose a file to upload."}}
	}
	u := files.Upload{VisibleToClient: r.PostFormValue("visible_to_client") != ""}
	f, h, err := r.FormFile("file")
	if err != nil {
		return u, &apperr.ValidationError{Fields: map[string]string{"file": "Choose a file to upload."}}
	}
	defer f.Close()
	u.Name = h.Filename
	u.Data, err = io.ReadAll(io.LimitReader(f, files.MaxSize+1))
	return u, err
}

func (s *Server) jobUpload(w http.ResponseWriter, r *http.Request) {
	u, err := readUpload(w, r)
	st := jobState{tab: "files"}
	if err != nil {
		id, ok := s.pathID(w, r, "id")
		if ok {
			s.jobChanged(w, r, id, err, st, "")
		}
		return
	}
	s.inJob(w, r, st, "File uploaded.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := jobs.AddFile(r.Context(), tx, s.files, co, scope, by, id, u)
		return err
	})
}

func (s *Server) jobRemoveFile(w http.ResponseWriter, r *http.Request) {
	file, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	s.inJob(w, r, jobState{tab: "files"}, "File removed.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return jobs.RemoveFile(r.Context(), tx, co, scope, by, id, file)
	})
}

func (s *Server) jobFile(w http.ResponseWriter, r *http.Request) {
	s.serveJobFile(w, r, files.Original)
}
func (s *Server) jobThumbnail(w http.ResponseWriter, r *http.Request) {
	s.serveJobFile(w, r, files.Thumbnail)
}

// serveJobFile sends a file of a job the viewer may see.
func (s *Server) serveJobFile(w http.ResponseWriter, r *http.Request, v files.Variant) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	fileID, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	viewer := viewerOf(r)
	var j jobs.Job
	var f files.File
	err := s.db.Read(r.Context(), viewer.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, viewer.CompanyID, jobs.ScopeFor(viewer), id, &j)
		files.QueueGet(b, viewer.CompanyID, files.Owner{JobID: id}, fileID, &f)
	})
	s.serveFile(w, r, err, viewer.CompanyID, f, v)
}

// serveFile sends the bytes of f once the read that found it (err) succeeded. Images show inline; anything else
// downloads. The type is the allow-list's, never the uploader's, and nosniff is set on every response.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, err error, companyID int64, f files.File, v files.Variant) {
	var data []byte
	if err == nil {
		data, err = s.files.Get(r.Context(), companyID, f.ID, v)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ct, disposition := f.ContentType, "attachment"
	if v == files.Thumbnail {
		ct = "image/jpeg"
	}
	if f.IsImage() {
		disposition = "inline"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if w.Header().Get("Cache-Control") == "" { // a dashboard's files keep its no-store
		w.Header().Set("Cache-Control", "private, max-age=3600")
	}
	w.Write(data)
}

// siteFileUpload stores a file on one of a client's sites.
func (s *Server) siteFileUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := s.pathID(w, r, "siteID")
	if !ok {
		return
	}
	u, err := readUpload(w, r)
	v := viewerOf(r)
	if err == nil {
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := clients.AddSiteFile(r.Context(), tx, s.files, v.CompanyID, clients.ScopeFor(v), id, site, v.MembershipID, u)
			return err
		})
	}
	if ve := apperr.AsValidation(err); ve != nil {
		s.showClient(w, r, clientState{err: &apperr.ValidationError{Form: "The file was not uploaded: " + ve.Field("file")}})
		return
	}
	s.afterClientChange(w, r, id, err, "File uploaded to the site.")
}

func (s *Server) siteFileRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := s.pathID(w, r, "siteID")
	if !ok {
		return
	}
	file, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	v := viewerOf(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return clients.RemoveSiteFile(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id, site, file)
	})
	s.afterClientChange(w, r, id, err, "File removed.")
}

func (s *Server) siteFile(w http.ResponseWriter, r *http.Request) {
	s.serveSiteFile(w, r, files.Original)
}
func (s *Server) siteThumbnail(w http.ResponseWriter, r *http.Request) {
	s.serveSiteFile(w, r, files.Thumbnail)
}

func (s *Server) serveSiteFile(w http.ResponseWriter, r *http.Request, v files.Variant) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	site, ok := s.pathID(w, r, "siteID")
	if !ok {
		return
	}
	fileID, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	viewer := viewerOf(r)
	var c clients.Client
	var sites []clients.Site
	var f files.File
	err := s.db.Read(r.Context(), viewer.CompanyID, func(b *pgx.Batch) {
		clients.QueueGet(b, viewer.CompanyID, clients.ScopeFor(viewer), id, &c)
		clients.QueueSites(b, viewer.CompanyID, id, &sites)
		files.QueueGet(b, viewer.CompanyID, files.Owner{SiteID: site}, fileID, &f)
	})
	if err == nil {
		err = apperr.ErrNotFound
		for _, st := range sites {
			if st.ID == site {
				err = nil
			}
		}
	}
	s.serveFile(w, r, err, viewer.CompanyID, f, v)
}
