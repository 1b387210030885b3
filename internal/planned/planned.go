// Package planned owns planned jobs (planned maintenance orders in a client's building): the building's assets, the
// job's locations and interventions, its office-only fields, and sharing it with the building's client and a
// supplier — what is shared (an explicit allow-list: SharedJob), which fields lock while it is shared, comments and
// documents from each side, and Stop sharing.
package planned

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// PlannedJob is a planned job as the office sees it: every field.
type PlannedJob struct {
	ID                    int64
	SiteID                int64
	Building              string
	Address               string
	ClientID              int64
	ClientName            string
	Title                 string
	Type                  string
	Description           string
	OrderDate             *time.Time
	CostCentre            string
	InternalNotifications string
	InternalSLA           string
	Gatekeeper            string
	CustomerSatisfaction  string
	SupplierID            int64
	SupplierName          string
	CreatedAt             time.Time
}

// Location is a place within the building.
type Location struct {
	ID   int64
	Name string
}

// Intervention is a task on one of the building's assets.
type Intervention struct {
	ID        int64
	AssetName string
	Task      string
}

// Asset is one of a building's assets.
type Asset struct {
	ID   int64
	Name string
}

// Sharing is the planned job's share with one party, live until StoppedAt.
type Sharing struct {
	Party     string // "client" or "supplier"
	Firm      string // the supplier's name
	Note      string
	SharedAt  time.Time
	StoppedAt *time.Time
}

// Live reports whether the share still gives access.
func (s Sharing) Live() bool { return s.StoppedAt == nil }

// Activity is a comment or a History line, by the office, the client or the supplier.
type Activity struct {
	Party     string
	Author    string
	Kind      string // "comment" or "history"
	Body      string
	CreatedAt time.Time
}

// Assignee is a staff member on the planned job.
type Assignee struct {
	ID   int64
	Name string
}

// Row is one planned job in the list.
type Row struct {
	ID        int64
	Title     string
	Type      string
	Building  string
	Client    string
	OrderDate *time.Time
	Shared    bool
}

const plannedColumns = `p.id, p.site_id, st.name as building, st.address, st.client_id, cl.name as client_name, p.title, p.type,
	p.description, p.order_date, p.cost_centre, p.internal_notifications, p.internal_sla, p.gatekeeper, p.customer_satisfaction,
	coalesce(p.supplier_id, 0) as supplier_id, coalesce(k.name, '') as supplier_name, p.created_at`

const plannedFrom = `planned_jobs p
	join sites st on st.company_id = p.company_id and st.id = p.site_id
	join clients cl on cl.company_id = st.company_id and cl.id = st.client_id
	left join connections k on k.company_id = p.company_id and k.id = p.supplier_id`

// Scope is who is looking: an admin sees every planned job; a co-worker those they are an assignee of and those in
// the buildings of the clients assigned to them; a subcontractor person those they are an assignee of. The zero
// Scope sees nothing. Only admins change planned jobs (the route groups); the others read them.
type Scope struct {
	All     bool
	Member  int64
	Clients bool // with Member: the planned jobs in the buildings of the clients assigned to Member
}

// Everything is the scope of an admin.
var Everything = Scope{All: true}

// ScopeFor is the scope of a viewer.
func ScopeFor(v *identity.Viewer) Scope {
	switch v.Role {
	case identity.RoleAdmin:
		return Everything
	case identity.RoleCoWorker:
		return Scope{Member: v.MembershipID, Clients: true}
	case identity.RoleSubcontractor:
		return Scope{Member: v.MembershipID}
	}
	return Scope{}
}

// args are the scope's parameters, numbered as scopeSQL numbers them: no membership has id 0 or -1, so All is 0
// (every row) and no member is -1 (no row).
func (s Scope) args() []any {
	member := s.Member
	switch {
	case s.All:
		member = 0
	case member == 0:
		member = -1
	}
	return []any{member, s.Clients}
}

// scopeSQL is the condition on a planned_jobs row p in its building st for a scope passed as parameters $n and $n+1.
func scopeSQL(n int) string {
	return fmt.Sprintf(`($%[1]d::bigint = 0
		or exists (select from planned_assignees x where x.company_id = p.company_id and x.planned_job_id = p.id and x.membership_id = $%[1]d)
		or ($%[2]d::bool and exists (select from client_coworkers cc
		        where cc.company_id = st.company_id and cc.client_id = st.client_id and cc.membership_id = $%[1]d)))`, n, n+1)
}

// QueueList adds the planned jobs of the company within scope, newest first, 50 a page before the id before (0: the
// newest); more says another page follows.
func QueueList(b *pgx.Batch, companyID int64, scope Scope, before int64, rows *[]Row, more *bool) {
	b.Queue(`
		select p.id, p.title, p.type, st.name as building, cl.name as client, p.order_date,
		       exists (select from planned_shares s where s.company_id = p.company_id and s.planned_job_id = p.id and s.stopped_at is null) as shared
		  from `+plannedFrom+`
		 where p.company_id = $1 and ($2::bigint = 0 or p.id < $2::bigint) and `+scopeSQL(3)+`
		 order by p.id desc limit 51`, append([]any{companyID, before}, scope.args()...)...).Query(func(r pgx.Rows) (err error) {
		*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[Row])
		if len(*rows) > 50 {
			*rows, *more = (*rows)[:50], true
		}
		return err
	})
}

// Details are what the office's page of a planned job shows besides the job.
type Details struct {
	Locations     []Location
	Interventions []Intervention
	Assets        []Asset // the building's, for a new intervention
	Assignees     []Assignee
	Shares        []Sharing
	Activity      []Activity
}

// Shared reports whether any share is live: the locked fields cannot change then.
func (d Details) Shared() bool {
	for _, s := range d.Shares {
		if s.Live() {
			return true
		}
	}
	return false
}

// QueueGet adds the planned job id with its details; ErrNotFound when the company has none within scope.
func QueueGet(b *pgx.Batch, companyID int64, scope Scope, id int64, p *PlannedJob, d *Details) {
	b.Queue(`select `+plannedColumns+` from `+plannedFrom+` where p.company_id = $1 and p.id = $2 and `+scopeSQL(3),
		append([]any{companyID, id}, scope.args()...)...).
		Query(func(rows pgx.Rows) (err error) {
			*p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PlannedJob])
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.ErrNotFound
			}
			return err
		})
	queueItems(b, companyID, id, &d.Locations, &d.Interventions)
	b.Queue(`select a.id, a.name from assets a join planned_jobs p on p.company_id = a.company_id and p.site_id = a.site_id
		 where p.company_id = $1 and p.id = $2 order by a.name, a.id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		d.Assets, err = pgx.CollectRows(rows, pgx.RowToStructByName[Asset])
		return err
	})
	b.Queue(`select m.id, a.name from planned_assignees x join memberships m on m.company_id = x.company_id and m.id = x.membership_id
		 join accounts a on a.id = m.account_id where x.company_id = $1 and x.planned_job_id = $2 order by a.name`, companyID, id).
		Query(func(rows pgx.Rows) (err error) {
			d.Assignees, err = pgx.CollectRows(rows, pgx.RowToStructByName[Assignee])
			return err
		})
	b.Queue(`select s.party, coalesce(k.name, '') as firm, s.note, s.shared_at, s.stopped_at from planned_shares s
		 left join connections k on k.company_id = s.company_id and k.id = s.connection_id
		 where s.company_id = $1 and s.planned_job_id = $2 order by s.party`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		d.Shares, err = pgx.CollectRows(rows, pgx.RowToStructByName[Sharing])
		return err
	})
	queueActivity(b, companyID, id, &d.Activity)
}

func queueItems(b *pgx.Batch, companyID, id int64, locs *[]Location, ivs *[]Intervention) {
	b.Queue(`select l.id, l.name from planned_locations l where l.company_id = $1 and l.planned_job_id = $2 order by l.id`,
		companyID, id).Query(func(rows pgx.Rows) (err error) {
		*locs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Location])
		return err
	})
	b.Queue(`select i.id, a.name as asset_name, i.task from planned_interventions i
		 join assets a on a.company_id = i.company_id and a.id = i.asset_id
		 where i.company_id = $1 and i.planned_job_id = $2 order by i.id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*ivs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Intervention])
		return err
	})
}

func queueActivity(b *pgx.Batch, companyID, id int64, acts *[]Activity) {
	b.Queue(`select party, author_name as author, kind, body, created_at from planned_activity
		 where company_id = $1 and planned_job_id = $2 order by id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*acts, err = pgx.CollectRows(rows, pgx.RowToStructByName[Activity])
		return err
	})
}

// QueueVisible adds the check that planned job id is the company's and within scope: ErrNotFound otherwise.
func QueueVisible(b *pgx.Batch, companyID int64, scope Scope, id int64) {
	b.Queue(`select true from planned_jobs p join sites st on st.company_id = p.company_id and st.id = p.site_id
		 where p.company_id = $1 and p.id = $2 and `+scopeSQL(3), append([]any{companyID, id}, scope.args()...)...).
		QueryRow(func(row pgx.Row) error {
			var seen bool
			err := row.Scan(&seen)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.ErrNotFound
			}
			return err
		})
}

// QueueAssets adds a building's assets, by name.
func QueueAssets(b *pgx.Batch, companyID, siteID int64, assets *[]Asset) {
	b.Queue(`select id, name from assets where company_id = $1 and site_id = $2 order by name, id`, companyID, siteID).
		Query(func(rows pgx.Rows) (err error) {
			*assets, err = pgx.CollectRows(rows, pgx.RowToStructByName[Asset])
			return err
		})
}
