package tasks

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
)

// AddFile stores an upload on the task (the seed's Browse) for someone who can see it; everyone on the task may
// view and download it. The checks are files.Save's: the allow-list, magic bytes, the size limit, a cleaned name.
func AddFile(ctx context.Context, tx pgx.Tx, store files.Storage, companyID int64, s Scope, by Actor, taskID int64, u files.Upload) (files.File, error) {
	if _, err := lock(ctx, tx, companyID, s, taskID); err != nil {
		return files.File{}, err
	}
	u.VisibleToClient = false // a task's files are everyone's on it; the job's client flag means nothing here
	return files.Save(ctx, tx, store, companyID, files.Owner{TaskID: taskID}, by.MembershipID, u)
}

// QueueFiles adds the task's files, newest first, for someone who can see the task (none otherwise).
func QueueFiles(b *pgx.Batch, companyID int64, s Scope, taskID int64, fs *[]files.File) {
	b.Queue(`
		select f.id, f.name, f.content_type, f.size, f.has_thumbnail, f.visible_to_client, f.created_at
		  from tasks t join files f on f.company_id = t.company_id and f.task_id = t.id
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		 order by f.id desc`, companyID, s.All, s.Member, taskID).Query(func(rows pgx.Rows) (err error) {
		*fs, err = pgx.CollectRows(rows, pgx.RowToStructByName[files.File])
		return err
	})
}

// QueueVisible adds a check that the task is one someone in scope may see: ErrNotFound otherwise. A file of the
// task is sent only after it (see page.FileRequest's Check).
func QueueVisible(b *pgx.Batch, companyID int64, s Scope, taskID int64) {
	b.Queue(`select true from tasks t where t.company_id = $1 and t.id = $4 and `+visibleSQL(2), companyID, s.All, s.Member, taskID).
		QueryRow(func(row pgx.Row) error {
			var seen bool
			err := row.Scan(&seen)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.ErrNotFound
			}
			return err
		})
}
