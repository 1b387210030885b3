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

// Message is a note on a job — internal, or visible to the client — or an email sent about it.
type Message struct {
	ID              int64
	AuthorName      string
	Body            string
	VisibleToClient bool
	// FromClient marks a client user's reply.
	FromClient bool
	// Subject is an email's ("" for a note); Attachments the names of the files it carried.
	Subject     string
	Attachments []string
	CreatedAt   time.Time
}

// IsEmail reports whether the message is an email sent about the job.
func (m Message) IsEmail() bool { return m.Subject != "" }

const messageColumns = `id, author_name, body, visible_to_client, from_client, coalesce(subject, '') as subject, attachments, created_at`

// QueueMessages adds the job's messages, newest first (the latest 200), for the office's Messages tab.
func QueueMessages(b *pgx.Batch, companyID, jobID int64, msgs *[]Message) {
	b.Queue(`select `+messageColumns+` from job_messages where company_id = $1 and job_id = $2 order by id desc limit 200`,
		companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*msgs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Message])
		return err
	})
}

// QueueClientTimeline adds what the client may read of the job's communication — the notes marked for them,
// their own replies and the emails sent to their addresses — as one timeline, newest last (the latest 200).
// Internal notes and emails to others are never read.
func QueueClientTimeline(b *pgx.Batch, companyID, jobID int64, msgs *[]Message) {
	b.Queue(`select `+messageColumns+` from job_messages where company_id = $1 and id in (
		    select id from job_messages where company_id = $1 and job_id = $2 and visible_to_client order by id desc limit 200)
		 order by id`,
		companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*msgs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Message])
		return err
	})
}

// AddMessage adds a note to the job (internal unless visibleToClient), with a History line.
func AddMessage(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, jobID int64, body string, visibleToClient bool) (int64, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return 0, apperr.FieldError("body", "Write the note first.")
	case utf8.RuneCountInString(body) > 10000:
		return 0, apperr.FieldError("body", "Use at most 10000 characters.")
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

// SentEmail is an email sent about a job, as its timeline keeps it: the body as written (never a link's token),
// the names of the files it carried, and whether it went to the client's addresses.
type SentEmail struct {
	To          []string
	Subject     string
	Body        string
	Attachments []string
	// WithLinks: each recipient's copy carried their own Job Share link.
	WithLinks bool
	// ToClient: a recipient was the client's (or billing client's) contact or one of its client users; only then
	// may the client read it.
	ToClient bool
}

// RecordEmail keeps an email sent about the job on its Messages — for the client too when it went to them, never
// listing the other recipients — and on History, which is internal and lists them all.
func RecordEmail(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, jobID int64, e SentEmail) error {
	if err := KeepEmail(ctx, tx, companyID, by, jobID, e); err != nil {
		return err
	}
	what := "Email “" + e.Subject + "” sent to " + strings.Join(e.To, ", ")
	if e.WithLinks {
		what += ", each with their own Job Share link"
	}
	if len(e.Attachments) > 0 {
		what += ", with " + strings.Join(e.Attachments, ", ")
	}
	return Record(ctx, tx, companyID, jobID, by, what)
}

// KeepEmail is RecordEmail without the History line, for a sender that writes its own.
func KeepEmail(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, jobID int64, e SentEmail) error {
	attachments := e.Attachments
	if attachments == nil {
		attachments = []string{}
	}
	if _, err := tx.Exec(ctx, `
		insert into job_messages (company_id, job_id, author_id, author_name, subject, body, attachments, visible_to_client)
		values ($1, $2, $3, $4, $5, $6, $7, $8)`,
		companyID, jobID, db.NullID(by.MembershipID), by.Name, e.Subject, e.Body, attachments, e.ToClient); err != nil {
		return fmt.Errorf("jobs: record email: %w", err)
	}
	return nil
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
		return 0, apperr.FieldError("body", "Write your message first.")
	case utf8.RuneCountInString(body) > MaxReply:
		return 0, apperr.FieldError("body", fmt.Sprintf("Use at most %d characters.", MaxReply))
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
