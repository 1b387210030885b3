package office

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/share"
	jobsview "fieldops/templates/jobs"
)

// JobCompose is the Send Email composer of a job.
func (h *Handlers) JobCompose(w http.ResponseWriter, r *http.Request) {
	h.showCompose(w, r, share.Compose{AddLink: true}, nil)
}

func (h *Handlers) showCompose(w http.ResponseWriter, r *http.Request, c share.Compose, formErr error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := jobsview.ComposePage{Compose: c, Errors: page.Validation(formErr)}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &p.Job)
		share.QueueRecipients(b, v.CompanyID, id, &p.Recipients)
		share.QueueAttachable(b, v.CompanyID, id, &p.Files)
	})
	if err == nil {
		err = formErr
	}
	if p.Compose.Subject == "" && formErr == nil {
		p.Compose.Subject = fmt.Sprintf("%s %s — %s", jobs.Ref(p.Job.Number), p.Job.Title, v.CompanyName)
	}
	h.Render(w, r, err, jobsview.Compose(h.Chrome(r, "Send Email"), p))
}

// JobSendEmail answers POST /jobs/{id}/email.
func (h *Handlers) JobSendEmail(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	c := share.Compose{To: r.PostForm["to"], Custom: r.PostFormValue("custom"), Subject: r.PostFormValue("subject"),
		Body: r.PostFormValue("body"), AddLink: r.PostFormValue("add_link") != "", Files: page.TickedIDs(r, "files")}
	var n int
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = h.Letters.Send(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, c)
		return err
	})
	if apperr.AsValidation(err) != nil {
		h.showCompose(w, r, c, err)
		return
	}
	notice := fmt.Sprintf("Email queued to %d recipients.", n)
	if n == 1 {
		notice = "Email queued to 1 recipient."
	}
	h.jobChanged(w, r, id, err, jobState{tab: "messages"}, notice)
}

// JobRevokeLink answers POST /jobs/{id}/share-links/{linkID}/revoke.
func (h *Handlers) JobRevokeLink(w http.ResponseWriter, r *http.Request) {
	link, ok := h.PathID(w, r, "linkID")
	if !ok {
		return
	}
	h.inJob(w, r, jobState{tab: "history"}, "Link revoked: it no longer opens the dashboard.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return share.Revoke(r.Context(), tx, co, scope, by, id, link)
	})
}

// JobRevokeAllLinks answers POST /jobs/{id}/share-links/revoke.
func (h *Handlers) JobRevokeAllLinks(w http.ResponseWriter, r *http.Request) {
	h.inJob(w, r, jobState{tab: "history"}, "Every Job Share link of this job is revoked.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := share.RevokeAll(r.Context(), tx, co, scope, by, id)
		return err
	})
}
