package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Add puts a person on the task; anyone on it (or an admin) may. Who may take part: admins; co-workers — of a
// client's task, those who serve the client; the client's users and their guests, on a client's task only. A task
// made without a client never gets a client user or guest: that is refused as a conflict in words (no form offers
// it). ErrNotFound for a task the adder cannot see or a person who is not the company's; a ValidationError for
// anyone else who may not take part.
func Add(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, by Actor, taskID, membershipID int64) error {
	t, err := lock(ctx, tx, companyID, s, taskID)
	if err != nil {
		return err
	}
	var p struct {
		Name   string
		Role   identity.Role
		Active bool
		Serves bool
		Client *int64 // a client user's client, or a guest's host's
	}
	err = tx.QueryRow(ctx, `
		select a.name, m.role, m.active,
		       exists (select from client_coworkers cc where cc.company_id = m.company_id and cc.client_id = $3 and cc.membership_id = m.id),
		       coalesce(m.client_id, (select h.client_id from memberships h where h.company_id = m.company_id and h.id = m.host_id))
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $2`, companyID, membershipID, t.ClientID).Scan(&p.Name, &p.Role, &p.Active, &p.Serves, &p.Client)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("tasks: add: %w", err)
	}
	field := func(msg string) error {
		return apperr.FieldError("membership_id", msg)
	}
	switch {
	case !p.Active:
		return field(p.Name + " is deactivated.")
	case (p.Role == identity.RoleClient || p.Role == identity.RoleGuest) && t.ClientID == 0:
		return errNoClient
	case p.Role == identity.RoleClient || p.Role == identity.RoleGuest:
		if p.Client == nil || *p.Client != t.ClientID {
			return field(p.Name + " belongs to another client.")
		}
	case p.Role == identity.RoleCoWorker && t.ClientID != 0 && !p.Serves:
		return field(p.Name + " does not serve this task's client: assign them to the client first.")
	case p.Role == identity.RoleSubcontractor:
		return field("Subcontractors take part in jobs, not tasks.")
	}
	if _, err := tx.Exec(ctx, `
		insert into task_people (company_id, task_id, membership_id, added_by) values ($1, $2, $3, $4)
		on conflict do nothing`, companyID, taskID, membershipID, by.MembershipID); err != nil {
		return fmt.Errorf("tasks: add: %w", err)
	}
	return nil
}

// QueueJoinable adds who may still be added to the task (see Add), by name: the person control's choices.
func QueueJoinable(b *pgx.Batch, companyID int64, s Scope, taskID int64, people *[]Person) {
	b.Queue(`
		select m.id as membership_id, a.name, m.role, false as requester
		  from tasks t
		  join memberships m on m.company_id = t.company_id and m.active
		  join accounts a on a.id = m.account_id
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		   and not exists (select from task_people tp where tp.company_id = t.company_id and tp.task_id = t.id and tp.membership_id = m.id)
		   and (m.role = 'admin'
		        or (m.role = 'co-worker' and (t.client_id is null or exists (select from client_coworkers cc
		             where cc.company_id = t.company_id and cc.client_id = t.client_id and cc.membership_id = m.id)))
		        or (t.client_id is not null and m.role = 'client' and m.client_id = t.client_id)
		        or (t.client_id is not null and m.role = 'guest' and exists (select from memberships h
		             where h.company_id = m.company_id and h.id = m.host_id and h.client_id = t.client_id)))
		 order by a.name, m.id`, companyID, s.All, s.Member, taskID).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}

// PeopleOn returns the memberships on the task (inside tx, for its notifications) with its client and group.
func PeopleOn(ctx context.Context, tx pgx.Tx, companyID, taskID int64) (ids []int64, clientID, groupID int64, err error) {
	var client, group *int64
	if err := tx.QueryRow(ctx, `select client_id, group_id from tasks where company_id = $1 and id = $2`, companyID, taskID).Scan(&client, &group); err != nil {
		return nil, 0, 0, fmt.Errorf("tasks: people: %w", err)
	}
	if client != nil {
		clientID = *client
	}
	if group != nil {
		groupID = *group
	}
	rows, _ := tx.Query(ctx, `select membership_id from task_people where company_id = $1 and task_id = $2`, companyID, taskID)
	ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, clientID, groupID, err
}

// Remove takes a person off the task; anyone on it (or an admin) may, except that the requester stays on it for
// good. A co-worker taken off no longer sees the task. ErrNotFound for a task the remover cannot see or someone
// not on it.
func Remove(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, taskID, membershipID int64) error {
	t, err := lock(ctx, tx, companyID, s, taskID)
	if err != nil {
		return err
	}
	if membershipID == t.RequesterID {
		return apperr.Conflict("The requester stays on the task they made.")
	}
	tag, err := tx.Exec(ctx, `delete from task_people where company_id = $1 and task_id = $2 and membership_id = $3`,
		companyID, taskID, membershipID)
	if err != nil {
		return fmt.Errorf("tasks: remove: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// CheckGuestInvite is the task's side of inviting a new guest from its person control: the task is one the viewer
// may see and has a client (a client-less task never gets one: a conflict in words), and the guest's host is an
// active client user of that client. A guest invites no one, and a client user's guests are their own (both
// ErrForbidden). The invitation itself is staff.Invite's, with the task on it, so the guest joins the task when they
// accept.
func CheckGuestInvite(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, taskID, hostID int64) error {
	t, err := lock(ctx, tx, companyID, s, taskID)
	if err != nil {
		return err
	}
	var inviter identity.Role
	if err := tx.QueryRow(ctx, `select role from memberships where company_id = $1 and id = $2`, companyID, s.Member).Scan(&inviter); err != nil {
		return fmt.Errorf("tasks: guest's inviter: %w", err)
	}
	if inviter == identity.RoleGuest || inviter == identity.RoleClient && hostID != s.Member {
		return apperr.ErrForbidden
	}
	if t.ClientID == 0 {
		return errNoClient
	}
	var ok bool
	if err := tx.QueryRow(ctx, `
		select exists (select from memberships where company_id = $1 and id = $2 and role = 'client' and active and client_id = $3)`,
		companyID, hostID, t.ClientID).Scan(&ok); err != nil {
		return fmt.Errorf("tasks: guest's host: %w", err)
	}
	if !ok {
		return apperr.FieldError("host_id", "Choose one of this client's users: a guest works with one of them.")
	}
	return nil
}

// errNoClient refuses the client's people and guests on a task made without a client.
var errNoClient = apperr.Conflict("This task was made without a client, so the client's people and guests cannot join it. Make a new task with the client.")

// QueueHosts adds the active client users of the task's client (none for a client-less task), by name: whom a
// guest invited from the task works with.
func QueueHosts(b *pgx.Batch, companyID int64, s Scope, taskID int64, people *[]Person) {
	b.Queue(`
		select m.id as membership_id, a.name, m.role, false as requester
		  from tasks t
		  join memberships m on m.company_id = t.company_id and m.role = 'client' and m.active and m.client_id = t.client_id
		  join accounts a on a.id = m.account_id
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		 order by a.name, m.id`, companyID, s.All, s.Member, taskID).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}
