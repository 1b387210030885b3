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
		       coalesce(v.assignee_id, 0) as assignee_id, coalesce(a.name, '') as assignee_name, v.starts_at, v.ends_at
		  from visits v
		  join jobs j on j.company_id = v.company_id and j.id = v.job_id
		  join clients c on c.company_id = j.company_id and c.id = j.client_id
		  left join memberships m on m.company_id = v.company_id and m.id = v.assignee_id
		  left join accounts a on a.id = m.account_id`

// QueueTodayVisits adds the visits of day in scope, by start (at most 500): the Today timeline.
func QueueTodayVisits(b *pgx.Batch, companyID int64, scope Scope, day Day, visits *[]TodayVisit) {
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.starts_at < $3 and v.ends_at > $2
		   and v.starts_at >= $2::timestamptz - interval '1 day' -- a visit lasts at most MaxVisit: the index's range stays short
		   and `+scopeLiteral(scope)+`
		 order by v.starts_at, v.id
		 limit 500`, companyID, day.Start, day.End).Query(func(rows pgx.Rows) (err error) {
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
	jobsWhere(`j.source = 'portal' and j.seen_at is null`, `j.created_at`, `j.id`, &a.FromClients)    // jobs_from_clients_idx
	jobsWhere(`j.status = 'awaiting-quality-check'`, `j.updated_at`, `j.updated_at`, &a.QualityCheck) // jobs_quality_check_idx
	jobsWhere(`j.status in ('open-dispatch', 'in-progress', 'awaiting-billing', 'awaiting-payment') and j.updated_at < $3`,
		`j.updated_at`, `j.updated_at`, &a.Stale, now.Add(-StaleAfter)) // jobs_stale_idx
	b.Queue(todayVisitSQL+`
		 where v.company_id = $1 and v.starts_at is null and j.status not in ('completed', 'deferred') -- visits_unscheduled_idx
		   and `+scopeLiteral(scope)+`
		 order by v.id
		 limit $2`, companyID, AttentionLimit).Query(func(rows pgx.Rows) (err error) {
		a.Unscheduled, err = pgx.CollectRows(rows, pgx.RowToStructByName[TodayVisit])
		return err
	})
}
