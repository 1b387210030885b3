// Package staff owns the people of a company: their memberships (role, active), the invitations that bring new
// people in, and the licence seats both use. Its rules — seats, the last active admin, what an invitation link may
// still do — hold under concurrent requests because every change takes the company row's lock first.
package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/input"
)

// Person is one membership of the company with its account's name and email.
type Person struct {
	MembershipID int64
	AccountID    int64
	Name         string
	Email        string
	Role         identity.Role
	Active       bool
	CreatedAt    time.Time
	// ClientName is a client user's client (Job Share Plus), or a guest's host's, else "".
	ClientName string
	// HostID and HostName are the client user a guest works with, else 0 and "".
	HostID   int64
	HostName string
	// Perms are a client user's portal permissions.
	PermAddEdit, PermViewMessages, PermViewPrices bool
}

// Perms are the person's portal permissions.
func (p Person) Perms() identity.Permissions {
	return identity.Permissions{AddEdit: p.PermAddEdit, ViewMessages: p.PermViewMessages, ViewPrices: p.PermViewPrices}
}

// Seats is the company's plan and what uses it.
type Seats struct {
	Used  int
	Total int
}

// Full reports whether no seat is left.
func (s Seats) Full() bool { return s.Used >= s.Total }

// ErrSeatsFull is the message for an action that needs a seat when none is left.
func ErrSeatsFull(s Seats) error {
	return &apperr.ValidationError{Form: fmt.Sprintf("You are using %d of %d seats — upgrade your plan to add more.", s.Used, s.Total)}
}

const personColumns = `m.id as membership_id, m.account_id, a.name, a.email::text as email, m.role, m.active, m.created_at,
	coalesce((select cl.name from clients cl
	           where cl.company_id = m.company_id
	             and cl.id = coalesce(m.client_id, (select h.client_id from memberships h where h.company_id = m.company_id and h.id = m.host_id))), '') as client_name,
	coalesce((select ha.name from memberships h join accounts ha on ha.id = h.account_id
	           where h.company_id = m.company_id and h.id = m.host_id), '') as host_name,
	coalesce(m.host_id, 0) as host_id,
	m.perm_add_edit, m.perm_view_messages, m.perm_view_prices`

// PeopleFilter narrows the Staff page to one type of user (none: everyone) and a search of names and emails.
type PeopleFilter struct {
	Role identity.Role
	Q    string
}

// QueuePeople adds the company's people that f lets through: active first, then by name. A company has at most
// its seats of active people, its guests and those it deactivated, so the list is not paged.
func QueuePeople(b *pgx.Batch, companyID int64, f PeopleFilter, people *[]Person) {
	b.Queue(`
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and ($2 = '' or m.role = $2)
		   and ($3 = '' or a.name ilike '%'||$3||'%' or a.email ilike '%'||$3||'%')
		 order by m.active desc, a.name, m.id`, companyID, string(f.Role), input.EscapeLike(strings.TrimSpace(f.Q))).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}

// QueueHosts adds the company's active client users, who may have guests: the Invite User page's choice for one.
func QueueHosts(b *pgx.Batch, companyID int64, hosts *[]Person) {
	b.Queue(`
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.role = 'client' and m.active
		 order by client_name, a.name, m.id`, companyID).Query(func(rows pgx.Rows) (err error) {
		*hosts, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
}

// QueuePerson adds one membership: *p is filled, or ErrNotFound comes back.
func QueuePerson(b *pgx.Batch, companyID, membershipID int64, p *Person) {
	b.Queue(`
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $2`, companyID, membershipID).Query(func(rows pgx.Rows) (err error) {
		*p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// seatsSQL counts the seats in use: active memberships and open (pending, unexpired) invitations of seat roles.
const seatsSQL = `
	select (select count(*) from memberships m
	         where m.company_id = c.id and m.active and m.role = any($2))::int
	     + (select count(*) from invitations i
	         where i.company_id = c.id and i.accepted_at is null and i.cancelled_at is null
	           and i.expires_at > now() and i.role = any($2))::int as used,
	       c.seats as total
	  from companies c where c.id = $1`

// QueueSeats adds the company's seat count.
func QueueSeats(b *pgx.Batch, companyID int64, s *Seats) {
	b.Queue(seatsSQL, companyID, identity.SeatRoles).QueryRow(func(row pgx.Row) error {
		return row.Scan(&s.Used, &s.Total)
	})
}

// lockCompany takes the company row's lock for the rest of tx — the one lock behind the seat count and the
// last-admin rule, so two requests racing for the last seat (or demoting the last two admins) go one after the
// other — and returns the seat count as it now stands.
func lockCompany(ctx context.Context, tx pgx.Tx, companyID int64) (Seats, error) {
	if _, err := tx.Exec(ctx, `select id from companies where id = $1 for no key update`, companyID); err != nil {
		return Seats{}, fmt.Errorf("staff: lock company: %w", err)
	}
	var s Seats
	if err := tx.QueryRow(ctx, seatsSQL, companyID, identity.SeatRoles).Scan(&s.Used, &s.Total); err != nil {
		return Seats{}, fmt.Errorf("staff: count seats: %w", err)
	}
	return s, nil
}

// QueueClientUsers adds the client's Job Share Plus users (active first, by name) and its open invitations.
func QueueClientUsers(b *pgx.Batch, companyID, clientID int64, people *[]Person, invs *[]Invitation) {
	queueBelonging(b, companyID, "client_id", clientID, people, invs)
}

// queueBelonging adds the people whose column (client_id: a client's users; host_id: a client user's guests) is
// id, active first, by name, and the open invitations with the same.
func queueBelonging(b *pgx.Batch, companyID int64, column string, id int64, people *[]Person, invs *[]Invitation) {
	b.Queue(`
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.`+column+` = $2
		 order by m.active desc, a.name, m.id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
	b.Queue(`select `+invitationColumns+` from invitations i
		 where i.company_id = $1 and i.`+column+` = $2 and i.cancelled_at is null and i.accepted_at is null
		 order by i.id desc`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*invs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invitation])
		return err
	})
}

// SetPermissions changes a client user's portal permissions; they apply from their next request. ErrNotFound for
// anyone who is not a client user of the company (and of client, when client is not 0).
func SetPermissions(ctx context.Context, tx pgx.Tx, companyID, client, membershipID int64, p identity.Permissions) error {
	tag, err := tx.Exec(ctx, `
		update memberships set perm_add_edit = $4, perm_view_messages = $5, perm_view_prices = $6
		 where company_id = $1 and id = $2 and role = 'client' and ($3::bigint = 0 or client_id = $3::bigint)`,
		companyID, membershipID, client, p.AddEdit, p.ViewMessages, p.ViewPrices)
	if err != nil {
		return fmt.Errorf("staff: permissions: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// SetPermissionsForClients gives every client user of the clients among ids — and their open invitations — the
// permissions p (the client list's bulk action), and returns how many people and invitations changed.
func SetPermissionsForClients(ctx context.Context, tx pgx.Tx, companyID int64, ids []int64, p identity.Permissions) (int, error) {
	a, err := tx.Exec(ctx, `
		update memberships set perm_add_edit = $3, perm_view_messages = $4, perm_view_prices = $5
		 where company_id = $1 and role = 'client' and client_id = any($2)`, companyID, ids, p.AddEdit, p.ViewMessages, p.ViewPrices)
	if err != nil {
		return 0, fmt.Errorf("staff: permissions: %w", err)
	}
	b, err := tx.Exec(ctx, `
		update invitations set perm_add_edit = $3, perm_view_messages = $4, perm_view_prices = $5
		 where company_id = $1 and client_id = any($2) and accepted_at is null and cancelled_at is null`,
		companyID, ids, p.AddEdit, p.ViewMessages, p.ViewPrices)
	if err != nil {
		return 0, fmt.Errorf("staff: permissions: %w", err)
	}
	return int(a.RowsAffected() + b.RowsAffected()), nil
}
