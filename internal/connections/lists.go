package connections

import (
	"github.com/jackc/pgx/v5"

	"fieldops/internal/input"
)

// ListLimit is how many rows each list of the Connections page shows; a search narrows past it.
const ListLimit = 100

// Lists are the Connections page's customers and subcontractors matching a search ("" for all), by name, each at
// most ListLimit; More says a list was cut there.
type Lists struct {
	Customers      []Customer
	Subcontractors []Subcontractor
	MoreCustomers  bool
	MoreSubs       bool
}

// QueueLists adds the customers and subcontractors whose name or email holds q.
func QueueLists(b *pgx.Batch, companyID int64, q string, l *Lists) {
	like := "%" + input.EscapeLike(q) + "%"
	b.Queue(`
		select c.id as client_id, c.name, coalesce(c.email::text, '') as email,
		       case when k.connected_at is not null then 'connected'
		            when exists (select from memberships m where m.company_id = c.company_id and m.client_id = c.id
		                          and m.role = 'client' and m.active) then 'portal'
		            when i.id is null then 'none'
		            when i.expires_at <= now() then 'expired'
		            else 'pending' end as state,
		       coalesce(k.name, '') as firm, coalesce(i.id, 0) as invitation_id
		  from clients c
		  left join connections k on k.company_id = c.company_id and k.client_id = c.id
		  left join lateral (
		        select i.id, i.expires_at from invitations i
		         where i.company_id = c.company_id and i.client_id = c.id and i.role = 'client'
		           and i.accepted_at is null and i.cancelled_at is null
		         order by i.id desc limit 1) i on true
		 where c.company_id = $1 and (c.name ilike $2 or coalesce(c.email::text, '') ilike $2)
		 order by c.name, c.id
		 limit $3`, companyID, like, ListLimit+1).Query(func(rows pgx.Rows) (err error) {
		l.Customers, err = pgx.CollectRows(rows, pgx.RowToStructByName[Customer])
		if len(l.Customers) > ListLimit {
			l.Customers, l.MoreCustomers = l.Customers[:ListLimit], true
		}
		return err
	})
	b.Queue(`
		select k.id, k.name, coalesce(k.email::text, '') as email,
		       case when k.connected_at is not null then 'connected'
		            when k.expires_at <= now() then 'expired'
		            else 'pending' end as state,
		       k.expires_at, k.connected_at
		  from connections k
		 where k.company_id = $1 and k.kind = 'subcontractor' and (k.name ilike $2 or coalesce(k.email::text, '') ilike $2)
		 order by k.name, k.id
		 limit $3`, companyID, like, ListLimit+1).Query(func(rows pgx.Rows) (err error) {
		l.Subcontractors, err = pgx.CollectRows(rows, pgx.RowToStructByName[Subcontractor])
		if len(l.Subcontractors) > ListLimit {
			l.Subcontractors, l.MoreSubs = l.Subcontractors[:ListLimit], true
		}
		return err
	})
}

// QueueFirms adds the company's connected subcontractors, by name: what Assign to offers.
func QueueFirms(b *pgx.Batch, companyID int64, firms *[]Firm) {
	b.Queue(`
		select k.id, k.name from connections k
		 where k.company_id = $1 and k.kind = 'subcontractor' and k.connected_at is not null
		 order by k.name, k.id`, companyID).Query(func(rows pgx.Rows) (err error) {
		*firms, err = pgx.CollectRows(rows, pgx.RowToStructByName[Firm])
		return err
	})
}
