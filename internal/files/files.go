// Package files owns uploaded files — photos and documents on jobs, on clients' sites and on tasks: what may be uploaded
// (an extension allow-list checked against the file's magic bytes, a size limit), thumbnails of images, and where
// the bytes live (Storage: Postgres today, S3-compatible storage when the data outgrows it).
package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	_ "image/gif" // decoders for thumbnails
	_ "image/png"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/input"
)

// MaxSize is the largest file accepted.
const MaxSize = 10 << 20

// File is an uploaded file's record (not its bytes).
type File struct {
	ID              int64
	Name            string
	ContentType     string
	Size            int64
	HasThumbnail    bool
	VisibleToClient bool
	CreatedAt       time.Time
}

// IsImage reports whether the file shows inline as a picture.
func (f File) IsImage() bool { return strings.HasPrefix(f.ContentType, "image/") }

// kind is one allowed type of file: its extensions, content type and how its first bytes look.
type kind struct {
	exts        []string
	contentType string
	magic       func([]byte) bool
}

func prefix(p string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(p)) }
}

func isText(b []byte) bool { return utf8.Valid(b) && !bytes.ContainsRune(b, 0) }

var kinds = []kind{
	{[]string{".jpg", ".jpeg"}, "image/jpeg", prefix("\xff\xd8\xff")},
	{[]string{".png"}, "image/png", prefix("\x89PNG\r\n\x1a\n")},
	{[]string{".gif"}, "image/gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}},
	{[]string{".pdf"}, "application/pdf", prefix("%PDF-")},
	{[]string{".docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", prefix("PK\x03\x04")},
	{[]string{".xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", prefix("PK\x03\x04")},
	{[]string{".txt"}, "text/plain; charset=utf-8", isText},
	{[]string{".csv"}, "text/csv; charset=utf-8", isText},
}

// Allowed lists the extensions accepted, for the form's hint: ".jpg .jpeg .png …".
func Allowed() string { return strings.Join(allowed(), " ") }

// Accept is Allowed as an input's accept attribute wants it, comma-separated, so the browser's file picker
// offers only these.
func Accept() string { return strings.Join(allowed(), ",") }

func allowed() []string {
	var exts []string
	for _, k := range kinds {
		exts = append(exts, k.exts...)
	}
	return exts
}

// Upload is a file as it arrived, not yet checked.
type Upload struct {
	Name string
	Data []byte
	// VisibleToClient marks a file the client may see (on the job dashboard and portal).
	VisibleToClient bool
	// Party says who added a planned job's document: office, client or supplier ("" for other files).
	Party string
}

// Check validates an upload as Save would, returning its cleaned name and content type: for bytes stored by
// another path (a supplier's document, through a definer function).
func Check(u Upload) (name, contentType string, err error) { return check(u) }

// check validates an upload and returns its cleaned name and content type. Nothing is trusted from the browser:
// the content type comes from the allow-list, and the first bytes must match it.
func check(u Upload) (name, contentType string, err error) {
	field := func(msg string) error { return apperr.FieldError("file", msg) }
	if problem := input.Problem(u.Name); problem != "" {
		return "", "", field("The file's name holds " + problem + ". Rename the file and upload it again.")
	}
	name = cleanName(u.Name)
	switch {
	case len(u.Data) == 0:
		return "", "", field("Choose a file to upload.")
	case len(u.Data) > MaxSize:
		return "", "", field("The file is larger than 10 MB. Upload a smaller one.")
	}
	ext := strings.ToLower(filepath.Ext(name))
	for _, k := range kinds {
		for _, e := range k.exts {
			if e != ext {
				continue
			}
			if !k.magic(u.Data) {
				return "", "", field("The file's contents are not a " + strings.TrimPrefix(ext, ".") + " file. Upload the real file.")
			}
			return name, k.contentType, nil
		}
	}
	return "", "", field("Files of this type cannot be uploaded. Use one of: " + Allowed() + ".")
}

// cleanName keeps the last path element of a name, without control characters, at most 255 bytes.
func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, `\`, "/"))
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, n)
	for len(n) > 255 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	if n == "" || n == "." || n == "/" {
		n = "file"
	}
	return n
}

// Owner is what a file hangs on: a job, a site or a task (one of them). A site is named with its client, and a read
// finds its files only when the site is that client's — the ownership is checked in the query, not by the caller.
type Owner struct {
	JobID        int64
	SiteID       int64
	ClientID     int64 // the site's client, for reads of a site's files
	TaskID       int64
	PlannedJobID int64
}

func (o Owner) ids() (job, site, task, planned *int64) {
	switch {
	case o.JobID != 0:
		return &o.JobID, nil, nil, nil
	case o.TaskID != 0:
		return nil, nil, &o.TaskID, nil
	case o.PlannedJobID != 0:
		return nil, nil, nil, &o.PlannedJobID
	}
	return nil, &o.SiteID, nil, nil
}

// ownerSQL matches the files of the owner given as $3 (job), $4 (site), $5 (the site's client), $6 (task) and $7
// (planned job).
const ownerSQL = `(f.job_id = $3 or f.task_id = $6 or f.planned_job_id = $7 or f.site_id = (select s.id from sites s where s.company_id = $1 and s.id = $4 and s.client_id = $5))`

// Save checks the upload and stores it on owner in tx, returning the file's record. The caller has checked that
// the viewer may change owner. A ValidationError on field "file" for a refused file; nothing is stored then. An
// image's thumbnail is made after the transaction, by Thumbnails.
func Save(ctx context.Context, tx pgx.Tx, store Storage, companyID int64, owner Owner, uploadedBy int64, u Upload) (File, error) {
	name, ct, err := check(u)
	if err != nil {
		return File{}, err
	}
	job, site, task, planned := owner.ids()
	var by *int64
	if uploadedBy != 0 {
		by = &uploadedBy
	}
	var party *string
	if u.Party != "" {
		party = &u.Party
	}
	f := File{Name: name, ContentType: ct, Size: int64(len(u.Data)), VisibleToClient: u.VisibleToClient}
	err = tx.QueryRow(ctx, `
		insert into files (company_id, job_id, site_id, task_id, planned_job_id, name, content_type, size, has_thumbnail, visible_to_client, uploaded_by, party)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id, created_at`,
		companyID, job, site, task, planned, f.Name, f.ContentType, f.Size, f.HasThumbnail, f.VisibleToClient, by, party).Scan(&f.ID, &f.CreatedAt)
	if err != nil {
		return File{}, fmt.Errorf("files: save: %w", err)
	}
	if err := store.Put(ctx, tx, companyID, f.ID, Original, u.Data); err != nil {
		return File{}, err
	}
	return f, nil
}

const fileColumns = `f.id, f.name, f.content_type, f.size, f.has_thumbnail, f.visible_to_client, f.created_at`

// QueueList adds the files of owner, newest first. clientOnly leaves out files not marked for the client.
func QueueList(b *pgx.Batch, companyID int64, owner Owner, clientOnly bool, fs *[]File) {
	job, site, task, planned := owner.ids()
	b.Queue(`select `+fileColumns+` from files f
		 where f.company_id = $1 and (f.visible_to_client or not $2) and `+ownerSQL+`
		 order by f.id desc`, companyID, clientOnly, job, site, owner.ClientID, task, planned).Query(func(rows pgx.Rows) (err error) {
		*fs, err = pgx.CollectRows(rows, pgx.RowToStructByName[File])
		return err
	})
}

// QueueGet adds the file of owner with id: ErrNotFound when owner has no such file, or, with clientOnly, when
// the file is not marked for the client.
func QueueGet(b *pgx.Batch, companyID int64, owner Owner, id int64, clientOnly bool, f *File) {
	job, site, task, planned := owner.ids()
	b.Queue(`select `+fileColumns+` from files f
		 where f.company_id = $1 and f.id = $2 and (f.visible_to_client or not $8) and `+ownerSQL,
		companyID, id, job, site, owner.ClientID, task, planned, clientOnly).Query(func(rows pgx.Rows) (err error) {
		*f, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[File])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// QueueClientSites adds the files of all the sites of a client, newest first, keyed by site: for the client record.
func QueueClientSites(b *pgx.Batch, companyID, clientID int64, bySite map[int64][]File) {
	b.Queue(`
		select f.site_id, `+fileColumns+`
		  from files f join sites s on s.company_id = f.company_id and s.id = f.site_id
		 where f.company_id = $1 and s.client_id = $2
		 order by f.id desc`, companyID, clientID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var site int64
			var f File
			if err := rows.Scan(&site, &f.ID, &f.Name, &f.ContentType, &f.Size, &f.HasThumbnail, &f.VisibleToClient, &f.CreatedAt); err != nil {
				return err
			}
			bySite[site] = append(bySite[site], f)
		}
		return rows.Err()
	})
}

// Delete removes a file of owner (its bytes go with it) and returns its name. ErrNotFound when owner has none.
func Delete(ctx context.Context, tx pgx.Tx, companyID int64, owner Owner, id int64) (string, error) {
	job, site, task, planned := owner.ids()
	var name string
	err := tx.QueryRow(ctx, `delete from files f where f.company_id = $1 and f.id = $2 and `+ownerSQL+` returning f.name`,
		companyID, id, job, site, owner.ClientID, task, planned).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("files: delete: %w", err)
	}
	return name, nil
}
