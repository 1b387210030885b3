package server

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"fieldops/internal/identity"
	"fieldops/internal/server/billing"
	"fieldops/internal/server/connect"
	"fieldops/internal/server/cowork"
	"fieldops/internal/server/office"
	"fieldops/internal/server/page"
	"fieldops/internal/server/plan"
	"fieldops/internal/server/portal"
	"fieldops/internal/server/public"
	"fieldops/web"
)

// routes lists every route of the app, grouped by the middleware that guards them (DESIGN.md "route groups"),
// each answered by its door's handlers. A request to a route outside the caller's groups answers 404.
func (s *Server) routes() http.Handler {
	pub := &public.Handlers{Kit: s.kit, Hasher: s.hasher, Logins: identity.NewLoginLimits(),
		TokensPerIP:        identity.NewFailureLimiter(30, 15*time.Minute),
		SignupsPerIP:       identity.NewFailureLimiter(10, time.Hour),
		ResetsPerIP:        identity.NewFailureLimiter(10, 15*time.Minute),
		ResetsPerEmail:     identity.NewFailureLimiter(3, time.Hour),
		VerifiesPerAccount: identity.NewFailureLimiter(3, 24*time.Hour), SMSWebhookSecret: s.cfg.SMSWebhookSecret}
	off := &office.Handlers{Kit: s.kit}
	por := &portal.Handlers{Kit: s.kit}
	cw := &cowork.Handlers{Kit: s.kit, Hub: s.hub}
	bil := &billing.Handlers{Kit: s.kit, JobChanged: off.JobChanged}
	con := &connect.Handlers{Kit: s.kit}
	pla := &plan.Handlers{Kit: s.kit}

	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanics, s.securityHeaders, s.crossOriginProtection)

	// No session: assets and probes.
	static, _ := fs.Sub(web.Static, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", staticFiles(static)))
	r.Get("/healthz", pub.Healthz)
	r.Get("/readyz", pub.Readyz)
	// Job Share dashboards: public by their token, and outside sessions — a client's browser gets no cookie.
	r.Group(func(r chi.Router) {
		r.Use(s.checkInput)
		r.Get("/share/{token}", pub.ShareDashboard)
		r.Get("/share/{token}/files/{fileID}", pub.ShareFile)
		// A person's private calendar feed, fetched by calendar apps: public by its token, outside sessions too.
		r.Get("/calendar/feed/{token}.ics", pub.CalendarFeed)
		// The SMS provider's inbound texts (STOP), signed with SMS_WEBHOOK_SECRET.
		r.Post("/sms/inbound", pub.SMSInbound)
	})

	r.Group(func(r chi.Router) {
		// checkInput after the viewer is known, so its refusal page keeps the nav.
		r.Use(s.kit.Sessions.LoadAndSave, s.loadViewer, s.noStore, s.checkInput)
		// The 404 page shows the nav of whoever is logged in.
		r.NotFound(s.kit.NotFound)
		r.MethodNotAllowed(s.kit.NotFound)

		// Public: no login needed.
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {
			// Someone logged in starts their day here: a client user in the portal.
			if v := page.ViewerOf(r); v != nil && v.Role.UsesPortal() {
				por.Today(w, r)
				return
			} else if v != nil {
				cw.Today(w, r)
				return
			}
			pub.Home(w, r)
		})
		r.Get("/signup", pub.SignupForm)
		r.Post("/signup", pub.Signup)
		r.Get("/login", pub.LoginForm)
		r.Post("/login", pub.Login)
		r.Post("/logout", pub.Logout)
		r.Get("/switch", pub.SwitchForm) // the account's companies: needs a login, not yet a company
		r.Post("/switch", pub.SwitchCompany)
		r.Get("/invite/{token}", pub.InviteForm)
		r.Post("/invite/{token}", pub.InviteAccept)
		r.Get("/connect/{token}", pub.ConnectForm) // a subcontractor invitation
		r.Post("/connect/{token}", pub.Connect)
		r.Get("/verify/{token}", pub.VerifyForm)
		r.Post("/verify/{token}", pub.Verify)
		r.Get("/forgot", pub.ForgotForm)
		r.Post("/forgot", pub.Forgot)
		r.Get("/reset/{token}", pub.ResetForm)
		r.Post("/reset/{token}", pub.Reset)

		// Every logged-in person: their own account.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.Roles...))
			r.Get("/account", pub.Account)
			r.Post("/account/password", pub.ChangePassword)
			r.Post("/account/notifications", pub.AccountNotifications)
			r.Post("/account/name", pub.AccountName)
		})

		// Office: staff who serve clients. Each store query narrows to what the role may see (co-workers: the
		// clients assigned to them).
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker))
			r.Get("/clients", off.ClientList)
			r.Post("/clients/export", off.ClientExport)
			r.Post("/clients/job-share", off.ClientsJobShare)
			r.Get("/clients/{id}", off.ClientShow)
			r.Get("/clients/{id}/edit", off.ClientEditForm)
			r.Post("/clients/{id}/edit", off.ClientUpdate)
			r.Post("/clients/{id}/sites", off.ClientAddSite)
			r.Post("/clients/{id}/sites/{siteID}/remove", off.ClientRemoveSite)
			r.Post("/clients/{id}/sites/{siteID}/files", off.SiteFileUpload)
			r.Get("/clients/{id}/sites/{siteID}/files/{fileID}", off.SiteFile)
			r.Get("/clients/{id}/sites/{siteID}/files/{fileID}/thumbnail", off.SiteThumbnail)
			r.Post("/clients/{id}/sites/{siteID}/files/{fileID}/remove", off.SiteFileRemove)
			r.Post("/clients/{id}/job-share", off.ClientJobShare)
			r.Post("/clients/{id}/share-links/revoke", off.ClientRevokeAllLinks)
		})

		// Jobs: office staff, subcontractors too; jobs.ScopeFor narrows every query to what the role may see.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker, identity.RoleSubcontractor))
			// Planned jobs to read (planned.ScopeFor); an admin's routes below change them.
			r.Get("/planned", pla.List)
			r.Get("/planned/{id}", pla.Show)
			r.Get("/planned/{id}/files/{fileID}", pla.File)
			r.Get("/jobs", off.JobList)
			r.Get("/jobs/new", off.JobNew)
			r.Post("/jobs/new", off.JobCreate)
			r.Get("/jobs/{id}", off.JobShow)
			r.Get("/jobs/{id}/edit", off.JobEditForm)
			r.Post("/jobs/{id}/edit", off.JobUpdate)
			r.Get("/jobs/{id}/billing", off.JobBillingForm)
			r.Post("/jobs/{id}/billing", off.JobBilling)
			r.Post("/jobs/{id}/status", off.JobStatus)
			r.Post("/jobs/{id}/defer", off.JobDefer)
			r.Post("/jobs/{id}/undefer", off.JobUndefer)
			r.Post("/jobs/{id}/subjobs", off.JobCreateSubjob)
			r.Post("/jobs/{id}/recalls", off.JobLinkRecall)
			r.Post("/jobs/{id}/visits", off.JobAddVisit)
			r.Get("/jobs/{id}/visits/{visitID}/edit", off.JobEditVisit)
			r.Post("/jobs/{id}/visits/{visitID}/edit", off.JobSaveVisit)
			r.Post("/jobs/{id}/visits/{visitID}/remove", off.JobRemoveVisit)
			r.Post("/jobs/{id}/lines", off.JobAddLine)
			r.Post("/jobs/{id}/lines/{lineID}/remove", off.JobRemoveLine)
			r.Post("/jobs/{id}/files", off.JobUpload)
			r.Get("/jobs/{id}/files/{fileID}", off.JobFile)
			r.Get("/jobs/{id}/files/{fileID}/thumbnail", off.JobThumbnail)
			r.Post("/jobs/{id}/files/{fileID}/remove", off.JobRemoveFile)
			r.Post("/jobs/{id}/messages", off.JobAddMessage)

			// Sending and revoking dashboard links is the office's, not a subcontractor's.
			r.Group(func(r chi.Router) {
				r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker))
				r.Get("/jobs/{id}/email", off.JobCompose)
				r.Post("/jobs/{id}/email", off.JobSendEmail)
				r.Post("/jobs/{id}/share-links/revoke", off.JobRevokeAllLinks)
				r.Post("/jobs/{id}/share-links/{linkID}/revoke", off.JobRevokeLink)
				// Assigning to a subcontractor firm (a connection) too.
				r.Post("/jobs/{id}/assign", off.JobAssign)
				r.Post("/jobs/{id}/withdraw", off.JobWithdraw)
				// Billing too.
				r.Post("/jobs/{id}/invoice", bil.IssueInvoice)
				r.Post("/jobs/{id}/invoice/paid", bil.InvoicePaid)
				r.Get("/jobs/{id}/invoice/pdf", bil.InvoicePDF)
				r.Get("/jobs/{id}/invoices/{invoiceID}/pdf", bil.InvoicePDF)
				r.Get("/jobs/{id}/invoice/send", bil.InvoiceSendForm)
				r.Post("/jobs/{id}/invoice/send", bil.InvoiceSend)
				r.Get("/jobs/{id}/invoice/dispatches", bil.InvoiceDispatches)
				r.Get("/jobs/{id}/communicate", bil.Communicate)
				r.Get("/jobs/{id}/text", bil.TextForm)
				r.Post("/jobs/{id}/text", bil.SendText)
			})
		})

		// Admin.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin))
			r.Post("/account/verify", pub.ResendVerification)
			r.Get("/outbox", bil.OutboxPage)
			r.Get("/outbox/sms", bil.SMSPage)
			r.Post("/outbox/test", bil.OutboxTest)
			r.Post("/outbox/{id}/retry", bil.OutboxRetry)
			r.Post("/outbox/retry-failed", bil.OutboxRetryFailed)

			r.Get("/clients/new", off.ClientNewForm)
			r.Post("/clients/new", off.ClientCreate)
			r.Post("/clients/{id}/coworkers", off.ClientAssign)
			r.Post("/clients/{id}/coworkers/{membershipID}/remove", off.ClientUnassign)
			r.Post("/clients/{id}/chat-guests", off.ClientChatGuests)
			r.Post("/clients/{id}/portal-invite", off.ClientPortalInvite)
			r.Post("/clients/{id}/portal-users/{membershipID}/permissions", off.ClientPortalPermissions)
			r.Post("/clients/portal-permissions", off.ClientsPortalPermissions)
			r.Post("/clients/{id}/push-on", off.ClientPushOn)

			r.Get("/settings", off.SettingsPage)
			r.Post("/settings", off.SettingsSave)
			r.Post("/settings/job-share-all", off.SettingsJobShareAll)
			r.Get("/settings/logo", off.SettingsLogoImage)
			r.Post("/settings/logo", off.SettingsLogo)
			r.Post("/settings/logo/remove", off.SettingsLogoRemove)

			r.Get("/connections", con.Connections)
			r.Post("/connections/subcontractors", con.InviteSubcontractor)
			r.Post("/connections/subcontractors/{id}/resend", con.ResendSubcontractor)
			r.Post("/connections/subcontractors/{id}/cancel", con.CancelSubcontractor)

			// Planned jobs, and those shared with the company as a supplier.
			r.Get("/planned/new", pla.New)
			r.Post("/planned/new", pla.Create)
			r.Post("/planned/{id}", pla.Update)
			r.Get("/planned/{id}/building", pla.MoveForm)
			r.Post("/planned/{id}/building", pla.Move)
			r.Post("/planned/{id}/locations", pla.AddLocation)
			r.Post("/planned/{id}/locations/{itemID}/remove", pla.RemoveLocation)
			r.Post("/planned/{id}/interventions", pla.AddIntervention)
			r.Post("/planned/{id}/interventions/{itemID}/remove", pla.RemoveIntervention)
			r.Post("/planned/{id}/share", pla.Share)
			r.Post("/planned/{id}/stop-sharing", pla.StopSharing)
			r.Post("/planned/{id}/comments", pla.Comment)
			r.Post("/planned/{id}/files", pla.Upload)
			r.Get("/planned/shared", pla.SharedList)
			r.Get("/planned/shared/{owner}/{id}", pla.Shared)
			r.Post("/planned/shared/{owner}/{id}/comments", pla.SharedComment)
			r.Post("/planned/shared/{owner}/{id}/files", pla.SharedUpload)
			r.Get("/planned/shared/{owner}/{id}/files/{fileID}", pla.SharedFile)
			r.Get("/settings/buildings/{siteID}", pla.Building)
			r.Post("/settings/buildings/{siteID}", pla.SetBuildingClient)
			r.Post("/settings/buildings/{siteID}/assets", pla.AddAsset)

			r.Get("/staff", off.StaffList)
			r.Get("/staff/groups", off.Groups)
			r.Post("/staff/groups", off.CreateGroup)
			r.Get("/staff/groups/{id}", off.Group)
			r.Post("/staff/groups/{id}/members", off.AddGroupMember)
			r.Post("/staff/groups/{id}/members/{membershipID}/remove", off.RemoveGroupMember)
			r.Post("/staff/groups/{id}/push-on", off.GroupPushOn)
			r.Get("/staff/invite", off.StaffInviteForm)
			r.Post("/staff/invite", off.StaffInvite)
			r.Get("/staff/{id}", off.StaffPerson)
			r.Post("/staff/{id}", off.StaffUpdate)
			r.Post("/staff/{id}/deactivate", off.StaffDeactivate)
			r.Post("/staff/{id}/reactivate", off.StaffReactivate)
			r.Post("/staff/{id}/notifications", off.StaffNotifications)
			r.Post("/staff/invitations/{id}/resend", off.StaffResend)
			r.Post("/staff/invitations/{id}/cancel", off.StaffCancelInvitation)
		})

		// The dispatch board: the office's roles.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleAdmin, identity.RoleCoWorker))
			r.Get("/calendar/board", cw.Board)
		})

		// Portal: client users (Job Share Plus). jobs.ScopeFor gives them their client's jobs only.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.RoleClient))
			r.Get("/portal/jobs", por.Jobs)
			r.Get("/portal/jobs/new", por.NewJob)
			r.Post("/portal/jobs/new", por.CreateJob)
			r.Get("/portal/jobs/{id}", por.Job)
			r.Get("/portal/jobs/{id}/edit", por.EditJob)
			r.Post("/portal/jobs/{id}/edit", por.UpdateJob)
			r.Post("/portal/jobs/{id}/visits", por.AddVisit)
			r.Post("/portal/jobs/{id}/visits/{visitID}", por.ChangeVisit)
			r.Post("/portal/jobs/{id}/lines", por.AddLine)
			r.Get("/portal/jobs/{id}/files/{fileID}", por.File)
			r.Post("/portal/jobs/{id}/messages", por.Reply)
			r.Get("/portal/planned", por.PlannedJobs)
			r.Get("/portal/planned/{id}", por.PlannedJob)
			r.Post("/portal/planned/{id}/comments", por.PlannedComment)
			r.Post("/portal/planned/{id}/files", por.PlannedUpload)
			r.Get("/portal/planned/{id}/files/{fileID}", por.PlannedFile)
			r.Get("/portal/guests", por.Guests)
			r.Post("/portal/guests", por.InviteGuest)
			r.Post("/portal/guests/{id}/deactivate", por.DeactivateGuest)
			r.Post("/portal/guests/{id}/reactivate", por.ReactivateGuest)
		})

		// Co-working: every logged-in role; each store query narrows to the viewer's own.
		r.Group(func(r chi.Router) {
			r.Use(s.requireRoles(identity.Roles...))
			r.Get("/notifications", cw.Notifications)
			r.Get("/notifications/counts", cw.NotificationCounts)
			r.Post("/notifications/read-all", cw.ReadAllNotifications)
			r.Post("/notifications/{id}/open", cw.OpenNotification)
			r.Get("/tasks", cw.Tasks)
			r.Get("/tasks/new", cw.NewTask)
			r.Post("/tasks/new", cw.CreateTask)
			r.Get("/tasks/{id}", cw.Task)
			r.Post("/tasks/{id}/comments", cw.AddTaskComment)
			r.Post("/tasks/{id}/people", cw.AddTaskPerson)
			r.Post("/tasks/{id}/people/{membershipID}/remove", cw.RemoveTaskPerson)
			r.Post("/tasks/{id}/guests", cw.InviteTaskGuest)
			r.Post("/tasks/{id}/files", cw.UploadTaskFile)
			r.Get("/tasks/{id}/files/{fileID}", cw.TaskFile)
			r.Get("/tasks/{id}/files/{fileID}/thumbnail", cw.TaskThumbnail)
			r.Post("/tasks/{id}/status", cw.SetTaskStatus)
			r.Get("/calendar", cw.Calendar)
			r.Post("/calendar/feed", cw.ResetFeed)
			r.Get("/calendar/reminders/new", cw.NewReminder)
			r.Post("/calendar/reminders", cw.CreateReminder)
			r.Get("/calendar/reminders/{id}", cw.Reminder)
			r.Get("/calendar/reminders/{id}/edit", cw.EditReminder)
			r.Post("/calendar/reminders/{id}", cw.UpdateReminder)
			r.Post("/calendar/reminders/{id}/delete", cw.DeleteReminder)
			r.Get("/phonebook", cw.Phonebook)
			r.Get("/phonebook/new", cw.NewContact)
			r.Post("/phonebook", cw.CreateContact)
			r.Get("/phonebook/{id}/edit", cw.EditContact)
			r.Post("/phonebook/{id}/edit", cw.UpdateContact)
			r.Post("/phonebook/{id}/delete", cw.DeleteContact)
			r.Get("/chat", cw.Chat)
			r.Get("/chat/rooms", cw.ChatRooms)
			r.Get("/chat/stream", cw.ChatStream)
			r.Get("/chat/with", cw.ChatWith)
			r.Get("/chat/{room}", cw.ChatRoom)
			r.Get("/chat/{room}/after/{id}", cw.ChatAfter)
			r.Post("/chat/{room}/messages", cw.PostChatMessage)
			r.Post("/chat/{room}/messages/{id}/delete", cw.DeleteChatMessage)
			r.Post("/chat/{room}/read", cw.ReadChat)
		})
	})
	return r
}
