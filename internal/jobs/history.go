package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Record writes a History line for the job in tx: every change here, and those other packages make in the same
// transaction (an email sent, a link revoked).
func Record(ctx context.Context, tx pgx.Tx, companyID, jobID int64, by Actor, what string) error {
	var actor *int64
	if by.MembershipID != 0 {
		actor = &by.MembershipID
	}
	if _, err := tx.Exec(ctx, `insert into job_history (company_id, job_id, actor_id, actor_name, what) values ($1, $2, $3, $4, $5)`,
		companyID, jobID, actor, by.Name, what); err != nil {
		return fmt.Errorf("jobs: history: %w", err)
	}
	return nil
}

// HistoryLine is one line of a job's History: who did what, when.
type HistoryLine struct {
	ActorName string
	What      string
	CreatedAt time.Time
}

// QueueHistory adds the job's History, newest first (the latest 500).
func QueueHistory(b *pgx.Batch, companyID, jobID int64, lines *[]HistoryLine) {
	b.Queue(`
		select actor_name, what, created_at from job_history
		 where company_id = $1 and job_id = $2 order by id desc limit 500`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[HistoryLine])
		return err
	})
}
