package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/share"
	"fieldops/templates/email"
	jobsview "fieldops/templates/jobs"
	"fieldops/templates/layout"
	shareview "fieldops/templates/share"
)

// renderLetter renders Job Share and composer emails with the app's templates.
func (s *Server) renderLetter(ctx context.Context) share.Renderer {
	return func(l share.Letter) (mail.Email, error) {
		d := email.JobLetter{Company: l.Company, JobRef: l.JobRef, JobTitle: l.JobTitle, Body: l.Body, Link: l.Link}
		text, html, err := email.Render(ctx, "jobletter.txt", d, email.JobLetterHTML(d))
		return mail.Email{Subject: l.Subject, Text: text, HTML: html}, err
	}
}

// jobAdded does, in the new job's transaction, what adding a job implies beyond the job: today, the Job Share
// email when its client has Job Share on. Every path that adds a job for real calls it (not seeding or bench data).
func (s *Server) jobAdded(ctx context.Context, tx pgx.Tx, v *identity.Viewer, jobID int64) error {
	_, err := share.OnJobCreated(ctx, tx, v.CompanyID, jobs.ActorOf(v), jobID, s.cfg.BaseURL, s.renderLetter(ctx))
	return err
}

// shareHeaders keep a dashboard out of other sites' referrers, search engines and caches.
func shareHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Cache-Control", "no-store")
}

// openShare looks up the link in the path. A live link is never throttled; failed lookups count against the
// client IP, and past the limit answer 429. Unknown, malformed and revoked links are the same 404; an expired
// one is the 410 page naming the company. ok is false when a page was written.
func (s *Server) openShare(w http.ResponseWriter, r *http.Request, record bool) (share.Opened, bool) {
	shareHeaders(w)
	o, err := share.Open(r.Context(), s.db.Pool, r.PathValue("token"), record)
	switch {
	case err == nil && o.Expired:
		s.write(w, r, http.StatusGone, shareview.Gone(o.CompanyName))
	case err == nil:
		return o, true
	case errors.Is(err, apperr.ErrNotFound):
		ip := s.clientIP(r).String()
		s.tokenLimiter.Fail(ip)
		if wait := s.tokenLimiter.Wait(ip); wait > 0 {
			s.write(w, r, http.StatusTooManyRequests, layout.Error(s.chrome(r, "Too many attempts"), layout.ErrorPage{
				Status: http.StatusTooManyRequests, Heading: "Too many attempts", Message: identity.TooManyAttempts(wait)}))
			return o, false
		}
		s.fail(w, r, err)
	default:
		s.fail(w, r, err)
	}
	return o, false
}

// shareDashboard is the live, read-only dashboard of one job: one lookup (which records the open), then one Read.
func (s *Server) shareDashboard(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r, true)
	if !ok {
		return
	}
	p := shareview.Page{Token: r.PathValue("token")}
	err := s.db.Read(r.Context(), o.CompanyID, func(b *pgx.Batch) { share.QueueDashboard(b, o.CompanyID, o.JobID, &p.Dashboard) })
	p.Location = p.Settings.Location()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.write(w, r, http.StatusOK, shareview.Dashboard(p))
}

// shareFile sends a file marked for the client, from its dashboard.
func (s *Server) shareFile(w http.ResponseWriter, r *http.Request) {
	o, ok := s.openShare(w, r, false)
	if !ok {
		return
	}
	fileID, ok := s.pathID(w, r, "fileID")
	if !ok {
		return
	}
	var f files.File
	err := s.db.Read(r.Context(), o.CompanyID, func(b *pgx.Batch) {
		files.QueueGet(b, o.CompanyID, files.Owner{JobID: o.JobID}, fileID, &f)
	})
	if err == nil && !f.VisibleToClient {
		err = apperr.ErrNotFound
	}
	s.serveFile(w, r, err, o.CompanyID, f, files.Original)
}

// jobCompose is the Send Email composer of a job.
func (s *Server) jobCompose(w http.ResponseWriter, r *http.Request) {
	s.showCompose(w, r, share.Compose{AddLink: true}, nil)
}

func (s *Server) showCompose(w http.ResponseWriter, r *http.Request, c share.Compose, formErr error) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	p := jobsview.ComposePage{Compose: c, Errors: validation(formErr)}
	err := s.db.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &p.Job)
		share.QueueRecipients(b, v.CompanyID, id, &p.Recipients)
	})
	if err == nil {
		err = formErr
	}
	if p.Compose.Subject == "" && formErr == nil {
		p.Compose.Subject = fmt.Sprintf("%s %s — %s", jobs.Ref(p.Job.Number), p.Job.Title, v.CompanyName)
	}
	s.render(w, r, err, jobsview.Compose(s.chrome(r, "Send Email"), p))
}

func (s *Server) jobSendEmail(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	c := share.Compose{To: r.PostForm["to"], Custom: r.PostFormValue("custom"), Subject: r.PostFormValue("subject"),
		Body: r.PostFormValue("body"), AddLink: r.PostFormValue("add_link") != ""}
	var n int
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = share.Send(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, c, s.cfg.BaseURL, s.renderLetter(r.Context()))
		return err
	})
	if apperr.AsValidation(err) != nil {
		s.showCompose(w, r, c, err)
		return
	}
	notice := fmt.Sprintf("Email queued to %d recipients.", n)
	if n == 1 {
		notice = "Email queued to 1 recipient."
	}
	s.jobChanged(w, r, id, err, jobState{tab: "messages"}, notice)
}

func (s *Server) jobRevokeLink(w http.ResponseWriter, r *http.Request) {
	link, ok := s.pathID(w, r, "linkID")
	if !ok {
		return
	}
	s.inJob(w, r, jobState{tab: "history"}, "Link revoked: it no longer opens the dashboard.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		return share.Revoke(r.Context(), tx, co, scope, by, id, link)
	})
}

func (s *Server) jobRevokeAllLinks(w http.ResponseWriter, r *http.Request) {
	s.inJob(w, r, jobState{tab: "history"}, "Every Job Share link of this job is revoked.", func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
		_, err := share.RevokeAll(r.Context(), tx, co, scope, by, id)
		return err
	})
}

// clientJobShare turns Job Share on or off on one client record.
func (s *Server) clientJobShare(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	on := r.PostFormValue("on") == "1"
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := clients.Lock(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id); err != nil {
			return err
		}
		_, err := clients.SetJobShare(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), []int64{id}, on)
		return err
	})
	notice := "Job Share is off: new jobs for this client send no link."
	if on {
		notice = "Job Share is on: each new job for this client emails its contact a dashboard link."
	}
	s.afterClientChange(w, r, id, err, notice)
}

// clientRevokeAllLinks revokes every Job Share link of every job of the client.
func (s *Server) clientRevokeAllLinks(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := viewerOf(r)
	var n int
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if err := clients.Lock(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), id); err != nil {
			return err
		}
		n, err = share.RevokeForClient(r.Context(), tx, v.CompanyID, jobs.ActorOf(v), id)
		return err
	})
	s.afterClientChange(w, r, id, err, fmt.Sprintf("%d Job Share links revoked.", n))
}

// clientsJobShare is the client list's bulk action: Enable (or Disable) Job Share for selected.
func (s *Server) clientsJobShare(w http.ResponseWriter, r *http.Request) {
	ids := tickedIDs(r)
	on := r.PostFormValue("action") == "job-share-on"
	if len(ids) == 0 {
		s.sessions.Put(r.Context(), keyNotice, "Tick at least one client first.")
		http.Redirect(w, r, "/clients", http.StatusSeeOther)
		return
	}
	v := viewerOf(r)
	var n int
	err := s.db.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = clients.SetJobShare(r.Context(), tx, v.CompanyID, clients.ScopeFor(v), ids, on)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	state := "off"
	if on {
		state = "on"
	}
	s.sessions.Put(r.Context(), keyNotice, fmt.Sprintf("Job Share turned %s for %d clients.", state, n))
	http.Redirect(w, r, backTo(r, "/clients"), http.StatusSeeOther)
}

// settingsJobShareAll is the Settings action that turns Job Share on for every existing client.
func (s *Server) settingsJobShareAll(w http.ResponseWriter, r *http.Request) {
	co := viewerOf(r).CompanyID
	var n int
	err := s.db.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		n, err = clients.SetJobShareAll(r.Context(), tx, co)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), keyNotice, fmt.Sprintf("Job Share turned on for %d more clients.", n))
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}
