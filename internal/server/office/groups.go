package office

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/chat"
	"fieldops/internal/clients"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/staff"
	staffview "fieldops/templates/staff"
)

// Groups lists the company's groups, with the form for a new one.
func (h *Handlers) Groups(w http.ResponseWriter, r *http.Request) {
	h.showGroups(w, r, staff.GroupForm{}, nil)
}

func (h *Handlers) showGroups(w http.ResponseWriter, r *http.Request, f staff.GroupForm, refused error) {
	co := page.ViewerOf(r).CompanyID
	p := staffview.GroupsPage{Form: f, Errors: page.Validation(refused)}
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		staff.QueueGroups(b, co, 0, &p.Groups)
		clients.QueueNames(b, co, clients.Everything, &p.Clients)
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.Groups(h.Chrome(r, "Groups"), p))
}

// CreateGroup makes a group from the form and goes to its page.
func (h *Handlers) CreateGroup(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	r.ParseForm()
	f := staff.GroupForm{Name: r.PostFormValue("name")}
	for _, raw := range r.PostForm["client_id"] {
		id, _ := strconv.ParseInt(raw, 10, 64)
		f.ClientIDs = append(f.ClientIDs, id)
	}
	var id int64
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		id, err = staff.CreateGroup(r.Context(), tx, co, f)
		return err
	})
	if apperr.AsValidation(err) != nil {
		h.showGroups(w, r, f, err)
		return
	}
	h.Done(w, r, err, groupPath(id), "Group created. Add its co-workers and guests.")
}

// Group is one group's page: its people, who may join, and the admin's Push on for it.
func (h *Handlers) Group(w http.ResponseWriter, r *http.Request) {
	h.showGroup(w, r, nil)
}

func (h *Handlers) showGroup(w http.ResponseWriter, r *http.Request, refused error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := staffview.GroupPage{Errors: page.Validation(refused)}
	if refused == nil {
		p.Notice = h.Notice(r)
	}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		staff.QueueGroup(b, v.CompanyID, 0, id, &p.Group, &p.Members)
		staff.QueueJoinable(b, v.CompanyID, id, &p.Joinable)
		notify.QueuePushOn(b, v.CompanyID, v.MembershipID, notify.Target{GroupID: id}, &p.PushOn)
	})
	if err == nil {
		err = refused
	}
	h.Render(w, r, err, staffview.GroupShow(h.Chrome(r, p.Group.Name), p))
}

// AddGroupMember puts a co-worker or guest in the group; a refusal is said on the group's page.
func (h *Handlers) AddGroupMember(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	member, _ := strconv.ParseInt(r.PostFormValue("membership_id"), 10, 64)
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return staff.AddGroupMember(r.Context(), tx, co, id, member) })
	if apperr.AsValidation(err) != nil {
		h.showGroup(w, r, err)
		return
	}
	h.Done(w, r, err, groupPath(id), "Added to the group.")
}

// RemoveGroupMember takes a person out of the group.
func (h *Handlers) RemoveGroupMember(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	member, ok := h.PathID(w, r, "membershipID")
	if !ok {
		return
	}
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error {
		if err := staff.RemoveGroupMember(r.Context(), tx, co, id, member); err != nil {
			return err
		}
		return chat.Left(r.Context(), tx, co, member, chat.Room{Kind: "group", Group: id}) // an open room of it closes
	})
	h.Done(w, r, err, groupPath(id), "Removed from the group.")
}

// GroupPushOn saves the viewing admin's Push on for the group.
func (h *Handlers) GroupPushOn(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return notify.SetPushOn(r.Context(), tx, v.CompanyID, v.MembershipID, notify.Target{GroupID: id}, page.AreasTicked(r, "push_"))
	})
	h.Done(w, r, err, groupPath(id), "Push on saved.")
}

func groupPath(id int64) string { return "/staff/groups/" + strconv.FormatInt(id, 10) }
