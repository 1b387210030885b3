package page

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"fieldops/internal/apperr"
	"fieldops/internal/files"

	"github.com/jackc/pgx/v5"
)

// ReadUpload reads the "file" field of a multipart form, refusing in words what is too large.
func ReadUpload(w http.ResponseWriter, r *http.Request) (files.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, files.MaxSize+1<<20)
	tooLarge := apperr.FieldError("file", "The file is larger than 10 MB. Upload a smaller one.")
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return files.Upload{}, tooLarge
		}
		return files.Upload{}, apperr.FieldError("file", "Choose a file to upload.")
	}
	u := files.Upload{VisibleToClient: r.PostFormValue("visible_to_client") != ""}
	f, h, err := r.FormFile("file")
	if err != nil {
		return u, apperr.FieldError("file", "Choose a file to upload.")
	}
	defer f.Close()
	u.Name = h.Filename
	u.Data, err = io.ReadAll(io.LimitReader(f, files.MaxSize+1))
	return u, err
}

// FileRequest is a file a door is asked for: its owner, and whether only files marked for the client may be sent.
// Check, when set, queues the reads that prove the viewer may see the owner (a job in their scope), in the same
// Read as the file's record.
type FileRequest struct {
	CompanyID int64
	Owner     files.Owner // the job, or the site with its client
	// ClientOnly sends only a file marked for the client (the portal, the dashboard).
	ClientOnly bool
	Variant    files.Variant // the original or its thumbnail
	Check      func(b *pgx.Batch)
}

// ServeFile sends the file named by the path's "fileID" as req allows: the one way every door sends a file.
// Images show inline; anything else downloads. The type is the allow-list's, never the uploader's, and nosniff
// is set on every response.
func (k *Kit) ServeFile(w http.ResponseWriter, r *http.Request, req FileRequest) {
	fileID, ok := k.PathID(w, r, "fileID")
	if !ok {
		return
	}
	var f files.File
	err := k.DB.Read(r.Context(), req.CompanyID, func(b *pgx.Batch) {
		if req.Check != nil {
			req.Check(b)
		}
		files.QueueGet(b, req.CompanyID, req.Owner, fileID, req.ClientOnly, &f)
	})
	var data []byte
	if err == nil {
		data, err = k.Files.Get(r.Context(), req.CompanyID, f.ID, req.Variant)
	}
	if err != nil {
		k.Fail(w, r, err)
		return
	}
	if req.Variant == files.Thumbnail {
		f.ContentType = "image/jpeg"
	}
	WriteFile(w, f, data)
}

// WriteFile sends a file's bytes: images inline, anything else as a download, with the file's stored type (the
// allow-list's, or the app's own for what it made) and nosniff.
func WriteFile(w http.ResponseWriter, f files.File, data []byte) {
	disposition := "attachment"
	if f.IsImage() {
		disposition = "inline"
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if w.Header().Get("Cache-Control") == "" { // a dashboard's files keep its no-store
		w.Header().Set("Cache-Control", "private, max-age=3600")
	}
	w.Write(data)
}
