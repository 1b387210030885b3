package billing

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/input"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/templates/email"
	"fieldops/templates/outbox"
)

// OutboxPage lists the company's emails, newest first, by status and recipient, 50 a page.
func (h *Handlers) OutboxPage(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	p := outbox.Page{Recipient: q.Get("recipient"), Status: q.Get("status"), Notice: h.Notice(r)}
	for _, st := range mail.Statuses {
		p.Statuses = append(p.Statuses, string(st))
	}
	f := mail.OutboxFilter{Recipient: strings.TrimSpace(p.Recipient)}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64) // a mangled cursor shows the newest page
	status, err := mail.ParseStatus(p.Status)
	verr := &apperr.ValidationError{}
	if err != nil {
		verr.Add("status", apperr.AsValidation(err).Field("status"))
	}
	input.CheckSearch(verr, "recipient", f.Recipient, identity.MaxEmailLen)
	if err = verr.Err(); err != nil {
		p.Errors = verr
		h.Render(w, r, err, outbox.Show(h.Chrome(r, "Outbox"), p))
		return
	}
	f.Status = status
	p.Filtered = f.Status != "" || f.Recipient != ""

	var emails []mail.OutboxEmail
	err = h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		mail.QueueOutbox(b, v.CompanyID, f, &emails)
		mail.QueueRetryable(b, v.CompanyID, &p.Retryable)
	})
	if len(emails) > mail.OutboxPageSize {
		emails = emails[:mail.OutboxPageSize]
		p.Pager.OlderURL = outboxURL(p, emails[len(emails)-1].ID)
	}
	if f.Before != 0 {
		p.Pager.NewerURL = outboxURL(p, 0)
	}
	for _, e := range emails {
		row := outbox.Row{ID: e.ID, Created: e.CreatedAt.UTC().Format("2 Jan 2006 15:04 UTC"),
			Recipients: strings.Join(e.Recipients, ", "), Subject: e.Subject, Kind: string(e.Kind),
			Status: string(e.Status), StatusTone: statusTone(e.Status), Attempts: e.Attempts,
			CanRetry: e.Status == mail.StatusFailed && !e.LinkRemoved, LinkRemoved: e.LinkRemoved}
		if e.LastError != nil && e.Status != mail.StatusSent {
			row.LastError = *e.LastError
		}
		p.Rows = append(p.Rows, row)
	}
	h.Render(w, r, err, outbox.Show(h.Chrome(r, "Outbox"), p))
}

func outboxURL(p outbox.Page, before int64) string {
	q := url.Values{}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.Recipient != "" {
		q.Set("recipient", p.Recipient)
	}
	if before != 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/outbox"
	}
	return "/outbox?" + q.Encode()
}

func statusTone(s mail.Status) string {
	switch s {
	case mail.StatusSent:
		return "ok"
	case mail.StatusFailed:
		return "danger"
	case mail.StatusSending:
		return "info"
	}
	return "warn"
}

// OutboxRetry queues a failed email again. One whose private link was removed is not sent again (the recipient
// would get a note instead of the link); the notice says so, and where to send a new one from.
func (h *Handlers) OutboxRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return mail.Retry(r.Context(), tx, co, id) })
	if errors.Is(err, mail.ErrLinkRemoved) {
		h.Done(w, r, nil, "/outbox", "That email was not sent again: it held a private link, removed when it failed. "+
			"Send a new one from where it came from (Resend for an invitation, Send Email on the job for a Job Share link).")
		return
	}
	h.Done(w, r, err, "/outbox", "The email is queued to be sent again.")
}

// OutboxRetryFailed queues every failed email of the company again, but for those whose private link was removed.
func (h *Handlers) OutboxRetryFailed(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	var done mail.Requeued
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		done, err = mail.RetryFailed(r.Context(), tx, co)
		return err
	})
	h.Done(w, r, err, "/outbox", requeuedNotice(done))
}

func requeuedNotice(done mail.Requeued) string {
	var notice string
	switch done.Queued {
	case 0:
		notice = "No failed emails to send again."
	case 1:
		notice = "1 email is queued to be sent again."
	default:
		notice = strconv.Itoa(done.Queued) + " emails are queued to be sent again."
	}
	switch done.LinkRemoved {
	case 0:
	case 1:
		notice += " 1 failed email held a private link, removed when it failed: send a new one from where it came from."
	default:
		notice += " " + strconv.Itoa(done.LinkRemoved) + " failed emails held a private link, removed when they failed: " +
			"send new ones from where they came from."
	}
	return notice
}

// OutboxTest emails the admin, to check that delivery works.
func (h *Handlers) OutboxTest(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	data := email.Test{Company: v.CompanyName, Name: v.Name, Outbox: h.BaseURL + "/outbox"}
	text, html, err := email.Render(r.Context(), "test.txt", data, email.TestHTML(data))
	if err == nil {
		e := mail.Email{Kind: mail.KindTest, To: []string{v.Email}, Subject: "Test email from " + v.CompanyName, Text: text, HTML: html}
		err = h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := mail.Enqueue(r.Context(), tx, v.CompanyID, e)
			return err
		})
	}
	h.Done(w, r, err, "/outbox", "A test email to "+v.Email+" is on its way.")
}
