package cowork

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/clients"
	"fieldops/internal/identity"
	"fieldops/internal/input"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	"fieldops/internal/tasks"
	coworkview "fieldops/templates/cowork"
)

// Tasks lists the tasks the viewer is on (an admin, every task), open ones by default, newest first.
func (h *Handlers) Tasks(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	f := tasks.ListFilter{Status: tasks.StatusOpen}
	switch q.Get("status") {
	case "done":
		f.Status = tasks.StatusDone
	case "all":
		f.Status = "" // both
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.ClientID, _ = strconv.ParseInt(q.Get("client"), 10, 64)
	f.Mine, f.Requested, f.Overdue, f.Q = q.Get("mine") != "", q.Get("requested") != "", q.Get("overdue") != "", q.Get("q")
	f.Today = h.Now().In(v.Location())
	p := coworkview.TasksPage{Status: q.Get("status"), Filter: f, Notice: h.Notice(r), CanCreate: mayCreate(v), Location: v.Location()}
	ve := &apperr.ValidationError{}
	input.CheckSearch(ve, "q", f.Q, input.MaxSearchLen)
	if err := ve.Err(); err != nil {
		p.Errors = ve
		h.Render(w, r, err, coworkview.Tasks(h.Chrome(r, "Tasks"), p))
		return
	}
	var list tasks.ListPage
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		tasks.QueueList(b, v.CompanyID, tasks.ScopeFor(v), f, &list)
		if !v.Role.UsesPortal() && v.Role != identity.RoleGuest {
			clients.QueueNames(b, v.CompanyID, clients.ScopeFor(v), &p.Clients)
		}
	})
	p.Rows, p.More = list.Rows, list.More
	h.Render(w, r, err, coworkview.Tasks(h.Chrome(r, "Tasks"), p))
}

// mayCreate: admins, co-workers and client users start tasks; a guest takes part in those they are added to.
func mayCreate(v *identity.Viewer) bool {
	return v.Role != identity.RoleGuest && v.Role != identity.RoleSubcontractor
}

// NewTask answers GET /tasks/new; ?client= and ?job= preselect them.
func (h *Handlers) NewTask(w http.ResponseWriter, r *http.Request) {
	f := tasks.Form{}
	f.ClientID, _ = strconv.ParseInt(r.URL.Query().Get("client"), 10, 64)
	f.JobID, _ = strconv.ParseInt(r.URL.Query().Get("job"), 10, 64)
	h.showNewTask(w, r, f, nil)
}

func (h *Handlers) showNewTask(w http.ResponseWriter, r *http.Request, f tasks.Form, refused error) {
	v := page.ViewerOf(r)
	if !mayCreate(v) {
		h.Fail(w, r, apperr.ErrForbidden)
		return
	}
	p := coworkview.NewTaskPage{Form: f, Errors: page.Validation(refused), ClientUser: v.Role.UsesPortal()}
	member := v.MembershipID
	if v.Role.IsAdmin() {
		member = 0
	}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		if !p.ClientUser {
			clients.QueueNames(b, v.CompanyID, clients.ScopeFor(v), &p.Clients)
			staff.QueueGroups(b, v.CompanyID, member, &p.Groups)
		}
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, coworkview.NewTask(h.Chrome(r, "New task"), p))
}

// CreateTask makes the task with the viewer as its requester and tells those on it.
func (h *Handlers) CreateTask(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	if !mayCreate(v) {
		h.Fail(w, r, apperr.ErrForbidden)
		return
	}
	f := tasks.Form{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Due: r.PostFormValue("due")}
	f.ClientID, _ = strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	f.GroupID, _ = strconv.ParseInt(r.PostFormValue("group_id"), 10, 64)
	f.JobID, _ = strconv.ParseInt(r.PostFormValue("job_id"), 10, 64)
	if v.Role.UsesPortal() {
		f.ClientID, f.GroupID = *v.ClientID, 0 // a client user's tasks are their client's
	}
	var id int64
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		if id, err = tasks.Create(r.Context(), tx, v.CompanyID, actor(v), f); err != nil {
			return err
		}
		return tell(r, tx, id, "New task: "+f.Title)
	})
	if apperr.AsValidation(err) != nil {
		h.showNewTask(w, r, f, err)
		return
	}
	h.Done(w, r, err, taskPath(id), "Task created.")
}

// Task is one task's page: details, people (with the person control), files, comments from the start.
func (h *Handlers) Task(w http.ResponseWriter, r *http.Request) {
	h.showTask(w, r, taskState{})
}

// taskState is what the task page shows again after a refused form: what was typed and why it was refused.
type taskState struct {
	comment, guestEmail string
	hostID              int64
	err                 error
}

func (h *Handlers) showTask(w http.ResponseWriter, r *http.Request, st taskState) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := coworkview.TaskPage{Comment: st.comment, GuestEmail: st.guestEmail, HostID: st.hostID, Errors: page.Validation(st.err),
		Location: v.Location(), Viewer: v.MembershipID, CanInvite: v.Role != identity.RoleGuest}
	if st.err == nil {
		p.Notice = h.Notice(r)
	}
	s := tasks.ScopeFor(v)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		tasks.QueueGet(b, v.CompanyID, s, id, &p.Task, &p.People, &p.Comments)
		tasks.QueueFiles(b, v.CompanyID, s, id, &p.Files)
		tasks.QueueJoinable(b, v.CompanyID, s, id, &p.Joinable)
		tasks.QueueHosts(b, v.CompanyID, s, id, &p.Hosts)
	})
	if err == nil {
		err = st.err
	}
	h.Render(w, r, err, coworkview.Task(h.Chrome(r, p.Task.Title), p))
}

// AddTaskComment adds the viewer's comment and tells the others on the task.
func (h *Handlers) AddTaskComment(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	body := r.PostFormValue("body")
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if _, err := tasks.AddComment(r.Context(), tx, v.CompanyID, tasks.ScopeFor(v), actor(v), id, body); err != nil {
			return err
		}
		return tell(r, tx, id, "New comment on a task")
	})
	if page.RefusedInWords(err) {
		h.showTask(w, r, taskState{comment: body, err: err})
		return
	}
	h.Done(w, r, err, taskPath(id)+"#comments", "Comment added.")
}

// AddTaskPerson puts someone on the task (the person control).
func (h *Handlers) AddTaskPerson(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	who, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := tasks.Add(r.Context(), tx, v.CompanyID, tasks.ScopeFor(v), actor(v), id, who); err != nil {
			return err
		}
		return tell(r, tx, id, "You were added to a task")
	})
	if page.RefusedInWords(err) {
		h.showTask(w, r, taskState{err: err})
		return
	}
	h.Done(w, r, err, taskPath(id), "Added to the task.")
}

// SetTaskStatus marks the task done or open again.
func (h *Handlers) SetTaskStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	st := tasks.Status(r.PostFormValue("status"))
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		if err := tasks.SetStatus(r.Context(), tx, v.CompanyID, tasks.ScopeFor(v), id, st); err != nil {
			return err
		}
		return tell(r, tx, id, "Task marked "+string(st))
	})
	h.Done(w, r, err, taskPath(id), "Task marked "+string(st)+".")
}

// RemoveTaskPerson takes someone off the task (not its requester).
func (h *Handlers) RemoveTaskPerson(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	who, ok := h.PathID(w, r, "membershipID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return tasks.Remove(r.Context(), tx, v.CompanyID, tasks.ScopeFor(v), id, who)
	})
	next := taskPath(id)
	if who == v.MembershipID && !v.Role.IsAdmin() {
		next = "/tasks" // off the task, the viewer no longer sees it
	}
	h.Done(w, r, err, next, "Taken off the task.")
}

// InviteTaskGuest invites a new guest by email from the task's person control: a guest of one of the task's
// client's users, who joins the task when they accept.
func (h *Handlers) InviteTaskGuest(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := staff.InviteForm{Email: r.PostFormValue("email"), Role: identity.RoleGuest, TaskID: id}
	f.HostID, _ = strconv.ParseInt(r.PostFormValue("host_id"), 10, 64)
	if v.Role == identity.RoleClient {
		f.HostID = v.MembershipID // their form has no host: a client user's guests are their own
	}
	err := h.Invite(r, f, func(tx pgx.Tx) error {
		return tasks.CheckGuestInvite(r.Context(), tx, v.CompanyID, tasks.ScopeFor(v), id, f.HostID)
	})
	if page.RefusedInWords(err) {
		h.showTask(w, r, taskState{guestEmail: f.Email, hostID: f.HostID, err: err})
		return
	}
	h.Done(w, r, err, taskPath(id), "Invitation sent to "+strings.TrimSpace(f.Email)+": they join the task when they accept.")
}

// tell notifies, in tx, the people on the task and the admins with Push on for its client's or group's Tasks.
func tell(r *http.Request, tx pgx.Tx, taskID int64, what string) error {
	v := page.ViewerOf(r)
	people, client, group, err := tasks.PeopleOn(r.Context(), tx, v.CompanyID, taskID)
	if err != nil {
		return err
	}
	_, err = notify.Participants(r.Context(), tx, v.CompanyID, notify.Event{Area: notify.AreaTasks, ClientID: client, GroupID: group,
		ActorID: v.MembershipID, Actor: v.Name, Title: what, Link: taskPath(taskID), To: people})
	return err
}

func actor(v *identity.Viewer) tasks.Actor {
	return tasks.Actor{MembershipID: v.MembershipID, Name: v.Name}
}

func taskPath(id int64) string { return "/tasks/" + strconv.FormatInt(id, 10) }
