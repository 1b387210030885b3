package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/input"
)

// PageSize is how many jobs a page of the list shows.
const PageSize = 50

// View is one of the job list's views (DESIGN.md's URL map).
type View string

// The views, in the order the drop-down shows them.
const (
	ViewAll            View = "all"
	ViewCompletedToday View = "completed-today"
	ViewFromClients    View = "from-clients"
)

// ViewOption is a view with its name on screen.
type ViewOption struct {
	View  View
	Label string
}

// Views lists the views in drop-down order.
var Views = []ViewOption{
	{ViewAll, "All jobs"},
	{ViewCompletedToday, "Completed jobs scheduled today"},
	{View(StatusOpenDispatch), "Open dispatch"},
	{View(StatusInProgress), "In progress"},
	{View(StatusAwaitingQualityCheck), "Awaiting quality check"},
	{View(StatusAwaitingBilling), "Awaiting billing"},
	{View(StatusAwaitingPayment), "Awaiting payment"},
	{View(StatusDeferred), "Deferred"},
	{ViewFromClients, "From clients"},
}

// Day is one calendar day in a time zone, as the moments it starts and ends.
type Day struct {
	Start, End time.Time
}

// Today is the day that holds now in loc. A day is midnight to midnight, so it may last 23 or 25 hours.
func Today(now time.Time, loc *time.Location) Day {
	y, m, d := now.In(loc).Date()
	return Day{Start: StartOfDay(y, m, d, loc), End: StartOfDay(y, m, d+1, loc)}
}

// StartOfDay is the first moment of the calendar day y-m-d (normalised, so d+1 is the next day) in loc: midnight,
// or where the clocks skip midnight (a daylight-saving change at 00:00, as in Santiago), the moment they jump to.
func StartOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	y, m, d = time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if _, _, td := t.Date(); td != d { // normalised back into the day before: the day starts where that zone ends
		_, end := t.ZoneBounds()
		return end
	}
	return t
}

// viewSQL is the condition on a jobs row j for view v; $day and $day+1 are the start and end of today.
func viewSQL(v View, day int) string {
	switch v {
	case ViewAll, "":
		return "true"
	case ViewCompletedToday:
		return fmt.Sprintf(`j.status = 'completed' and j.id in (
			select v.job_id from visits v
			 where v.company_id = $1 and v.starts_at >= $%d and v.starts_at < $%d)`, day, day+1)
	case ViewFromClients:
		return "j.seen_at is null" // raised or answered in the portal, not yet opened (jobs_unseen_idx)
	}
	return "j.status = '" + string(v) + "'" // one of the statuses: ParseView admits nothing else
}

// ParseView reads the view= parameter; empty is All jobs. A ValidationError for anything not in the list.
func ParseView(s string) (View, error) {
	if s == "" {
		return ViewAll, nil
	}
	for _, o := range Views {
		if string(o.View) == s {
			return o.View, nil
		}
	}
	return ViewAll, apperr.FieldError("view", "Choose a view from the list.")
}

// searchWindow is how many of the newest jobs of a list a search tests row by row before it gathers every match
// (see listQuery); a variable so a test can make it small.
var searchWindow = 2000

// MinSearchLen is the shortest text search (a job number is never too short); the longest is input.MaxSearchLen.
const MinSearchLen = 3

// ListFilter is a page of the job list: a view, a search, a keyset cursor (a job id), and the moment and day
// that decide "upcoming" and "today".
type ListFilter struct {
	View   View
	Q      string
	After  int64 // older than this job
	Before int64 // newer than this job
	Now    time.Time
	Today  Day // Today(Now, the company's time zone); UTC when zero
}

// Validate reports a search that is too long, or too short to search by (a job number is never too short).
func (f ListFilter) Validate() error {
	v := &apperr.ValidationError{}
	input.CheckSearch(v, "q", f.Q, input.MaxSearchLen)
	q := strings.TrimSpace(f.Q)
	if n := utf8.RuneCountInString(q); n > 0 && n < MinSearchLen && ParseRef(q) == 0 {
		v.Add("q", "Type at least 3 characters, or a job number.")
	}
	return v.Err()
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

// QueueList adds a page of the job list: newest first, PageSize a page. One query however many rows: the next
// visit comes from a lateral join on the visits index, never a query per row. The SQL is assembled from fixed
// pieces for the view, the search and the cursor, so each shape is its own prepared statement with its own plan.
// Search matches the job number, title, client (name, email, phone) and site (name, address), with % _ and \
// taken literally.
func QueueList(b *pgx.Batch, companyID int64, scope Scope, f ListFilter, page *ListPage) {
	sql, args := listQuery(companyID, scope, f)
	b.Queue(sql, args...).Query(func(r pgx.Rows) error {
		rows, err := pgx.CollectRows(r, pgx.RowToStructByName[ListRow])
		if page.More = len(rows) > PageSize; page.More {
			rows = rows[:PageSize]
		}
		if f.Before != 0 {
			slices.Reverse(rows)
		}
		page.Rows = rows
		return err
	})
}

// ExplainList returns EXPLAIN (ANALYZE, BUFFERS) of the list query for f, run as the app role inside the
// company: the plan a page really gets. For tuning and for the benchmark's report.
func ExplainList(ctx context.Context, d *db.DB, companyID int64, scope Scope, f ListFilter) (string, error) {
	sql, args := listQuery(companyID, scope, f)
	var plan []string
	err := d.InCompany(ctx, companyID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "explain (analyze, buffers) "+sql, args...)
		var err error
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return strings.Join(plan, "\n"), err
}

// listQuery is the SQL of a page of the list and its arguments.
func listQuery(companyID int64, scope Scope, f ListFilter) (string, []any) {
	if f.Now.IsZero() {
		f.Now = time.Now()
	}
	if f.Today.Start.IsZero() {
		f.Today = Today(f.Now, time.UTC)
	}
	args := []any{companyID, f.Now}
	where := []string{"j.company_id = $1", scopeLiteral(scope)}
	if f.View == ViewCompletedToday {
		args = append(args, f.Today.Start, f.Today.End)
		where = append(where, viewSQL(f.View, 3))
	} else {
		where = append(where, viewSQL(f.View, 0))
	}
	// A search looks first in a recency window: the company's newest searchWindow jobs past the cursor, tested row
	// by row against the view, the scope and the term — a common term ("hot water", one job in twelve) fills a
	// page from a few hundred of them, and a narrow scope costs no more than the window. Only when the window holds less than a page does it gather every matching id, each branch on
	// its own index, and cut the page from those: right for a rare term, whose matches are few, where walking the
	// list newest first would cost the whole company.
	matches := ""
	q := strings.TrimSpace(f.Q)
	if n := ParseRef(q); n != 0 && strings.HasPrefix(strings.ToUpper(q), "J") {
		// "J-1042" can only mean the job numbered 1042: one index lookup.
		args = append(args, n)
		where = append(where, fmt.Sprintf("j.number = $%d", len(args)))
		q = ""
	}
	order, cursor := "desc", "true"
	switch {
	case f.Before != 0:
		args = append(args, f.Before)
		cursor, order = fmt.Sprintf("j.id > $%d", len(args)), "asc"
	case f.After != 0:
		args = append(args, f.After)
		cursor = fmt.Sprintf("j.id < $%d", len(args))
	}
	filters := strings.Join(where[1:], " and ") // scope, view, number: what the window tests row by row
	where = append(where, cursor)
	pageIDs := `select j.id from jobs j
		 where ` + strings.Join(where, "\n		   and ") + `
		 order by j.id ` + order + `
		 limit ` + fmt.Sprint(PageSize+1)
	if !scope.All && scope.Client == 0 && scope.Member != 0 {
		// A co-worker's or subcontractor's page is reached from their side — the assigned clients' jobs and the
		// jobs of their visits, each newest first on its own index — rather than by walking the company's list
		// and testing each job against the scope (a co-worker with 2% of 100,000 jobs tested 2,300 of them a page).
		rest := strings.Join(append([]string{"j.company_id = $1"}, where[2:]...), " and ")
		limit := fmt.Sprint(PageSize + 1)
		var branches []string
		if scope.Clients {
			branches = append(branches, fmt.Sprintf(`(select j.id from jobs j
			   where j.client_id in (select cc.client_id from client_coworkers cc where cc.company_id = $1 and cc.membership_id = %d)
			     and %s order by j.id %s limit %s)`, scope.Member, rest, order, limit))
		}
		branches = append(branches, fmt.Sprintf(`(select distinct j.id from visits v join jobs j on j.company_id = v.company_id and j.id = v.job_id
		   where v.company_id = $1 and v.assignee_id = %d and %s order by j.id %s limit %s)`, scope.Member, rest, order, limit))
		pageIDs = `select id from (` + strings.Join(branches, "\n union ") + `) mine order by id ` + order + ` limit ` + limit
	}
	if q != "" {
		args = append(args, "%"+input.EscapeLike(q)+"%", ParseRef(q))
		pq, pn := len(args)-1, len(args)
		matches = fmt.Sprintf(`matching_clients as materialized (
		        select c2.id from clients c2 where c2.company_id = $1
		           and (c2.name || ' ' || coalesce(c2.email::text, '') || ' ' || coalesce(c2.phone, '')) ilike $%[1]d),
		    matching_sites as materialized (
		        select s2.id from sites s2 where s2.company_id = $1 and (s2.name || ' ' || s2.address) ilike $%[1]d),
		    recent as materialized (
		        select j.id, j.number, j.title, j.client_id, j.site_id from (
		               select j.* from jobs j where j.company_id = $1 and %[6]s order by j.id %[4]s limit %[5]d) j
		         where %[3]s),
		    recent_matches as materialized (
		        select r.id from recent r
		         where r.title ilike $%[1]d or r.number = $%[2]d
		            or r.client_id in (select id from matching_clients) or r.site_id in (select id from matching_sites)),
		    matches as materialized (
		        select id from jobs where company_id = $1 and number = $%[2]d
		        union
		        select id from jobs where company_id = $1 and title ilike $%[1]d
		        union
		        select id from jobs where company_id = $1 and client_id in (select id from matching_clients)
		        union
		        select id from jobs where company_id = $1 and site_id in (select id from matching_sites))`,
			pq, pn, filters, order, searchWindow, cursor)
		// Only one of the two branches returns rows: the window when it fills a page, else the gathered matches.
		pageIDs = `(select rm.id from recent_matches rm
		   where (select count(*) from recent_matches) > ` + fmt.Sprint(PageSize) + `
		   order by rm.id ` + order + ` limit ` + fmt.Sprint(PageSize+1) + `)
		 union all
		 (select j.id from matches m join jobs j on j.company_id = $1 and j.id = m.id
		   where (select count(*) from recent_matches) <= ` + fmt.Sprint(PageSize) + `
		     and ` + strings.Join(where, "\n		     and ") + `
		   order by j.id ` + order + ` limit ` + fmt.Sprint(PageSize+1) + `)`
	}
	// Two steps: the page's ids (the only part that touches many rows, on an index), then the details of at most
	// PageSize+1 jobs — the next visit from a lateral join on the visits index, never a query per row.
	with := "with "
	if matches != "" {
		with += matches + ",\n"
	}
	return with + `page as (` + pageIDs + `)
		select j.id, j.number, j.title, c.name as client_name, coalesce(s.name, '') as site_name, j.status,
		       nv.starts_at as next_visit_at, a.name as next_visit_who,
		       (select count(*) from visits v where v.company_id = j.company_id and v.job_id = j.id)::int as visit_count
		  from page p
		  join jobs j on j.company_id = $1 and j.id = p.id
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join sites s on s.company_id = j.company_id and s.id = j.site_id
		  left join lateral (
		        select v.starts_at, v.assignee_id
		          from visits v
		         where v.company_id = j.company_id and v.job_id = j.id and v.ends_at > $2
		         order by v.starts_at limit 1) nv on true
		  left join memberships m on m.company_id = j.company_id and m.id = nv.assignee_id
		  left join accounts a on a.id = m.account_id
		 order by j.id ` + order, args
}

// scopeJobs selects (id, status) of the jobs a scope that is not All may see, reached from the scope's side —
// the client's jobs, the assigned clients' jobs, the jobs of the member's visits — each on its own index, so the
// cost is the viewer's jobs, not the company's (testing every job against scopeLiteral cost a co-worker 0.45 s at
// 100,000 jobs). The values are the server's own ids, never user input.
func scopeJobs(s Scope) string {
	var parts []string
	if s.Client != 0 {
		parts = append(parts, fmt.Sprintf(`select j.id, j.status from jobs j where j.company_id = $1 and j.client_id = %[1]d
		  union select j.id, j.status from jobs j where j.company_id = $1 and j.billing_client_id = %[1]d`, s.Client))
	}
	if s.Member != 0 && s.Clients {
		parts = append(parts, fmt.Sprintf(`select j.id, j.status from jobs j where j.company_id = $1 and j.client_id in (
		    select cc.client_id from client_coworkers cc where cc.company_id = $1 and cc.membership_id = %d)`, s.Member))
	}
	if s.Member != 0 {
		parts = append(parts, fmt.Sprintf(`select j.id, j.status from visits v
		    join jobs j on j.company_id = v.company_id and j.id = v.job_id
		   where v.company_id = $1 and v.assignee_id = %d`, s.Member))
	}
	if len(parts) == 0 {
		return `select 0::bigint as id, ''::text as status where false`
	}
	return strings.Join(parts, "\n union ")
}

// QueueCounts adds how many jobs each view holds for the viewer. Admins read the company's counters (kept by a
// trigger, so the cost does not grow with the company); other roles count their own jobs.
func QueueCounts(b *pgx.Batch, companyID int64, scope Scope, today Day, counts map[View]int64) {
	if today.Start.IsZero() {
		today = Today(time.Now(), time.UTC)
	}
	byStatus := `select status, n from job_counts where company_id = $1`
	if !scope.All {
		byStatus = `select status, count(*) as n from (` + scopeJobs(scope) + `) mine group by status`
	}
	b.Queue(`
		with by_status as (`+byStatus+`)
		select 'status:' || status, n from by_status
		union all
		select 'completed-today', count(*) from jobs j where j.company_id = $1 and `+scopeLiteral(scope)+` and `+viewSQL(ViewCompletedToday, 2)+`
		union all
		select 'from-clients', count(*) from jobs j where j.company_id = $1 and `+scopeLiteral(scope)+` and `+viewSQL(ViewFromClients, 0),
		companyID, today.Start, today.End).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var key string
			var n int64
			if err := rows.Scan(&key, &n); err != nil {
				return err
			}
			if status, ok := strings.CutPrefix(key, "status:"); ok {
				counts[View(status)] += n
				counts[ViewAll] += n
			} else {
				counts[View(key)] = n
			}
		}
		return rows.Err()
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
		 where j.company_id = $1 and (j.client_id = $5 or j.billing_client_id = $5) and `+scopeSQL(2)+`
		 order by j.id desc
		 limit $6`, append(append([]any{companyID}, scope.args()...), clientID, PageSize)...).Query(func(r pgx.Rows) (err error) {
		*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[ListRow])
		return err
	})
}
