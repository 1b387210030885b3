package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/mail"
	"fieldops/templates/email"
	"fieldops/templates/outbox"
)

// outboxPage lists the company's emails, newest first, by status and recipient, 50 a page.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	q := r.URL.Query()
	page := outbox.Page{Recipient: q.Get("recipient"), Status: q.Get("status"), Notice: s.sessions.PopString(r.Context(), keyNotice)}
	for _, st := range mail.Statuses {
		page.Statuses = append(page.Statuses, string(st))
	}
	f := mail.OutboxFilter{Recipient: strings.TrimSpace(page.Recipient)}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64) // a mangled cursor shows the newest page
	status, err := mail.ParseStatus(page.Status)
	verr := &apperr.ValidationError{}
	if err != nil {
		verr.Add("status", apperr.AsValidation(err).Field("status"))
	}
	if utf8.RuneCountInString(f.Recipient) > 254 {
		verr.Add("recipient", "Search with at most 254 characters.")
	}
	if err = verr.Err(); err != nil {
		page.Errors = verr
		s.render(w, r, err, outbox.Show(s.chrome(r, "Outbox"), page))
		return
	}
	f.Status = status
	page.Filtered = f.Status != "" || f.Recipient != ""

	var emails []mail.OutboxEmail
	err = s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		mail.QueueOutbox(b, v.CompanyID, f, &emails)
	})
	if len(emails) > mail.OutboxPageSize {
		emails = emails[:mail.OutboxPageSize]
		page.Pager.OlderURL = outboxURL(page, emails[len(emails)-1].ID)
	}
	if f.Before != 0 {
		page.Pager.NewerURL = outboxURL(page, 0)
	}
	for _, e := range emails {
		row := outbox.Row{ID: e.ID, Created: e.CreatedAt.UTC().Format("2 Jan 2006 15:04 UTC"),
			Recipients: strings.Join(e.Recipients, ", "), Subject: e.Subject, Kind: string(e.Kind),
			Status: string(e.Status), StatusTone: statusTone(e.Status), Attempts: e.Attempts, CanRetry: e.Status == mail.StatusFailed}
		if e.LastError != nil && e.Status != mail.StatusSent {
			row.LastError = *e.LastError
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, err, outbox.Show(s.chrome(r, "Outbox"), page))
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

// outboxRetry queues a failed email again.
func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	co := viewerOf(r).CompanyID
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return mail.Retry(r.Context(), tx, co, id) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "The email is queued to be sent again.")
	http.Redirect(w, r, "/outbox", http.StatusSeeOther)
}

// outboxTest emails the admin, to check that delivery works.
func (s *Server) outboxTest(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	data := email.Test{Company: v.CompanyName, Name: v.Name, Outbox: s.cfg.BaseURL + "/outbox"}
	text, html, err := email.Render(r.Context(), "test.txt", data, email.TestHTML(data))
	if err == nil {
		e := mail.Email{Kind: mail.KindTest, To: []string{v.Email}, Subject: "Test email from " + v.CompanyName, Text: text, HTML: html}
		err = s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
			_, err := mail.Enqueue(r.Context(), tx, v.CompanyID, e)
			return err
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "A test email to "+v.Email+" is on its way.")
	http.Redirect(w, r, "/outbox", http.StatusSeeOther)
}

// pathID reads a numeric id from the path; anything else is the 404 page.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, apperr.ErrNotFound)
		return 0, false
	}
	return id, true
}
