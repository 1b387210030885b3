// Package mail owns email: the outbox table every email goes through, the worker that delivers it over SMTP with
// retries, and the admin's view of it. Nothing sends SMTP inside a request.
package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Email is one message to enqueue. HTML comes from a templ component, Text from a text/template (see Render).
type Email struct {
	Kind    Kind
	To      []string
	Subject string
	Text    string
	HTML    string
	// Secret marks a body holding a token (a share or invitation link): it is redacted once sent.
	Secret bool
}

// Kind says what an email is for; it shows on the Outbox page.
type Kind string

// The kinds of email. Later features add theirs.
const (
	KindTest   Kind = "test"
	KindInvite Kind = "invite"
)

// Status is where an email is on its way out.
type Status string

// The statuses of an email.
const (
	StatusPending Status = "pending"
	StatusSending Status = "sending"
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed"
)

// Statuses lists every status, in the order of an email's life.
var Statuses = []Status{StatusPending, StatusSending, StatusSent, StatusFailed}

// notifyChannel is what Enqueue NOTIFYs and the worker LISTENs on.
const notifyChannel = "outbox"

// Enqueue adds e to the outbox inside the caller's transaction (from db.InCompany) and wakes the worker when that
// transaction commits: a rolled-back change sends nothing, a committed one always sends.
func Enqueue(ctx context.Context, tx pgx.Tx, companyID int64, e Email) (int64, error) {
	if len(e.To) == 0 || e.Subject == "" || e.Kind == "" {
		return 0, fmt.Errorf("mail: enqueue: an email needs a kind, recipients and a subject")
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into outbox_emails (company_id, kind, recipients, subject, text_body, html_body, redact)
		values ($1, $2, $3, $4, $5, $6, $7)
		returning id`,
		companyID, e.Kind, e.To, e.Subject, e.Text, e.HTML, e.Secret).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("mail: enqueue: %w", err)
	}
	if _, err := tx.Exec(ctx, `select pg_notify($1, '')`, notifyChannel); err != nil {
		return 0, fmt.Errorf("mail: enqueue: notify: %w", err)
	}
	return id, nil
}

// OutboxEmail is one row of the Outbox page.
type OutboxEmail struct {
	ID         int64
	Kind       Kind
	Recipients []string
	Subject    string
	Status     Status
	Attempts   int
	LastError  *string
	CreatedAt  time.Time
	SentAt     *time.Time
}

// OutboxFilter narrows the Outbox page: a status, a recipient search, and the keyset cursor (ids below Before).
type OutboxFilter struct {
	Status    Status
	Recipient string
	Before    int64
}

// OutboxPageSize is how many emails a page of the Outbox shows.
const OutboxPageSize = 50

// ParseStatus returns the status named s, "" for all, or a ValidationError.
func ParseStatus(s string) (Status, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", &apperr.ValidationError{Fields: map[string]string{"status": "Choose a status from the list."}}
}

// QueueOutbox adds one page of the company's emails, newest first, to b: OutboxPageSize+1 rows are read, so the
// caller knows whether an older page exists.
func QueueOutbox(b *pgx.Batch, companyID int64, f OutboxFilter, emails *[]OutboxEmail) {
	recipient := ""
	if f.Recipient != "" {
		recipient = "%" + escapeLike(strings.ToLower(f.Recipient)) + "%"
	}
	b.Queue(`
		select id, kind, recipients, subject, status, attempts, last_error, created_at, sent_at
		  from outbox_emails
		 where company_id = $1
		   and ($2 = '' or status = $2)
		   and ($3 = '' or exists (select from unnest(recipients) r where lower(r) like $3))
		   and ($4 = 0 or id < $4)
		 order by id desc
		 limit $5`,
		companyID, string(f.Status), recipient, f.Before, OutboxPageSize+1).Query(func(rows pgx.Rows) (err error) {
		*emails, err = pgx.CollectRows(rows, pgx.RowToStructByName[OutboxEmail])
		return err
	})
}

// escapeLike makes s match itself literally in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Retry puts a failed email back in the queue with a fresh set of attempts. ErrNotFound when the company has no
// such email; ErrConflict when it has not failed (it is queued, being sent, or sent).
func Retry(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	var status Status
	err := tx.QueryRow(ctx, `select status from outbox_emails where company_id = $1 and id = $2 for update`, companyID, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("mail: retry: %w", err)
	}
	if status != StatusFailed {
		return apperr.ErrConflict
	}
	if _, err := tx.Exec(ctx, `
		update outbox_emails set status = 'pending', attempts = 0, next_attempt_at = now()
		 where company_id = $1 and id = $2`, companyID, id); err != nil {
		return fmt.Errorf("mail: retry: %w", err)
	}
	if _, err := tx.Exec(ctx, `select pg_notify($1, '')`, notifyChannel); err != nil {
		return fmt.Errorf("mail: retry: notify: %w", err)
	}
	return nil
}
