package server

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"

	"fieldops/internal/identity"
	"fieldops/web"
)

// routes lists every route of the app, grouped by the middleware that guards them (DESIGN.md "route groups").
// A request to a route outside the caller's groups answers 404.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanics, securityHeaders, s.crossOriginProtection)

	// No session: assets and probes.
	static, _ := fs.Sub(web.Static, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", staticFiles(static)))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	// Job Share dashboards: public by their token, and outside sessions — a client's browser gets no cookie.
	r.Get("/share/{token}", s.shareDashboard)
	r.Get("/share/{token}/files/{fileID}", s.shareFile)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.loadViewer)
		// The 404 page shows the nav of whoever is logged in.
		r.NotFound(s.notFound)
		r.MethodNotAllowed(s.notFound)

		// Public: no login needed.
		r.Get("/", s.home)
		r.Get("/signup", s.signupForm)
		r.Post("/signup", s.signup)
		r.Get("/login", s.loginForm)
		r.Post("/login", s.login)
		r.Post("/logout", s.logout)
		r.Get("/switch", s.switchForm) // the account's companies: needs a login, not yet a company
		r.Post("/switch", s.switchCompany)
		r.Get("/invite/{token}", s.inviteForm)
		r.Post("/invite/{token}", s.inviteAccept)

		// Office: staff who serve clients. Each store query narrows to what the role may see (co-workers: the
		// clients assigned to them).
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker))
			r.Get("/clients", s.clientList)
			r.Post("/clients/export", s.clientExport)
			r.Post("/clients/job-share", s.clientsJobShare)
			r.Get("/clients/{id}", s.clientShow)
			r.Get("/clients/{id}/edit", s.clientEditForm)
			r.Post("/clients/{id}/edit", s.clientUpdate)
			r.Post("/clients/{id}/sites", s.clientAddSite)
			r.Post("/clients/{id}/sites/{siteID}/remove", s.clientRemoveSite)
			r.Post("/clients/{id}/sites/{siteID}/files", s.siteFileUpload)
			r.Get("/clients/{id}/sites/{siteID}/files/{fileID}", s.siteFile)
			r.Get("/clients/{id}/sites/{siteID}/files/{fileID}/thumbnail", s.siteThumbnail)
			r.Post("/clients/{id}/sites/{siteID}/files/{fileID}/remove", s.siteFileRemove)
			r.Post("/clients/{id}/job-share", s.clientJobShare)
			r.Post("/clients/{id}/share-links/revoke", s.clientRevokeAllLinks)
		})

		// Jobs: office staff, subcontractors too; jobs.ScopeFor narrows every query to what the role may see.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker, identity.RoleSubcontractor))
			r.Get("/jobs", s.jobList)
			r.Get("/jobs/new", s.jobNew)
			r.Post("/jobs/new", s.jobCreate)
			r.Get("/jobs/{id}", s.jobShow)
			r.Get("/jobs/{id}/edit", s.jobEditForm)
			r.Post("/jobs/{id}/edit", s.jobUpdate)
			r.Get("/jobs/{id}/billing", s.jobBillingForm)
			r.Post("/jobs/{id}/billing", s.jobBilling)
			r.Post("/jobs/{id}/status", s.jobStatus)
			r.Post("/jobs/{id}/defer", s.jobDefer)
			r.Post("/jobs/{id}/undefer", s.jobUndefer)
			r.Post("/jobs/{id}/subjobs", s.jobCreateSubjob)
			r.Post("/jobs/{id}/recalls", s.jobLinkRecall)
			r.Post("/jobs/{id}/visits", s.jobAddVisit)
			r.Post("/jobs/{id}/visits/{visitID}/remove", s.jobRemoveVisit)
			r.Post("/jobs/{id}/lines", s.jobAddLine)
			r.Post("/jobs/{id}/lines/{lineID}/remove", s.jobRemoveLine)
			r.Post("/jobs/{id}/files", s.jobUpload)
			r.Get("/jobs/{id}/files/{fileID}", s.jobFile)
			r.Get("/jobs/{id}/files/{fileID}/thumbnail", s.jobThumbnail)
			r.Post("/jobs/{id}/files/{fileID}/remove", s.jobRemoveFile)
			r.Post("/jobs/{id}/messages", s.jobAddMessage)

			// Sending and revoking dashboard links is the office's, not a subcontractor's.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker))
				r.Get("/jobs/{id}/email", s.jobCompose)
				r.Post("/jobs/{id}/email", s.jobSendEmail)
				r.Post("/jobs/{id}/share-links/revoke", s.jobRevokeAllLinks)
				r.Post("/jobs/{id}/share-links/{linkID}/revoke", s.jobRevokeLink)
			})
		})

		// Admin.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin))
			r.Get("/outbox", s.outboxPage)
			r.Post("/outbox/test", s.outboxTest)
			r.Post("/outbox/{id}/retry", s.outboxRetry)

			r.Get("/clients/new", s.clientNewForm)
			r.Post("/clients/new", s.clientCreate)
			r.Post("/clients/{id}/coworkers", s.clientAssign)
			r.Post("/clients/{id}/coworkers/{membershipID}/remove", s.clientUnassign)
			r.Post("/clients/{id}/portal-invite", s.clientPortalInvite)
			r.Post("/clients/{id}/portal-users/{membershipID}/permissions", s.clientPortalPermissions)
			r.Post("/clients/portal-permissions", s.clientsPortalPermissions)

			r.Get("/settings", s.settingsPage)
			r.Post("/settings", s.settingsSave)
			r.Post("/settings/job-share-all", s.settingsJobShareAll)

			r.Get("/staff", s.staffList)
			r.Get("/staff/invite", s.staffInviteForm)
			r.Post("/staff/invite", s.staffInvite)
			r.Get("/staff/{id}", s.staffPerson)
			r.Post("/staff/{id}", s.staffUpdate)
			r.Post("/staff/{id}/deactivate", s.staffDeactivate)
			r.Post("/staff/{id}/reactivate", s.staffReactivate)
			r.Post("/staff/invitations/{id}/resend", s.staffResend)
			r.Post("/staff/invitations/{id}/cancel", s.staffCancelInvitation)
		})

		// Portal: client users (Job Share Plus). jobs.ScopeFor gives them their client's jobs only.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleClient))
			r.Get("/portal/jobs", s.portalJobs)
			r.Get("/portal/jobs/new", s.portalNewJob)
			r.Post("/portal/jobs/new", s.portalCreateJob)
			r.Get("/portal/jobs/{id}", s.portalJob)
			r.Get("/portal/jobs/{id}/edit", s.portalEditJob)
			r.Post("/portal/jobs/{id}/edit", s.portalUpdateJob)
			r.Post("/portal/jobs/{id}/visits", s.portalAddVisit)
			r.Post("/portal/jobs/{id}/lines", s.portalAddLine)
			r.Get("/portal/jobs/{id}/files/{fileID}", s.portalFile)
		})

		// Co-working (every logged-in role) joins here, a r.Group with s.requireRoles(…), when it lands.
	})
	return r
}
