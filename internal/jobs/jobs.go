// Package jobs owns jobs and everything on them: numbering, workflow status, Defer commission, subjobs and recall
// links, visits, time & parts lines, messages, files and the History of every change. Who may see a job is
// decided here (Scope), in every query.
package jobs

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Job is one job as its page shows it.
type Job struct {
	ID                int64
	Number            int64
	ClientID          int64
	ClientName        string
	BillingClientID   int64
	BillingClientName string
	SiteID            *int64
	SiteName          string
	// Address is the site's address, or the free address typed for a job without a site.
	Address      string
	Title        string
	Description  string
	Status       Status
	DeferredFrom *Status
	ParentID     *int64
	ParentNumber *int64
	RecallOf     *int64
	RecallNumber *int64
	Source       string
	// Seen: the office has opened this job (it matters for jobs raised in the portal).
	Seen      bool
	CreatedAt time.Time
}

// Ref is "J-1001", the number as people say it.
func Ref(number int64) string { return "J-" + strconv.FormatInt(number, 10) }

// Scope is which of the company's jobs a viewer may see and work on: admins all; a co-worker those of the clients
// assigned to them and any job with a visit assigned to them; a subcontractor only jobs with a visit assigned to
// them; a client user (Job Share Plus) the jobs where their client is the client or the billing client
// (DESIGN.md).
// The zero Scope sees nothing.
type Scope struct {
	// All is every job of the company: an admin's.
	All bool
	// Member adds the jobs with a visit assigned to this membership (a co-worker's or subcontractor's own).
	Member int64
	// Clients adds the jobs of the clients assigned to Member.
	Clients bool
	// Client adds the jobs of this client (as client or billing client): a client user's.
	Client int64
}

// Everything is the scope of an admin, and of the operator's own tools (seeding, bench data).
var Everything = Scope{All: true}

// args are the scope's three parameters, in the order scopeSQL and clientScopeSQL number them. In SQL the
// member parameter carries All as 0 (the condition then holds for every row); no membership has id 0 or -1, so
// -1 matches no visit.
func (s Scope) args() []any { return []any{s.memberParam(), s.Clients, s.Client} }

func (s Scope) memberParam() int64 {
	switch {
	case s.All:
		return 0
	case s.Member == 0:
		return -1
	}
	return s.Member
}

// ScopeFor is the scope of a viewer.
func ScopeFor(v *identity.Viewer) Scope {
	switch v.Role {
	case identity.RoleAdmin:
		return Everything
	case identity.RoleCoWorker:
		return Scope{Member: v.MembershipID, Clients: true}
	case identity.RoleSubcontractor:
		return Scope{Member: v.MembershipID}
	case identity.RoleClient:
		if v.ClientID != nil {
			return Scope{Client: *v.ClientID}
		}
	}
	return Scope{}
}

// scopeSQL is the condition on a jobs row aliased j for a scope passed as parameters $n, $n+1 and $n+2
// (Scope.args).
func scopeSQL(n int) string {
	return fmt.Sprintf(`($%[1]d::bigint = 0
	     or ($%[2]d::boolean and exists (select from client_coworkers cc
	           where cc.company_id = j.company_id and cc.client_id = j.client_id and cc.membership_id = $%[1]d))
	     or exists (select from visits sv
	           where sv.company_id = j.company_id and sv.job_id = j.id and sv.assignee_id = $%[1]d)
	     or j.client_id = $%[3]d::bigint or j.billing_client_id = $%[3]d::bigint)`, n, n+1, n+2)
}

// scopeLiteral is scopeSQL with the scope written into the SQL rather than passed as parameters: for the list
// queries, whose plans must not hinge on a parameter that a generic plan cannot see (an admin's scope is then
// simply "true"). The values are the server's own ids, never user input.
func scopeLiteral(s Scope) string {
	switch {
	case s.All:
		return "true"
	case s.Client != 0:
		return fmt.Sprintf("(j.client_id = %[1]d or j.billing_client_id = %[1]d)", s.Client)
	case s.Member == 0:
		return "false"
	}
	return fmt.Sprintf(`((%[2]t and exists (select from client_coworkers cc
	           where cc.company_id = j.company_id and cc.client_id = j.client_id and cc.membership_id = %[1]d))
	     or exists (select from visits sv
	           where sv.company_id = j.company_id and sv.job_id = j.id and sv.assignee_id = %[1]d))`, s.Member, s.Clients)
}

// clientScopeSQL is the condition on a clients row aliased c: the clients a viewer may add jobs for; parameters
// as scopeSQL.
func clientScopeSQL(n int) string {
	return fmt.Sprintf(`($%[1]d::bigint = 0
	     or ($%[2]d::boolean and exists (select from client_coworkers cc
	           where cc.company_id = c.company_id and cc.client_id = c.id and cc.membership_id = $%[1]d))
	     or c.id = $%[3]d::bigint)`, n, n+1, n+2)
}

// Actor is who makes a change, for History.
type Actor struct {
	MembershipID int64
	Name         string
}

// ActorOf is the viewer as an actor.
func ActorOf(v *identity.Viewer) Actor { return Actor{MembershipID: v.MembershipID, Name: v.Name} }

const jobColumns = `
	j.id, j.number, j.client_id, c.name as client_name, j.billing_client_id, bc.name as billing_client_name,
	j.site_id, coalesce(s.name, '') as site_name, coalesce(s.address, j.address) as address,
	j.title, j.description, j.status, j.deferred_from, j.parent_id, pj.number as parent_number,
	j.recall_of, rj.number as recall_number, j.source, j.seen_at is not null as seen, j.created_at`

const jobJoins = `
	  from jobs j
	  join clients c on c.company_id = j.company_id and c.id = j.client_id
	  join clients bc on bc.company_id = j.company_id and bc.id = j.billing_client_id
	  left join sites s on s.company_id = j.company_id and s.id = j.site_id
	  left join jobs pj on pj.company_id = j.company_id and pj.id = j.parent_id
	  left join jobs rj on rj.company_id = j.company_id and rj.id = j.recall_of`

// QueueGet adds the job to b: *j is filled, or ErrNotFound comes back when it is not the company's or not in
// scope.
func QueueGet(b *pgx.Batch, companyID int64, scope Scope, id int64, job *Job) {
	b.Queue(`select `+jobColumns+jobJoins+`
		 where j.company_id = $1 and j.id = $2 and `+scopeSQL(3),
		append([]any{companyID, id}, scope.args()...)...).Query(func(rows pgx.Rows) (err error) {
		*job, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Job])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// Related is a job linked to another (a subjob, a recall), with its sale total.
type Related struct {
	ID         int64
	Number     int64
	Title      string
	Status     Status
	TotalCents int64
}

const relatedColumns = `j.id, j.number, j.title, j.status,
	coalesce((select sum(round(l.quantity_milli * l.unit_price_cents / 1000.0))::bigint from job_lines l
	           where l.company_id = j.company_id and l.job_id = j.id), 0)::bigint as total_cents`

// QueueSubjobs adds the job's subjobs that scope may see, oldest first, each with its sale total.
func QueueSubjobs(b *pgx.Batch, companyID int64, scope Scope, jobID int64, subjobs *[]Related) {
	b.Queue(`select `+relatedColumns+` from jobs j where j.company_id = $1 and j.parent_id = $2 and `+scopeSQL(3)+` order by j.id`,
		append([]any{companyID, jobID}, scope.args()...)...).Query(func(rows pgx.Rows) (err error) {
		*subjobs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Related])
		return err
	})
}

// QueueRecalls adds the recall jobs linked to the job (it is their original) that scope may see, oldest first.
func QueueRecalls(b *pgx.Batch, companyID int64, scope Scope, jobID int64, recalls *[]Related) {
	b.Queue(`select `+relatedColumns+` from jobs j where j.company_id = $1 and j.recall_of = $2 and `+scopeSQL(3)+` order by j.id`,
		append([]any{companyID, jobID}, scope.args()...)...).Query(func(rows pgx.Rows) (err error) {
		*recalls, err = pgx.CollectRows(rows, pgx.RowToStructByName[Related])
		return err
	})
}
