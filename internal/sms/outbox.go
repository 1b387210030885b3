package sms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/jobs"
)

// Recipient is a mobile number a job's text may go to: a contact of its client or billing client.
type Recipient struct {
	Name  string
	Phone string // E.164; "" when the contact's number is not a mobile one
	Typed string // the number as the client record has it
	// Problem says why it cannot be texted: not a mobile number, or the number replied STOP.
	Problem string
	Consent bool // the company recorded the number's consent
}

// Recipients lists, in tx, the job's client contacts with a phone — the billing client first — each read for region
// and checked against consent and opt-outs.
func Recipients(ctx context.Context, tx pgx.Tx, companyID, jobID int64, region string) ([]Recipient, error) {
	rows, _ := tx.Query(ctx, `
		select c.name, c.phone from jobs j join clients c on c.company_id = j.company_id and c.id in (j.billing_client_id, j.client_id)
		 where j.company_id = $1 and j.id = $2 and coalesce(c.phone, '') <> ''
		 order by c.id = j.billing_client_id desc, c.name`, companyID, jobID)
	var out []Recipient
	var phones []string
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Name, &r.Typed); err != nil {
			return nil, fmt.Errorf("sms: recipients: %w", err)
		}
		if phone, err := Mobile(r.Typed, region); err != nil {
			r.Problem = err.Error() + ": texts go to mobiles only"
		} else {
			r.Phone = phone
			phones = append(phones, phone)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sms: recipients: %w", err)
	}
	if len(phones) == 0 {
		return out, nil
	}
	rows, _ = tx.Query(ctx, `select phone, opted_out_at from sms_opted_out($1)`, phones)
	out2 := map[string]time.Time{}
	for rows.Next() {
		var p string
		var at time.Time
		if err := rows.Scan(&p, &at); err != nil {
			return nil, fmt.Errorf("sms: opt-outs: %w", err)
		}
		out2[p] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sms: opt-outs: %w", err)
	}
	rows, _ = tx.Query(ctx, `select phone from sms_consents where company_id = $1 and phone = any($2)`, companyID, phones)
	consented, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sms: consents: %w", err)
	}
	for i, r := range out {
		if at, ok := out2[r.Phone]; ok && r.Phone != "" {
			out[i].Problem = "replied STOP on " + at.Format("2 January 2006") + ": never texted again"
		}
		out[i].Consent = slices.Contains(consented, r.Phone)
	}
	return out, nil
}

// Text is what the Text message composer sends.
type Text struct {
	To   []string // ticked numbers, in E.164
	Body string
	// Consent: the sender confirms the recipients without recorded consent agreed to get texts.
	Consent bool
}

// Send queues the text to each ticked number of the job's (Recipients), records consent given now, and keeps it on
// the job's Messages (the client sees it) and History, all in tx. A body empty or over MaxLen, no recipient, or a
// number without consent and the box unticked is refused in words, nothing queued; a number that replied STOP is
// refused in words with why; one the job does not offer is ErrNotFound (forged).
func Send(ctx context.Context, tx pgx.Tx, companyID int64, scope jobs.Scope, by jobs.Actor, jobID int64, region string, t Text) (int, error) {
	if _, err := jobs.Lock(ctx, tx, companyID, scope, jobID); err != nil {
		return 0, err
	}
	offered, err := Recipients(ctx, tx, companyID, jobID, region)
	if err != nil {
		return 0, err
	}
	v := &apperr.ValidationError{}
	t.Body = strings.TrimSpace(strings.ReplaceAll(t.Body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(t.Body); {
	case n == 0:
		v.Add("body", "Write the text.")
	case n > MaxLen:
		v.Add("body", fmt.Sprintf("A text holds at most %d characters: this one has %d.", MaxLen, n))
	}
	t.To = slices.Compact(slices.Sorted(slices.Values(t.To)))
	if len(t.To) == 0 {
		v.Add("to", "Tick at least one recipient.")
	}
	var needConsent []string
	for _, to := range t.To {
		i := slices.IndexFunc(offered, func(r Recipient) bool { return r.Phone != "" && r.Phone == to })
		if i < 0 {
			return 0, apperr.ErrNotFound
		}
		r := offered[i]
		switch {
		case r.Problem != "":
			v.Add("to", r.Name+" ("+r.Typed+") "+r.Problem+".")
		case !r.Consent:
			needConsent = append(needConsent, to)
		}
	}
	if len(needConsent) > 0 && !t.Consent {
		v.Add("consent", "Confirm that "+strings.Join(needConsent, ", ")+" agreed to get texts from you: it is recorded once per number.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	for _, to := range needConsent {
		if _, err := tx.Exec(ctx, `insert into sms_consents (company_id, phone, given_by) values ($1, $2, $3) on conflict do nothing`,
			companyID, to, db.NullID(by.MembershipID)); err != nil {
			return 0, fmt.Errorf("sms: consent: %w", err)
		}
	}
	for _, to := range t.To {
		if _, err := tx.Exec(ctx, `insert into sms_outbox (company_id, to_phone, body, job_id, sent_by) values ($1, $2, $3, $4, $5)`,
			companyID, to, t.Body, jobID, db.NullID(by.MembershipID)); err != nil {
			return 0, fmt.Errorf("sms: queue: %w", err)
		}
	}
	if err := jobs.KeepEmail(ctx, tx, companyID, by, jobID, jobs.SentEmail{To: t.To, Subject: "Text message", Body: t.Body, ToClient: true}); err != nil {
		return 0, err
	}
	return len(t.To), jobs.Record(ctx, tx, companyID, jobID, by, "Text message sent to "+strings.Join(t.To, ", ")+": “"+t.Body+"”")
}

// Queued is a text as the SMS page lists it.
type Queued struct {
	ID        int64
	ToPhone   string
	Body      string
	Status    string
	Attempts  int
	LastError *string
	CreatedAt time.Time
	SentAt    *time.Time
	JobID     *int64
}

// QueueList adds the company's newest texts (at most 100).
func QueueList(b *pgx.Batch, companyID int64, out *[]Queued) {
	b.Queue(`select id, to_phone, body, status, attempts, last_error, created_at, sent_at, job_id from sms_outbox
		 where company_id = $1 order by id desc limit 100`, companyID).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Queued])
		return err
	})
}

// OptOut records that phone (E.164) replied STOP: no company texts it again.
func OptOut(ctx context.Context, d *db.DB, phone string) error {
	if _, err := d.Pool.Exec(ctx, `select sms_opt_out($1)`, phone); err != nil {
		return fmt.Errorf("sms: opt out: %w", err)
	}
	return nil
}
