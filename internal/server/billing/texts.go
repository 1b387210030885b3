package billing

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/sms"
	jobsview "fieldops/templates/jobs"
	outboxview "fieldops/templates/outbox"
)

// Communicate answers GET /jobs/{id}/communicate: Send customer communication — a text message or an email.
func (h *Handlers) Communicate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var j jobs.Job
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j) })
	h.Render(w, r, err, jobsview.Communicate(h.Chrome(r, "Send customer communication"), j))
}

// TextForm answers GET /jobs/{id}/text: the Text message composer, its recipients the job's client contacts with
// their numbers checked (not a mobile, replied STOP) and consent.
func (h *Handlers) TextForm(w http.ResponseWriter, r *http.Request) {
	h.showText(w, r, jobsview.TextPage{}, nil)
}

func (h *Handlers) showText(w http.ResponseWriter, r *http.Request, p jobsview.TextPage, formErr error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p.Errors = page.Validation(formErr)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		var err error
		if p.Job, err = jobs.Lock(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), id); err != nil {
			return err
		}
		country, err := settings.Country(r.Context(), tx, v.CompanyID)
		if err != nil {
			return err
		}
		p.Recipients, err = sms.Recipients(r.Context(), tx, v.CompanyID, id, country)
		return err
	})
	p.JobID = id
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, jobsview.TextMessage(h.Chrome(r, "Text message"), p))
}

// SendText answers POST /jobs/{id}/text: the text queued to each ticked number; refused in words on the composer,
// nothing queued.
func (h *Handlers) SendText(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	r.ParseForm()
	t := sms.Text{To: r.PostForm["to"], Body: r.PostFormValue("body"), Consent: r.PostFormValue("consent") != ""}
	var n int
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		country, err := settings.Country(r.Context(), tx, v.CompanyID)
		if err != nil {
			return err
		}
		n, err = sms.Send(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, country, t)
		return err
	})
	if page.RefusedInWords(err) {
		h.showText(w, r, jobsview.TextPage{Text: t}, err)
		return
	}
	h.JobChanged(w, r, id, err, "messages", fmt.Sprintf("Text message queued to %d number(s).", n))
}

// SMSPage answers GET /outbox/sms (admins): the company's text messages with their delivery status — where the
// development provider's texts are read.
func (h *Handlers) SMSPage(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	var texts []sms.Queued
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { sms.QueueList(b, v.CompanyID, &texts) })
	h.Render(w, r, err, outboxview.SMS(h.Chrome(r, "Text messages"), texts, v.Location()))
}
