package share

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
)

// Limits of a composed email.
const (
	MaxSubjectLen = 200
	MaxBodyLen    = 20_000
	MaxRecipients = 20
	// MaxAttachBytes bounds the files one email carries, in all: most mail servers take 25 MB, and encoding adds a
	// third.
	MaxAttachBytes = 15 << 20
)

// Recipient is someone the composer offers: the client's contact, or a staff member on the job's visits.
type Recipient struct {
	Email string
	Name  string
	Role  string // "client" or "staff"
}

// recipientsSQL lists the client's contact first, then the active staff on the job's visits, by name.
const recipientsSQL = `
	select email, name, role from (
	    select c.email::text as email, c.name, 'client' as role, 0 as ord
	      from jobs j join clients c on c.company_id = j.company_id and c.id = j.client_id
	     where j.company_id = $1 and j.id = $2 and c.email is not null
	    union
	    select a.email::text, a.name, 'staff', 1
	      from visits v
	      join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
	      join accounts a on a.id = m.account_id
	     where v.company_id = $1 and v.job_id = $2 and m.active) r
	 order by ord, name`

// QueueRecipients adds the people the composer offers for the job: the client's contact first, then the staff
// on its visits, by name.
func QueueRecipients(b *pgx.Batch, companyID, jobID int64, rs *[]Recipient) {
	b.Queue(recipientsSQL, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*rs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Recipient])
		return err
	})
}

// Compose is what the Send Email composer sends.
type Compose struct {
	To      []string // ticked recipients (their email addresses)
	Custom  string   // other addresses, separated by commas or spaces
	Subject string
	Body    string
	AddLink bool // Add JobShare Link: each recipient's copy gets their own link
	// Files are the job's files ticked to go with it.
	Files []int64
}

// clientAddressesSQL lists the addresses that are the job's client's: the contact of its client and billing
// client, and their client users' logins, lower-cased.
const clientAddressesSQL = `
	select lower(c.email::text) from jobs j join clients c on c.company_id = j.company_id and c.id in (j.client_id, j.billing_client_id)
	 where j.company_id = $1 and j.id = $2 and c.email is not null
	union
	select lower(a.email::text) from jobs j
	  join memberships m on m.company_id = j.company_id and m.client_id in (j.client_id, j.billing_client_id)
	  join accounts a on a.id = m.account_id
	 where j.company_id = $1 and j.id = $2 and m.role = 'client'`

// attachableSQL is the condition that file f may go with an email about job $2: the job's own photos and documents,
// those of its site, and its current invoice's PDF.
const attachableSQL = `(f.job_id = $2
	or f.site_id = (select j.site_id from jobs j where j.company_id = $1 and j.id = $2)
	or f.invoice_id = (select i.id from invoices i where i.company_id = $1 and i.job_id = $2 and i.superseded_at is null))`

// Attachable is a file the composer offers, and where it comes from: "job", "site" or "invoice".
type Attachable struct {
	ID   int64
	Name string
	Size int64
	From string
}

// QueueAttachable adds the files an email about the job may carry: its current invoice first, then the job's files
// and its site's, newest first.
func QueueAttachable(b *pgx.Batch, companyID, jobID int64, out *[]Attachable) {
	b.Queue(`select f.id, f.name, f.size, case when f.invoice_id is not null then 'invoice' when f.site_id is not null then 'site' else 'job' end as from
		  from files f where f.company_id = $1 and `+attachableSQL+`
		 order by f.invoice_id is null, f.site_id is not null, f.id desc limit 200`, companyID, jobID).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Attachable])
		return err
	})
}

// attachments reads the ticked files (attachableSQL), by id, each once, and the invoice whose PDF is among them (0:
// none): ErrNotFound for a file the job may not send (the form offers only these), a ValidationError on "files" over
// MaxAttachBytes.
func attachments(ctx context.Context, tx pgx.Tx, companyID, jobID int64, ids []int64, v *apperr.ValidationError) ([]mail.Attachment, int64, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil, 0, nil
	}
	rows, _ := tx.Query(ctx, `select f.id, f.name, f.content_type, f.size, coalesce(f.invoice_id, 0) as invoice_id
		  from files f where f.company_id = $1 and `+attachableSQL+` and f.id = any($3) order by f.id`, companyID, jobID, ids)
	type file struct {
		ID          int64
		Name        string
		ContentType string
		Size        int64
		InvoiceID   int64
	}
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByName[file])
	if err != nil {
		return nil, 0, fmt.Errorf("share: attachments: %w", err)
	}
	if len(fs) != len(ids) {
		return nil, 0, apperr.ErrNotFound
	}
	var total, invoice int64
	as := make([]mail.Attachment, len(fs))
	for i, f := range fs {
		total += f.Size
		as[i] = mail.Attachment{FileID: f.ID, Name: f.Name, ContentType: f.ContentType}
		invoice = max(invoice, f.InvoiceID)
	}
	if total > MaxAttachBytes {
		v.Add("files", fmt.Sprintf("Attach at most %d MB in all: these come to %.1f MB. Send the rest in another email.", MaxAttachBytes>>20, float64(total)/(1<<20)))
	}
	return as, invoice, nil
}

// addressees are the addresses an email goes to, each once: the ticked ones — each among offered, as the form offers
// only those: anything else is forged, ErrNotFound — and the typed ones, each checked (a bad one refused in words on
// "custom", into v). None at all, or more than MaxRecipients, is refused in words into v.
func addressees(ticked, offered []string, typed string, v *apperr.ValidationError) ([]string, error) {
	var to []string
	add := func(addr string) {
		if !slices.ContainsFunc(to, func(t string) bool { return strings.EqualFold(t, addr) }) {
			to = append(to, addr)
		}
	}
	for _, t := range ticked {
		if !slices.ContainsFunc(offered, func(o string) bool { return strings.EqualFold(o, t) }) {
			return nil, apperr.ErrNotFound
		}
		add(t)
	}
	for _, addr := range splitAddresses(typed) {
		iv := &apperr.ValidationError{}
		identity.CheckEmail(iv, "custom", addr)
		if msg := iv.Field("custom"); msg != "" {
			v.Add("custom", "“"+addr+"” is not an email address. "+msg)
			continue
		}
		add(addr)
	}
	switch {
	case len(to) == 0 && v.Field("custom") == "":
		v.Add("to", "Tick at least one recipient, or type an address.")
	case len(to) > MaxRecipients:
		v.Add("custom", fmt.Sprintf("Send to at most %d people at once.", MaxRecipients))
	}
	return to, nil
}

// Send validates the composed email and queues one copy per recipient — each with its own freshly minted link
// when AddLink is set — recording it on the job's Messages and History, all in tx. Ticked recipients must be among
// those the composer offered (a forged address is refused); custom addresses must be well-formed. It returns how
// many copies it queued.
func (ls Letters) Send(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, c Compose) (int, error) {
	v := &apperr.ValidationError{}
	c.Subject, c.Body = strings.TrimSpace(c.Subject), strings.TrimSpace(c.Body)
	switch {
	case c.Subject == "":
		v.Add("subject", "Write a subject.")
	case utf8.RuneCountInString(c.Subject) > MaxSubjectLen:
		v.Add("subject", "Use at most 200 characters.")
	}
	switch {
	case c.Body == "" && !c.AddLink:
		v.Add("body", "Write a message, or add a Job Share link.")
	case utf8.RuneCountInString(c.Body) > MaxBodyLen:
		v.Add("body", fmt.Sprintf("Use at most %d characters (this has %d).", MaxBodyLen, utf8.RuneCountInString(c.Body)))
	}
	job, err := jobs.Lock(ctx, tx, companyID, scope, jobID)
	if err != nil {
		return 0, err
	}
	attached, invoice, err := attachments(ctx, tx, companyID, jobID, c.Files, v)
	if err != nil {
		return 0, err
	}
	var offered []string
	if len(c.To) > 0 {
		rows, _ := tx.Query(ctx, `select email from (`+recipientsSQL+`) r`, companyID, jobID)
		if offered, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return 0, fmt.Errorf("share: recipients: %w", err)
		}
	}
	to, err := addressees(c.To, offered, c.Custom, v)
	if err != nil {
		return 0, err
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var company string
	if err := tx.QueryRow(ctx, `select name from companies where id = $1`, companyID).Scan(&company); err != nil {
		return 0, fmt.Errorf("share: send: %w", err)
	}
	rows, _ := tx.Query(ctx, clientAddressesSQL, companyID, jobID)
	clientAddrs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("share: client addresses: %w", err)
	}
	sent := jobs.SentEmail{To: to, Subject: c.Subject, Body: c.Body, WithLinks: c.AddLink,
		ToClient: slices.ContainsFunc(to, func(addr string) bool { return slices.Contains(clientAddrs, strings.ToLower(addr)) })}
	for _, a := range attached {
		sent.Attachments = append(sent.Attachments, a.Name)
	}
	for _, addr := range to {
		l := Letter{To: addr, Subject: c.Subject, Body: c.Body, Company: company, JobRef: jobs.Ref(job.Number), JobTitle: job.Title,
			Attachments: attached}
		if c.AddLink {
			tok, err := mint(ctx, tx, companyID, jobID, addr, by.MembershipID)
			if err != nil {
				return 0, err
			}
			l.Link = ls.BaseURL + "/share/" + tok.Raw
		}
		emailID, err := ls.send(ctx, tx, companyID, KindMessage, l)
		if err != nil {
			return 0, err
		}
		if invoice != 0 { // the invoice went with it: a send in its dispatch log
			if err := invoices.RecordDispatch(ctx, tx, companyID, invoice, emailID, []string{addr}, by.MembershipID); err != nil {
				return 0, err
			}
		}
	}
	if err := jobs.RecordEmail(ctx, tx, companyID, by, jobID, sent); err != nil {
		return 0, err
	}
	return len(to), nil
}
