package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
)

// Message is a note on a job: internal, or visible to the client.
type Message struct {
	ID              int64
	AuthorName      string
	Body            string
	VisibleToClient bool
	// FromClient marks a client user's reply.
	FromClient bool
	CreatedAt  time.Time
}

// QueueMessages adds the job's messages, newest first (the latest 200). clientOnly leaves out internal ones.
func QueueMessages(b *pgx.Batch, companyID, jobID int64, clientOnly bool, msgs *[]Message) {
	b.Queue(`
		select id, author_name, body, visible_to_client, from_client, created_at from job_messages
		 where company_id = $1 and job_id = $2 and (visible_to_client or not $3)
		 order by id desc limit 200`, companyID, jobID, clientOnly).Query(func(rows pgx.Rows) (err error) {
		*msgs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Message])
		return err
	})
}

// AddMessage adds a note to the job (internal unless visibleToClient), with a History line.
func AddMessage(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID int64, body string, visibleToClient bool) (int64, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return 0, &apperr.ValidationError{Fields: map[string]string{"body": "Write the note first."}}
	case utf8.RuneCountInString(body) > 10000:
		return 0, &apperr.ValidationError{Fields: map[string]string{"body": "Use at most 10000 characters."}}
	}
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into job_messages (company_id, job_id, author_id, author_name, body, visible_to_client)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		companyID, jobID, db.NullID(by.MembershipID), by.Name, body, visibleToClient).Scan(&id); err != nil {
		return 0, fmt.Errorf("jobs: add message: %w", err)
	}
	what := "Internal note added"
	if visibleToClient {
		what = "Note visible to the client added"
	}
	return id, Record(ctx, tx, companyID, jobID, by, what)
}

// RecordEmail keeps an email sent about the job on its Messages and History, in tx. The message is visible to the
// client only when the client's contact was a recipient, and never lists the other recipients (staff or other
// addresses); History, which is internal, does.
func RecordEmail(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, jobID int64, to []string, subject, body string, withLinks, toClient bool) error {
	text := "Email: " + subject
	if body != "" {
		text += "\n\n" + body
	}
	if _, err := tx.Exec(ctx, `
		insert into job_messages (company_id, job_id, author_id, author_name, body, visible_to_client)
		values ($1, $2, $3, $4, $5, $6)`, companyID, jobID, db.NullID(by.MembershipID), by.Name, text, toClient); err != nil {
		return fmt.Errorf("jobs: record email: %w", err)
	}
	what := "Email “" + subject + "” sent to " + strings.Join(to, ", ")
	if withLinks {
		what += ", each with their own Job Share link"
	}
	return Record(ctx, tx, companyID, jobID, by, what)
}

// AddClientReply adds a client user's reply on one of their client's jobs (Job Share Plus with View messages): a
// message from the client, always visible to the client — a client can never write an internal note — with a
// History line; the job goes back to From clients until the office opens it. ErrForbidden without View messages or
// for anyone but a client user; ErrNotFound for a job that is not their client's.
func AddClientReply(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, perms identity.Permissions, by Actor, jobID int64, body string) (int64, error) {
	if scope.Client == 0 || !perms.ViewMessages {
		return 0, apperr.ErrForbidden
	}
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return 0, &apperr.ValidationError{Fields: map[string]string{"body": "Write your message first."}}
	case utf8.RuneCountInString(body) > MaxReply:
		return 0, &apperr.ValidationError{Fields: map[string]string{"body": fmt.Sprintf("Use at most %d characters.", MaxReply)}}
	}
	if _, err := lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into job_messages (company_id, job_id, author_id, author_name, body, visible_to_client, from_client)
		values ($1, $2, $3, $4, $5, true, true) returning id`,
		companyID, jobID, db.NullID(by.MembershipID), by.Name, body).Scan(&id); err != nil {
		return 0, fmt.Errorf("jobs: client reply: %w", err)
	}
	if _, err := tx.Exec(ctx, `update jobs set seen_at = null where company_id = $1 and id = $2`, companyID, jobID); err != nil {
		return 0, fmt.Errorf("jobs: client reply: %w", err)
	}
	return id, Record(ctx, tx, companyID, jobID, by, "Reply from the client")
}

// MaxReply bounds a client's reply.
const MaxReply = 5000
