package jobs

import (
	"context"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
)

// AddFile stores an uploaded file on the job, with a History line. A refused file is a ValidationError on field
// "file" and nothing is stored.
func AddFile(ctx context.Context, tx pgx.Tx, store files.Storage, companyID int64, scope Scope, by Actor, jobID int64, u files.Upload) (files.File, error) {
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return files.File{}, err
	}
	f, err := files.Save(ctx, tx, store, companyID, files.Owner{JobID: jobID}, by.MembershipID, u)
	if err != nil {
		return f, err
	}
	what := "File added: " + f.Name
	if f.VisibleToClient {
		what += " (visible to the client)"
	}
	return f, Record(ctx, tx, companyID, jobID, by, what)
}

// RemoveFile deletes a file of the job, with a History line. ErrNotFound when it is not the job's.
func RemoveFile(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID, fileID int64) error {
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	name, err := files.Delete(ctx, tx, companyID, files.Owner{JobID: jobID}, fileID)
	if err != nil {
		return err
	}
	return Record(ctx, tx, companyID, jobID, by, "File removed: "+name)
}
