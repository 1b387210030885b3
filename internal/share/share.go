// Package share owns Job Share: which clients get emailed links to a live, read-only dashboard of their jobs,
// the links themselves (one per recipient, minted when sent, revocable), the dashboard's data — never prices,
// costs, internal notes or files not marked for the client — and the record of who opened it.
package share

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

// Letter is one email about a job, to one recipient, before it is rendered. Link is the dashboard's address in
// this recipient's copy, or "".
type Letter struct {
	To       string
	Subject  string
	Body     string
	Link     string
	Company  string
	JobRef   string
	JobTitle string
	// Attachments are the files the letter carries.
	Attachments []mail.Attachment
}

// Renderer turns a letter into an email (the server renders it with the app's templates).
type Renderer func(context.Context, Letter) (mail.Email, error)

// Letters makes Job Share's emails: BaseURL is the app's address, for links; Render draws them. It is the
// jobs.Announcer of every job added for real.
type Letters struct {
	BaseURL string   // the app's address, for the dashboard links
	Render  Renderer // the app's email templates
}

// The kinds of email Job Share sends.
const (
	KindJobShare mail.Kind = "job_share"
	KindMessage  mail.Kind = "message"
	KindInvoice  mail.Kind = "invoice"
)

// mint records a new link to the job for recipient, with the company's link lifetime, and returns its token.
func mint(ctx context.Context, tx pgx.Tx, companyID, jobID int64, recipient string, sentBy int64) (token.Token, error) {
	tok := token.New()
	var by *int64
	if sentBy != 0 {
		by = &sentBy
	}
	_, err := tx.Exec(ctx, `
		insert into share_links (company_id, job_id, token_hash, recipient, sent_by, expires_at)
		select $1, $2, $3, $4, $5, now() + make_interval(days => c.share_link_days)
		  from companies c where c.id = $1`, companyID, jobID, tok.Hash, recipient, by)
	if err != nil {
		return tok, fmt.Errorf("share: mint: %w", err)
	}
	return tok, nil
}

// send renders and queues one letter in tx.
func (ls Letters) send(ctx context.Context, tx pgx.Tx, companyID int64, kind mail.Kind, l Letter) (int64, error) {
	e, err := ls.Render(ctx, l)
	if err != nil {
		return 0, err
	}
	e.Kind, e.To, e.Secret, e.Attachments = kind, []string{l.To}, l.Link != "", l.Attachments
	return mail.Enqueue(ctx, tx, companyID, e)
}

// JobAdded emails the client's contact a link to the new job's dashboard when the client has Job Share on, in
// the job's own transaction, and notes it on History (jobs calls it for every job added for real).
func (ls Letters) JobAdded(ctx context.Context, tx pgx.Tx, companyID int64, by jobs.Actor, jobID int64) error {
	_, err := ls.jobAdded(ctx, tx, companyID, by, jobID)
	return err
}

// jobAdded is JobAdded, reporting whether it sent.
func (ls Letters) jobAdded(ctx context.Context, tx pgx.Tx, companyID int64, by jobs.Actor, jobID int64) (bool, error) {
	var on bool
	var email *string
	var l Letter
	var number int64
	err := tx.QueryRow(ctx, `
		select c.job_share, c.email::text, co.name, j.number, j.title
		  from jobs j
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  join companies co on co.id = j.company_id
		 where j.company_id = $1 and j.id = $2`, companyID, jobID).Scan(&on, &email, &l.Company, &number, &l.JobTitle)
	if err != nil {
		return false, fmt.Errorf("share: new job: %w", err)
	}
	if !on || email == nil {
		return false, nil
	}
	tok, err := mint(ctx, tx, companyID, jobID, *email, by.MembershipID)
	if err != nil {
		return false, err
	}
	l.To, l.JobRef, l.Link = *email, jobs.Ref(number), ls.BaseURL+"/share/"+tok.Raw
	l.Subject = l.Company + ": your job " + l.JobRef + " — " + l.JobTitle
	l.Body = l.Company + " has added a job for you: " + l.JobTitle + ".\n\nFollow it live — the visits booked, who is coming and when — on your job dashboard. No login needed."
	if _, err := ls.send(ctx, tx, companyID, KindJobShare, l); err != nil {
		return false, err
	}
	// The timeline shows it as the company's: it is sent for whoever added the job, the client's own user too.
	sent := jobs.SentEmail{To: []string{l.To}, Subject: l.Subject, Body: l.Body, WithLinks: true, ToClient: true}
	if err := jobs.KeepEmail(ctx, tx, companyID, jobs.Actor{Name: l.Company}, jobID, sent); err != nil {
		return false, err
	}
	return true, jobs.Record(ctx, tx, companyID, jobID, by, "Job Share link emailed to "+*email)
}

// Link is one dashboard link of a job, as History lists it.
type Link struct {
	ID         int64
	Recipient  string
	SentAt     time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	Opens      int
	LastOpened *time.Time
}

// Live reports whether the link still opens the dashboard at now.
func (l Link) Live(now time.Time) bool {
	return l.RevokedAt == nil && (l.ExpiresAt == nil || l.ExpiresAt.After(now))
}

// QueueLinks adds the job's links, newest first, with how often and when last each was opened.
func QueueLinks(b *pgx.Batch, companyID, jobID int64, links *[]Link) {
	b.Queue(`
		select l.id, l.recipient::text as recipient, l.sent_at, l.expires_at, l.revoked_at,
		       coalesce(o.n, 0)::int as opens, o.last as last_opened
		  from share_links l
		  left join lateral (select sum(d.opens) as n, max(d.last_opened_at) as last from share_link_days d
		                      where d.company_id = l.company_id and d.link_id = l.id) o on true
		 where l.company_id = $1 and l.job_id = $2
		 order by l.id desc`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*links, err = pgx.CollectRows(rows, pgx.RowToStructByName[Link])
		return err
	})
}

// QueueLiveCount adds how many of the job's links still open its dashboard (the Job Share icon).
func QueueLiveCount(b *pgx.Batch, companyID, jobID int64, n *int) {
	b.Queue(`
		select count(*)::int from share_links
		 where company_id = $1 and job_id = $2 and revoked_at is null and (expires_at is null or expires_at > now())`,
		companyID, jobID).QueryRow(func(row pgx.Row) error { return row.Scan(n) })
}

// Revoke kills one link of the job at once, with a History line. ErrNotFound when the job has no such live link.
func Revoke(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID, linkID int64) error {
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return err
	}
	var recipient string
	err := tx.QueryRow(ctx, `
		update share_links set revoked_at = now()
		 where company_id = $1 and job_id = $2 and id = $3 and revoked_at is null
		returning recipient::text`, companyID, jobID, linkID).Scan(&recipient)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("share: revoke: %w", err)
	}
	return jobs.Record(ctx, tx, companyID, jobID, by, "Job Share link to "+recipient+" revoked")
}

// RevokeAll kills every live link of the job, with a History line, and returns how many.
func RevokeAll(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64) (int, error) {
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, `update share_links set revoked_at = now() where company_id = $1 and job_id = $2 and revoked_at is null`,
		companyID, jobID)
	if err != nil {
		return 0, fmt.Errorf("share: revoke all: %w", err)
	}
	n := int(tag.RowsAffected())
	if n == 0 {
		return 0, nil
	}
	return n, jobs.Record(ctx, tx, companyID, jobID, by, fmt.Sprintf("All Job Share links revoked (%d)", n))
}

// RevokeForClient kills every live link of every job of the client (as the client, not merely the billing client,
// whose jobs may be another's), each job getting a History line, and returns how many links. The caller has checked the client is in the viewer's scope.
func RevokeForClient(ctx context.Context, tx pgx.Tx, companyID int64, by jobs.Actor, clientID int64) (int, error) {
	rows, _ := tx.Query(ctx, `
		update share_links l set revoked_at = now()
		  from jobs j
		 where l.company_id = $1 and j.company_id = l.company_id and j.id = l.job_id and l.revoked_at is null
		   and j.client_id = $2
		returning l.job_id`, companyID, clientID)
	jobIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("share: revoke for client: %w", err)
	}
	done := map[int64]bool{}
	for _, id := range jobIDs {
		if !done[id] {
			done[id] = true
			if err := jobs.Record(ctx, tx, companyID, id, by, "All Job Share links revoked from the client's record"); err != nil {
				return 0, err
			}
		}
	}
	return len(jobIDs), nil
}

// Opened is what a dashboard link leads to.
type Opened struct {
	CompanyID   int64
	CompanyName string
	JobID       int64
	// Expired: the link outlived the company's link lifetime (410, naming the company).
	Expired bool
	LinkID  int64
}

// Open looks up a dashboard link — a read — and, when opens is given (the dashboard page itself, not the files it
// links to), counts the open there. Every raw string costs the same hash and one lookup, so a made-up, malformed
// or revoked token answers ErrNotFound in the same time. An expired link comes back with Expired set.
func Open(ctx context.Context, pool *pgxpool.Pool, raw string, opens *Opens) (Opened, error) {
	if len(raw) > 100 {
		raw = raw[:100]
	}
	var o Opened
	var jobID, linkID *int64
	err := pool.QueryRow(ctx, `select company_id, company_name, job_id, expired, link_id from share_open($1)`, token.Hash(raw)).
		Scan(&o.CompanyID, &o.CompanyName, &jobID, &o.Expired, &linkID)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, apperr.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("share: open: %w", err)
	}
	if jobID != nil && linkID != nil {
		o.JobID, o.LinkID = *jobID, *linkID
		if opens != nil {
			opens.Record(o.CompanyID, o.LinkID, time.Now())
		}
	}
	return o, nil
}

// splitAddresses reads a custom-address field: addresses separated by commas, semicolons or spaces.
func splitAddresses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
}
