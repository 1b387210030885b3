package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Group is a named set of co-workers and guests with at most one client (the co-working seed), for tasks and chat.
type Group struct {
	ID         int64
	Name       string
	ClientID   int64 // 0: no client
	ClientName string
	Members    int
}

// GroupForm is what the new-group form sends: a name and the client, if any. ClientIDs holds every client_id the
// form carried: a group has at most one.
type GroupForm struct {
	Name      string
	ClientIDs []int64
}

const groupColumns = `g.id, g.name, coalesce(g.client_id, 0) as client_id,
	coalesce((select c.name from clients c where c.company_id = g.company_id and c.id = g.client_id), '') as client_name,
	(select count(*) from group_members gm where gm.company_id = g.company_id and gm.group_id = g.id)::int as members`

// groupScopeSQL narrows groups g to what the member with id $n may see: every group when $n is 0 (an admin); else
// the groups they belong to, and of those with a client only while they serve that client — a co-worker unassigned
// from a client loses its groups at once; a guest keeps their own client's.
func groupScopeSQL(n int) string {
	return fmt.Sprintf(`($%[1]d::bigint = 0 or (
		exists (select from group_members gm where gm.company_id = g.company_id and gm.group_id = g.id and gm.membership_id = $%[1]d)
		and (g.client_id is null
		     or exists (select from client_coworkers cc where cc.company_id = g.company_id and cc.client_id = g.client_id and cc.membership_id = $%[1]d)
		     or exists (select from memberships gu join memberships h on h.company_id = gu.company_id and h.id = gu.host_id
		                 where gu.company_id = g.company_id and gu.id = $%[1]d and h.client_id = g.client_id))))`, n)
}

// QueueGroups adds the groups the member sees (member 0: an admin, every group), by name.
func QueueGroups(b *pgx.Batch, companyID, member int64, groups *[]Group) {
	b.Queue(`select `+groupColumns+` from groups g where g.company_id = $1 and `+groupScopeSQL(2)+` order by lower(g.name), g.id`,
		companyID, member).Query(func(rows pgx.Rows) (err error) {
		*groups, err = pgx.CollectRows(rows, pgx.RowToStructByName[Group])
		return err
	})
}

// QueueGroup adds one group the member sees, and its people (active first, by name); ErrNotFound otherwise.
func QueueGroup(b *pgx.Batch, companyID, member, id int64, g *Group, people *[]Person) {
	b.Queue(`select `+groupColumns+` from groups g where g.company_id = $1 and g.id = $3 and `+groupScopeSQL(2),
		companyID, member, id).Query(func(rows pgx.Rows) (err error) {
		*g, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Group])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
	b.Queue(`
		select `+personColumns+`
		  from group_members gm
		  join memberships m on m.company_id = gm.company_id and m.id = gm.membership_id
		  join accounts a on a.id = m.account_id
		 where gm.company_id = $1 and gm.group_id = $2
		 order by m.active desc, a.name, m.id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}

// CreateGroup makes a group and returns its id. A ValidationError for a missing or taken name, or more than one
// client; ErrNotFound for a client that is not the company's.
func CreateGroup(ctx context.Context, tx pgx.Tx, companyID int64, f GroupForm) (int64, error) {
	f.Name = strings.TrimSpace(f.Name)
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "the group's name", f.Name)
	var clients []int64
	for _, id := range f.ClientIDs {
		if id != 0 {
			clients = append(clients, id)
		}
	}
	if len(clients) > 1 {
		v.Add("client_id", "A group has at most one client: choose one, or none.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var client *int64
	if len(clients) == 1 {
		client = &clients[0]
		var ok bool
		if err := tx.QueryRow(ctx, `select exists (select from clients where company_id = $1 and id = $2)`, companyID, *client).Scan(&ok); err != nil || !ok {
			return 0, errors.Join(err, apperr.ErrNotFound)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, $2, $3) returning id`, companyID, f.Name, client).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, apperr.FieldError("name", "Another group has this name.")
	}
	if err != nil {
		return 0, fmt.Errorf("staff: create group: %w", err)
	}
	return id, nil
}

// AddGroupMember puts a co-worker or a guest in the group. Refused in words: a deactivated person, another role,
// a co-worker who does not serve the group's client, a guest of another client. ErrNotFound for a group or person
// that is not the company's.
func AddGroupMember(ctx context.Context, tx pgx.Tx, companyID, groupID, membershipID int64) error {
	var client *int64
	if err := tx.QueryRow(ctx, `select client_id from groups where company_id = $1 and id = $2 for update`, companyID, groupID).Scan(&client); err != nil {
		return errors.Join(err, apperr.ErrNotFound)
	}
	var p struct {
		Name           string
		Role           identity.Role
		Active, Serves bool
		HostClient     *int64
		ClientName     *string
	}
	err := tx.QueryRow(ctx, `
		select a.name, m.role, m.active,
		       exists (select from client_coworkers cc where cc.company_id = m.company_id and cc.client_id = $3 and cc.membership_id = m.id),
		       (select h.client_id from memberships h where h.company_id = m.company_id and h.id = m.host_id),
		       (select c.name from clients c where c.company_id = m.company_id and c.id = $3)
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $2`, companyID, membershipID, client).Scan(&p.Name, &p.Role, &p.Active, &p.Serves, &p.HostClient, &p.ClientName)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("staff: add to group: %w", err)
	}
	switch {
	case !p.Active:
		return apperr.FieldError("membership_id", p.Name+" is deactivated: reactivate them first.")
	case p.Role != identity.RoleCoWorker && p.Role != identity.RoleGuest:
		return apperr.FieldError("membership_id", "Only co-workers and guests join a group; admins follow one with Push on, and the client's own users take part through its client.")
	case client != nil && p.Role == identity.RoleCoWorker && !p.Serves:
		return apperr.FieldError("membership_id", p.Name+" does not serve "+deref(p.ClientName)+": assign them to the client first.")
	case p.Role == identity.RoleGuest && (client == nil || p.HostClient == nil || *p.HostClient != *client):
		return apperr.FieldError("membership_id", p.Name+" is a guest of another client: a guest joins only a group of their own client.")
	}
	if _, err := tx.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3) on conflict do nothing`,
		companyID, groupID, membershipID); err != nil {
		return fmt.Errorf("staff: add to group: %w", err)
	}
	return nil
}

// RemoveGroupMember takes a person out of the group; ErrNotFound when they were not in it.
func RemoveGroupMember(ctx context.Context, tx pgx.Tx, companyID, groupID, membershipID int64) error {
	tag, err := tx.Exec(ctx, `delete from group_members where company_id = $1 and group_id = $2 and membership_id = $3`, companyID, groupID, membershipID)
	if err != nil {
		return fmt.Errorf("staff: remove from group: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// QueueJoinable adds who may be offered for the group, by name: the company's active co-workers and guests not
// already in it.
func QueueJoinable(b *pgx.Batch, companyID, groupID int64, people *[]Person) {
	b.Queue(`
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.active and m.role in ('co-worker', 'guest')
		   and not exists (select from group_members gm where gm.company_id = m.company_id and gm.group_id = $2 and gm.membership_id = m.id)
		 order by a.name, m.id`, companyID, groupID).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
