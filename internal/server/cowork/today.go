package cowork

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/calendar"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/server/page"
	"fieldops/internal/tasks"
	"fieldops/templates/home"
)

// Today is the home page of someone logged in, in one Read: their visits today as a timeline, for the office what
// needs attention and the workflow at a glance, and their tasks due by today. A client user's is the portal's.
func (h *Handlers) Today(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	now := h.Now()
	loc := v.Location()
	t := home.Today{Welcome: home.Welcome{Name: v.Name, Company: v.CompanyName, Role: v.Role.Label(), Admin: v.Role.IsAdmin(),
		Guest: v.Role == identity.RoleGuest, Notice: h.Notice(r)},
		Now: now, Location: loc, Day: jobs.Today(now, loc), Counts: map[jobs.View]int64{},
		Office: v.Role.IsOffice()}
	scope := jobs.ScopeFor(v)
	writes := h.DB.Writes(v.CompanyID)
	cached := !t.Office || h.Counts.Get(v.CompanyID, scope, t.Day, writes, t.Counts)
	var due tasks.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		if !t.Guest {
			jobs.QueueTodayVisits(b, v.CompanyID, scope, t.Day, &t.Visits)
		}
		if t.Office {
			jobs.QueueAttention(b, v.CompanyID, scope, now, &t.Attention)
			if !cached {
				jobs.QueueCounts(b, v.CompanyID, scope, t.Day, t.Counts)
			}
		}
		if t.Admin {
			mail.QueueRetryable(b, v.CompanyID, &t.FailedEmails)
		}
		calendar.QueueBetween(b, v.CompanyID, calendar.ScopeFor(v), []calendar.Calendar{{Kind: "person", ID: v.MembershipID}},
			t.Day.Start, t.Day.End, &t.Reminders)
		if v.Role == identity.RoleSubcontractor {
			// Their visits of the coming week.
			jobs.QueueUpcomingVisits(b, v.CompanyID, v.MembershipID, jobs.Day{Start: t.Day.End, End: t.Day.End.AddDate(0, 0, 7)}, &t.Upcoming)
		} else {
			// Open tasks the viewer is on, due by today ("overdue" on the day after) — a guest's for the coming week.
			dueBy := t.Day.End
			if t.Guest {
				dueBy = dueBy.AddDate(0, 0, 7)
			}
			tasks.QueueList(b, v.CompanyID, tasks.Scope{Member: v.MembershipID}, tasks.ListFilter{Status: tasks.StatusOpen, Overdue: true,
				Today: dueBy}, &due)
		}
	})
	t.Tasks = due.Rows
	if err == nil && t.Office && !cached {
		h.Counts.Put(v.CompanyID, scope, t.Day, writes, t.Counts)
	}
	t.SetUp = t.Office && t.Counts[jobs.ViewAll] == 0
	h.Render(w, r, err, home.TodayPage(h.Chrome(r, "Today"), t))
}
