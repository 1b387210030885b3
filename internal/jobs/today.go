package jobs

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// TodayVisit is a visit on the Today page: when, who, and the job it is for.
type TodayVisit struct {
	ID           int64
	JobID        int64
	JobNumber    int64
	JobTitle     string
	ClientName   string
	JobStatus    Status
	AssigneeID   int64 // 0: no one yet
	AssigneeName string
	StartsAt     *time.Time // nil: not scheduled
	EndsAt       *time.Time
	// RequestedStart and RequestedEnd are the window a client asked for in the portal, if they named one.
	RequestedStart *time.Time
	RequestedEnd   *time.Time
}

// Ref is the visit's job number as people say it.
func (v TodayVisit) Ref() string { return Ref(v.JobNumber) }

// AttentionJob is a job the Today page asks someone to look at.
type AttentionJob struct {
	ID         int64
	Number     int64
	Title      string
	ClientName string
	Status     Status
	Since      time.Time // when it was raised or last changed
}

// Ref is the job number as people say it.
func (j AttentionJob) Ref() string { return Ref(j.Number) }

// Attention is what the Today page lists under Needs attention, each list the oldest first, at most AttentionLimit.
type Attention struct {
	FromClients  []AttentionJob // raised in the portal, not yet opened in the office
	QualityCheck []AttentionJob // awaiting quality check
	Stale        []AttentionJob // in a workflow status with no change for StaleAfter
	Unscheduled  []TodayVisit   // visits of open jobs with no time yet
}

// AttentionLimit is how many jobs each list of Needs attention shows; the job list has the rest.
const AttentionLimit = 10

// StaleAfter is how long a job may sit in a workflow status before Today calls it out.
const StaleAfter = 14 * 24 * time.Hour

// todayVisitSQL selects TodayVisit rows of visits v with their job j.
const todayVisitSQL = `
		select v.id, j.id as job_id, j.number as job_number, j.title as job_title, c.name as client_name, j.status as job_status,
		       coalesce(v.assignee_id, 0) as assignee_id, coalesce(a.name, '') as assignee_name, v.starts_at, v.ends_at,
		       v.requested_start, v.requested_end
		  from visits v
		  join jobs j on j.company_id = v.company_id and j.id = v.job_id
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
		  left join accounts a on a.id = m.account_id`

// QueueTodayVisits adds the visits of day in scope, by start (at most 500): the Today timeline.
func QueueTodayVisits(b *pgx.Batch, companyID int64, scope Scope, day Day, visits *[]TodayVisit) {
	QueueVisitsBetween(b, companyID, scope, day, 500, visits)
}

// QueueVisitsBetween adds the visits in scope that overlap span, by start (at most limit): a day's timeline, a
// week's board.
func QueueVisitsBetween(b *pgx.Batch, companyID int64, scope Scope, span Day, limit int, visits *[]TodayVisit) {
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.starts_at < $3 and v.ends_at > $2
		   and v.starts_at >= $2::timestamptz - interval '1 day' -- a visit lasts at most a day (visits.MaxLength): the index's range stays short
		   and `+scopeLiteral(scope)+`
		 order by v.starts_at, v.id
		 limit $4`, companyID, span.Start, span.End, limit).Query(func(rows pgx.Rows) error {
		// Scanned by position, in todayVisitSQL's order: a busy week's board reads thousands of rows.
		out := (*visits)[:0]
		for rows.Next() {
			var v TodayVisit
			if err := rows.Scan(&v.ID, &v.JobID, &v.JobNumber, &v.JobTitle, &v.ClientName, &v.JobStatus, &v.AssigneeID,
				&v.AssigneeName, &v.StartsAt, &v.EndsAt, &v.RequestedStart, &v.RequestedEnd); err != nil {
				return err
			}
			out = append(out, v)
		}
		*visits = out
		return rows.Err()
	})
}

// QueueCalendarVisits adds the visits in scope that overlap span and belong to the calendars asked for: those
// assigned to one of persons, the unassigned ones (the company's calendar), and those of the jobs of clients; by
// start, at most 2,000.
func QueueCalendarVisits(b *pgx.Batch, companyID int64, scope Scope, span Day, persons []int64, unassigned bool, clients []int64, visits *[]TodayVisit) {
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.starts_at < $3 and v.ends_at > $2
		   and v.starts_at >= $2::timestamptz - interval '1 day' -- a visit lasts at most a day (visits.MaxLength)
		   and (v.assignee_id = any($4) or ($5::boolean and v.assignee_id is null) or j.client_id = any($6))
		   and `+scopeLiteral(scope)+`
		 order by v.starts_at, v.id
		 limit 2000`, companyID, span.Start, span.End, persons, unassigned, clients).Query(func(rows pgx.Rows) (err error) {
		*visits, err = pgx.CollectRows(rows, pgx.RowToStructByName[TodayVisit])
		return err
	})
}

// QueueUnscheduledVisits adds visits in scope of open jobs with no time yet, oldest first (at most limit).
func QueueUnscheduledVisits(b *pgx.Batch, companyID int64, scope Scope, limit int, visits *[]TodayVisit) {
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.starts_at is null and j.status not in ('completed', 'deferred') -- visits_unscheduled_idx
		   and `+scopeLiteral(scope)+`
		 order by v.id
		 limit $2`, companyID, limit).Query(func(rows pgx.Rows) (err error) {
		*visits, err = pgx.CollectRows(rows, pgx.RowToStructByName[TodayVisit])
		return err
	})
}

// QueueAttention adds what needs attention in scope at now: jobs from clients not yet opened, jobs awaiting
// quality check, jobs with no change for StaleAfter, visits of open jobs with no time.
func QueueAttention(b *pgx.Batch, companyID int64, scope Scope, now time.Time, a *Attention) {
	// Each list: $1 the company, $2 how many; cond may use $3, given as more. The scope is tested row by row
	// (scopeLiteral) on the rows the list's index gives in order: a few rows for the first ten.
	jobsWhere := func(cond, since, order string, into *[]AttentionJob, more ...any) {
		b.Queue(`
			select j.id, j.number, j.title, c.name as client_name, j.status, `+since+` as since
			  from jobs j join clients c on c.company_id = j.company_id and c.id = j.client_id
			 where j.company_id = $1 and `+cond+` and `+scopeLiteral(scope)+`
			 order by `+order+`
			 limit $2`, append([]any{companyID, AttentionLimit}, more...)...).Query(func(rows pgx.Rows) (err error) {
			*into, err = pgx.CollectRows(rows, pgx.RowToStructByName[AttentionJob])
			return err
		})
	}
	jobsWhere(`j.seen_at is null`, `j.created_at`, `j.id`, &a.FromClients)                            // jobs_unseen_idx
	jobsWhere(`j.status = 'awaiting-quality-check'`, `j.updated_at`, `j.updated_at`, &a.QualityCheck) // jobs_quality_check_idx
	jobsWhere(`j.status in ('open-dispatch', 'in-progress', 'awaiting-billing', 'awaiting-payment') and j.updated_at < $3`,
		`j.updated_at`, `j.updated_at`, &a.Stale, now.Add(-StaleAfter)) // jobs_stale_idx
	QueueUnscheduledVisits(b, companyID, scope, AttentionLimit, &a.Unscheduled)
}

// ClientMessage is a note visible to the client on one of their jobs, for the portal's Today.
type ClientMessage struct {
	JobID      int64
	JobNumber  int64
	JobTitle   string
	AuthorName string
	Body       string
	CreatedAt  time.Time
}

// Ref is the message's job number as people say it.
func (m ClientMessage) Ref() string { return Ref(m.JobNumber) }

// ClientToday is a client user's Today: their open jobs with the next visit and who is coming, the jobs waiting on
// them (awaiting their payment), and — with View messages — the latest notes they may see.
type ClientToday struct {
	Open     []ListRow
	Waiting  []AttentionJob
	Messages []ClientMessage
}

// QueueClientToday adds a client user's Today for scope (a client's: Scope.Client), at now; messages only when
// withMessages (the View messages permission).
func QueueClientToday(b *pgx.Batch, companyID int64, scope Scope, now time.Time, withMessages bool, t *ClientToday) {
	mine := `(` + scopeJobs(scope) + `) mine`
	b.Queue(`
		select j.id, j.number, j.title, c.name as client_name, coalesce(s.name, '') as site_name, j.status,
		       nv.starts_at as next_visit_at, a.name as next_visit_who, 0 as visit_count
		  from `+mine+`
		  join jobs j on j.company_id = $1 and j.id = mine.id
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join sites s on s.company_id = j.company_id and s.id = j.site_id
		  left join lateral (
		        select v.starts_at, v.assignee_id from visits v
		         where v.company_id = j.company_id and v.job_id = j.id and v.ends_at > $2
		         order by v.starts_at limit 1) nv on true
		  left join memberships m on m.company_id = j.company_id and m.id = nv.assignee_id
		  left join accounts a on a.id = m.account_id
		 where mine.status not in ('completed', 'awaiting-payment')
		 order by nv.starts_at nulls last, j.id desc
		 limit 20`, companyID, now).Query(func(rows pgx.Rows) (err error) {
		t.Open, err = pgx.CollectRows(rows, pgx.RowToStructByName[ListRow])
		return err
	})
	b.Queue(`
		select j.id, j.number, j.title, c.name as client_name, j.status, j.updated_at as since
		  from `+mine+`
		  join jobs j on j.company_id = $1 and j.id = mine.id
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		 where mine.status = 'awaiting-payment'
		 order by j.updated_at, j.id
		 limit $2`, companyID, AttentionLimit).Query(func(rows pgx.Rows) (err error) {
		t.Waiting, err = pgx.CollectRows(rows, pgx.RowToStructByName[AttentionJob])
		return err
	})
	if !withMessages {
		return
	}
	b.Queue(`
		select j.id as job_id, j.number as job_number, j.title as job_title, jm.author_name, jm.body, jm.created_at
		  from `+mine+`
		  join jobs j on j.company_id = $1 and j.id = mine.id
		  join lateral (select * from job_messages jm
		         where jm.company_id = $1 and jm.job_id = j.id and jm.visible_to_client
		         order by jm.id desc limit 5) jm on true
		 order by jm.id desc
		 limit 5`, companyID).Query(func(rows pgx.Rows) (err error) {
		t.Messages, err = pgx.CollectRows(rows, pgx.RowToStructByName[ClientMessage])
		return err
	})
}

// QueueUpcomingVisits adds member's own visits within days, by start (at most 100): a subcontractor's coming week.
func QueueUpcomingVisits(b *pgx.Batch, companyID, member int64, days Day, visits *[]TodayVisit) {
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.assignee_id = $2 and v.starts_at >= $3 and v.starts_at < $4
		 order by v.starts_at, v.id
		 limit 100`, companyID, member, days.Start, days.End).Query(func(rows pgx.Rows) (err error) {
		*visits, err = pgx.CollectRows(rows, pgx.RowToStructByName[TodayVisit])
		return err
	})
}
