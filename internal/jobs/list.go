package jobs

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// PageSize is how many jobs a page of the list shows.
const PageSize = 50

// ListFilter is a page of the job list: newest first, after or before a cursor (a job id).
type ListFilter struct {
	After  int64 // older than this job
	Before int64 // newer than this job
}

// ListRow is one job of the list, with its next visit.
type ListRow struct {
	ID           int64
	Number       int64
	Title        string
	ClientName   string
	SiteName     string
	Status       Status
	NextVisitAt  *time.Time
	NextVisitWho *string
	VisitCount   int
}

// ListPage is a page of jobs in display order, newest first.
type ListPage struct {
	Rows []ListRow
	// More says there are jobs beyond this page in the direction of travel.
	More bool
}

// QueueList adds a page of the job list. One query: the next visit comes from a lateral join on the visits index,
// never a query per row.
func QueueList(b *pgx.Batch, companyID int64, scope Scope, f ListFilter, page *ListPage) {
	cursor, cmp, order := f.After, "<", "desc"
	if f.Before != 0 {
		cursor, cmp, order = f.Before, ">", "asc"
	}
	b.Queue(`
		select j.id, j.number, j.title, c.name as client_name, coalesce(s.name, '') as site_name, j.status,
		       nv.starts_at as next_visit_at, nv.who as next_visit_who,
		       (select count(*) from visits v where v.company_id = j.company_id and v.job_id = j.id)::int as visit_count
		  from jobs j
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join sites s on s.company_id = j.company_id and s.id = j.site_id
		  left join lateral (
		        select v.starts_at, a.name as who
		          from visits v
		          left join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
		          left join accounts a on a.id = m.account_id
		         where v.company_id = j.company_id and v.job_id = j.id and v.ends_at > now()
		         order by v.starts_at limit 1) nv on true
		 where j.company_id = $1 and `+scopeSQL(2)+`
		   and ($4::bigint = 0 or j.id `+cmp+` $4)
		 order by j.id `+order+`
		 limit $5`,
		companyID, scope.Member, scope.Clients, cursor, PageSize+1).Query(func(r pgx.Rows) error {
		rows, err := pgx.CollectRows(r, pgx.RowToStructByName[ListRow])
		if page.More = len(rows) > PageSize; page.More {
			rows = rows[:PageSize]
		}
		if f.Before != 0 {
			for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
				rows[i], rows[j] = rows[j], rows[i]
			}
		}
		page.Rows = rows
		return err
	})
}

// QueueForClient adds the newest jobs (up to PageSize) where the client is the client or the billing client, for
// the client's record.
func QueueForClient(b *pgx.Batch, companyID int64, scope Scope, clientID int64, rows *[]ListRow) {
	b.Queue(`
		select j.id, j.number, j.title, c.name as client_name, coalesce(s.name, '') as site_name, j.status,
		       null::timestamptz as next_visit_at, null::text as next_visit_who, 0 as visit_count
		  from jobs j
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join sites s on s.company_id = j.company_id and s.id = j.site_id
		 where j.company_id = $1 and (j.client_id = $4 or j.billing_client_id = $4) and `+scopeSQL(2)+`
		 order by j.id desc
		 limit $5`, companyID, scope.Member, scope.Clients, clientID, PageSize).Query(func(r pgx.Rows) (err error) {
		*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[ListRow])
		return err
	})
}
