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
	"fieldops/internal/input"
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
	// Attachments are files of the company sent with the email, read from files.Storage when it goes out.
	Attachments []Attachment
}

// Attachment is a stored file an email carries.
type Attachment struct {
	FileID      int64
	Name        string
	ContentType string
}

// Kind says what an email is for; it shows on the Outbox page.
type Kind string

// The kinds of email. Later features add theirs.
const (
	KindTest   Kind = "test"
	KindInvite Kind = "invite"
	// A person's digest of their unread notifications (their notification settings).
	KindDigest Kind = "digest"
	// A person's own login: verifying a sign-up's email, choosing a new password.
	KindVerify Kind = "verify"
	KindReset  Kind = "reset"
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
// transaction commits: a rolled-back change sends nothing, a committed one always sends. The company's sending
// rules come first (see Sender.Allow): a refusal is a ValidationError in words (wrapped in
// apperr.ErrTooManyRequests over a limit), and the caller's transaction should roll back with it.
func Enqueue(ctx context.Context, tx pgx.Tx, companyID int64, e Email) (int64, error) {
	if len(e.To) == 0 || e.Subject == "" || e.Kind == "" {
		return 0, fmt.Errorf("mail: enqueue: an email needs a kind, recipients and a subject")
	}
	if err := checkSending(ctx, tx, companyID, e); err != nil {
		return 0, err
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
	for i, a := range e.Attachments {
		if _, err := tx.Exec(ctx, `
			insert into outbox_attachments (company_id, email_id, position, file_id, name, content_type) values ($1, $2, $3, $4, $5, $6)`,
			companyID, id, i, a.FileID, a.Name, a.ContentType); err != nil {
			return 0, fmt.Errorf("mail: enqueue: attachment: %w", err)
		}
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
	// LinkRemoved: the email held a private link and failed for good, so its bodies were redacted; it cannot be
	// sent again (see Retry).
	LinkRemoved bool
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
	return "", apperr.FieldError("status", "Choose a status from the list.")
}

// QueueOutbox adds one page of the company's emails, newest first, to b: OutboxPageSize+1 rows are read, so the
// caller knows whether an older page exists.
func QueueOutbox(b *pgx.Batch, companyID int64, f OutboxFilter, emails *[]OutboxEmail) {
	recipient := ""
	if f.Recipient != "" {
		recipient = "%" + input.EscapeLike(strings.ToLower(f.Recipient)) + "%"
	}
	b.Queue(`
		select id, kind, recipients, subject, status, attempts, last_error, created_at, sent_at,
		       redact and status = 'failed' as link_removed
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

// QueueRetryable adds to b the count of the company's failed emails that Retry all failed would queue again.
func QueueRetryable(b *pgx.Batch, companyID int64, n *int) {
	b.Queue(`
		select count(*)
		  from outbox_emails
		 where company_id = $1 and status = 'failed' and not redact`, companyID).QueryRow(func(row pgx.Row) error {
		return row.Scan(n)
	})
}

// ErrLinkRemoved comes back from Retry for an email that held a private link (an invitation, a job's dashboard
// link) and failed for good: its link was removed from the stored copy, and sending that copy would hand the
// recipient a note instead of the link. A new one must be sent from where it came from (Resend, Share).
var ErrLinkRemoved = fmt.Errorf("mail: the email's private link was removed when it failed: %w", apperr.ErrConflict)

// Retry puts a failed email back in the queue for a fresh run of tries (GiveUpAfter counts from now). ErrNotFound
// when the company has no such email; ErrConflict when it has not failed (it is queued, being sent, or sent);
// ErrLinkRemoved when its private link was removed.
func Retry(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	var status Status
	var redact bool
	err := tx.QueryRow(ctx, `select status, redact from outbox_emails where company_id = $1 and id = $2 for update`,
		companyID, id).Scan(&status, &redact)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("mail: retry: %w", err)
	}
	if status != StatusFailed {
		return apperr.ErrConflict
	}
	if redact {
		return ErrLinkRemoved
	}
	if _, err := tx.Exec(ctx, `
		update outbox_emails
		   set status = 'pending', attempts = 0, next_attempt_at = now(), queued_at = now(), last_error = null
		 where company_id = $1 and id = $2`, companyID, id); err != nil {
		return fmt.Errorf("mail: retry: %w", err)
	}
	if _, err := tx.Exec(ctx, `select pg_notify($1, '')`, notifyChannel); err != nil {
		return fmt.Errorf("mail: retry: notify: %w", err)
	}
	return nil
}

// Requeued is what Retry all failed did: how many failed emails it queued again, and how many it left failed
// because their private link was removed (see ErrLinkRemoved).
type Requeued struct {
	Queued      int
	LinkRemoved int
}

// RetryFailed puts every failed email of the company back in the queue, as Retry does each, in one statement;
// those whose private link was removed stay failed and are counted apart.
func RetryFailed(ctx context.Context, tx pgx.Tx, companyID int64) (Requeued, error) {
	var r Requeued
	err := tx.QueryRow(ctx, `
		with retried as (
		    update outbox_emails
		       set status = 'pending', attempts = 0, next_attempt_at = now(), queued_at = now(), last_error = null
		     where company_id = $1 and status = 'failed' and not redact
		    returning 1
		)
		select (select count(*) from retried),
		       (select count(*) from outbox_emails where company_id = $1 and status = 'failed' and redact)`,
		companyID).Scan(&r.Queued, &r.LinkRemoved)
	if err != nil {
		return Requeued{}, fmt.Errorf("mail: retry failed: %w", err)
	}
	if r.Queued > 0 {
		if _, err := tx.Exec(ctx, `select pg_notify($1, '')`, notifyChannel); err != nil {
			return Requeued{}, fmt.Errorf("mail: retry failed: notify: %w", err)
		}
	}
	return r, nil
}
