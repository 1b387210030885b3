// Package clients owns the firm's clients: their records, their sites (named addresses), and which co-workers
// serve each one. A co-worker sees only the clients assigned to them; that rule lives here, in every query.
package clients

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Client is one client record.
type Client struct {
	ID             int64
	Name           string
	Email          string
	Phone          string
	BillingAddress string
	Notes          string
	JobShare       bool
	// ChatGuests: the guests of the client's users may read and write in its chat room.
	ChatGuests bool
	CreatedAt  time.Time
}

// Site is a named address of a client ("Head office", "Warehouse 2").
type Site struct {
	ID       int64
	ClientID int64
	Name     string
	Address  string
}

// Coworker is a co-worker who serves a client, or could.
type Coworker struct {
	MembershipID int64
	Name         string
}

// Scope is what of the company's clients a viewer may see: all of them, or only those assigned to one co-worker.
// The zero Scope sees none.
type Scope struct {
	// All is every client of the company: an admin's.
	All bool
	// Coworker is the membership id of a co-worker viewer: the clients assigned to them.
	Coworker int64
}

// Everything is the scope of an admin.
var Everything = Scope{All: true}

// param is the scope as scopeSQL's one parameter: 0 for every client; no membership has id 0 or -1, so -1
// matches no assignment.
func (s Scope) param() int64 {
	switch {
	case s.All:
		return 0
	case s.Coworker == 0:
		return -1
	}
	return s.Coworker
}

// ScopeFor is the scope of a viewer: admins see every client, co-workers the clients assigned to them, and every
// other role none (the route groups keep them out; the scope is the second lock).
func ScopeFor(v *identity.Viewer) Scope {
	switch v.Role {
	case identity.RoleAdmin:
		return Everything
	case identity.RoleCoWorker:
		return Scope{Coworker: v.MembershipID}
	}
	return Scope{}
}

// scopeSQL is the condition on a clients row aliased c for the scope passed as parameter $n.
func scopeSQL(n int) string {
	return fmt.Sprintf(`($%d::bigint = 0 or exists (select from client_coworkers cc
	        where cc.company_id = c.company_id and cc.client_id = c.id and cc.membership_id = $%d))`, n, n)
}

// QueueGet adds the client to b: *c is filled, or ErrNotFound comes back when the client does not exist in this
// company or lies outside the scope.
func QueueGet(b *pgx.Batch, companyID int64, scope Scope, id int64, c *Client) {
	b.Queue(`
		select c.id, c.name, coalesce(c.email::text, '') as email, coalesce(c.phone, '') as phone,
		       c.billing_address, c.notes, c.job_share, c.chat_guests, c.created_at
		  from clients c
		 where c.company_id = $1 and c.id = $2 and `+scopeSQL(3),
		companyID, id, scope.param()).Query(func(rows pgx.Rows) (err error) {
		*c, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Client])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// QueueSites adds the client's sites, oldest first. The caller has checked the client is in scope (QueueGet in
// the same batch).
func QueueSites(b *pgx.Batch, companyID, clientID int64, sites *[]Site) {
	b.Queue(`
		select id, client_id, name, address from sites
		 where company_id = $1 and client_id = $2
		 order by id`, companyID, clientID).Query(func(rows pgx.Rows) (err error) {
		*sites, err = pgx.CollectRows(rows, pgx.RowToStructByName[Site])
		return err
	})
}

// QueueCoworkers adds the co-workers assigned to the client, by name.
func QueueCoworkers(b *pgx.Batch, companyID, clientID int64, cs *[]Coworker) {
	b.Queue(`
		select m.id as membership_id, a.name
		  from client_coworkers cc
		  join memberships m on m.company_id = cc.company_id and m.id = cc.membership_id
		  join accounts a on a.id = m.account_id
		 where cc.company_id = $1 and cc.client_id = $2
		 order by a.name, m.id`, companyID, clientID).Query(func(rows pgx.Rows) (err error) {
		*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Coworker])
		return err
	})
}

// QueueAssignable adds the company's active co-workers, by name: those a client can be assigned to.
func QueueAssignable(b *pgx.Batch, companyID int64, cs *[]Coworker) {
	b.Queue(`
		select m.id as membership_id, a.name
		  from memberships m
		  join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.role = 'co-worker' and m.active
		 order by a.name, m.id`, companyID).Query(func(rows pgx.Rows) (err error) {
		*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Coworker])
		return err
	})
}

// QueueByIDs adds the clients among ids that are in scope, by name: the rows of a bulk action.
func QueueByIDs(b *pgx.Batch, companyID int64, scope Scope, ids []int64, cs *[]Client) {
	b.Queue(`
		select c.id, c.name, coalesce(c.email::text, '') as email, coalesce(c.phone, '') as phone,
		       c.billing_address, c.notes, c.job_share, c.chat_guests, c.created_at
		  from clients c
		 where c.company_id = $1 and c.id = any($2) and `+scopeSQL(3)+`
		 order by c.name, c.id`, companyID, ids, scope.param()).Query(func(rows pgx.Rows) (err error) {
		*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Client])
		return err
	})
}

// lockClient checks, inside tx, that the client exists in scope, and holds it against concurrent change.
// ErrNotFound otherwise.
func Lock(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, id int64) error {
	var found int64
	err := tx.QueryRow(ctx, `select c.id from clients c where c.company_id = $1 and c.id = $2 and `+scopeSQL(3)+` for update`,
		companyID, id, scope.param()).Scan(&found)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}

// Dialable is a phone number as a tel: link wants it: digits, with a leading + kept and spaces, dots, dashes and
// brackets dropped ("09 555 0101" → "095550101").
func Dialable(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Name is a client's id and name: a choice in a picker.
type Name struct {
	ID   int64
	Name string
}

// QueueNames adds the clients in scope, by name: a picker's choices (Invite User, a new group, a new task).
func QueueNames(b *pgx.Batch, companyID int64, scope Scope, names *[]Name) {
	b.Queue(`select c.id, c.name from clients c where c.company_id = $1 and `+scopeSQL(2)+` order by c.name, c.id`,
		companyID, scope.param()).Query(func(rows pgx.Rows) (err error) {
		*names, err = pgx.CollectRows(rows, pgx.RowToStructByName[Name])
		return err
	})
}
