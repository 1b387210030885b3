// Package tasks owns tasks (the co-working seed): the requester, the people Added to a task, its client or group,
// its comments. The seed's rules live here, in every query: who may see a task, who may be added, and that a task
// made without a client never gets the client's people.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
	"fieldops/internal/input"
)

// Scope is who is looking: an admin sees every task, anyone else the tasks they are on.
type Scope struct {
	Member int64
	All    bool
}

// ScopeFor is the viewer's scope.
func ScopeFor(v *identity.Viewer) Scope { return Scope{Member: v.MembershipID, All: v.Role.IsAdmin()} }

// visibleSQL is the condition on a tasks row t for the scope passed as parameters $n (All) and $n+1 (Member), the
// company being $1 (named so, not through t, so that a generic plan still finds task_people_member_idx).
func visibleSQL(n int) string {
	return fmt.Sprintf(`($%d::bool or exists (select from task_people tp
		where tp.company_id = $1 and tp.task_id = t.id and tp.membership_id = $%d))`, n, n+1)
}

// Actor is who does something to a task.
type Actor struct {
	MembershipID int64
	Name         string
}

// Status is where a task stands.
type Status string

// The statuses.
const (
	StatusOpen Status = "open"
	StatusDone Status = "done"
)

// Task is one task as its page shows it.
type Task struct {
	ID            int64
	Title         string
	Description   string
	ClientID      int64 // 0: none
	ClientName    string
	GroupID       int64 // 0: none
	GroupName     string
	JobID         int64 // 0: none
	DueOn         *time.Time
	Status        Status
	RequesterID   int64
	RequesterName string
	CreatedAt     time.Time
}

// Person is someone on a task.
type Person struct {
	MembershipID int64
	Name         string
	Role         identity.Role
	Requester    bool
}

// Comment is one comment on a task.
type Comment struct {
	ID         int64
	AuthorName string
	Body       string
	CreatedAt  time.Time
}

// Form is what the new-task form sends, as typed.
type Form struct {
	Title       string
	Description string
	Due         string // YYYY-MM-DD, or empty
	ClientID    int64
	GroupID     int64
	JobID       int64
}

// MaxComment bounds a comment.
const MaxComment = 5000

// Create makes a task whose requester is by, and puts on it the requester and, for a group's task, the group's
// active people; the task's client is the one chosen, or the group's. A ValidationError for what was typed;
// ErrNotFound for a client, group or job that is not the company's.
func Create(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, f Form) (int64, error) {
	f.Title, f.Description, f.Due = strings.TrimSpace(f.Title), strings.TrimSpace(f.Description), strings.TrimSpace(f.Due)
	v := &apperr.ValidationError{}
	switch {
	case f.Title == "":
		v.Add("title", "Give the task a title, like “Replace the lobby lights”.")
	case utf8.RuneCountInString(f.Title) > 200:
		v.Add("title", "Use at most 200 characters.")
	}
	if utf8.RuneCountInString(f.Description) > 10000 {
		v.Add("description", "Use at most 10000 characters.")
	}
	var due *time.Time
	if f.Due != "" {
		d, ok := input.ParseDate(f.Due)
		if !ok {
			v.Add("due", "Pick a date from the calendar, or leave it empty.")
		} else {
			due = &d
		}
	}
	if f.ClientID != 0 && f.GroupID != 0 {
		v.Add("client_id", "Choose a client or a group, not both: a group's client is the task's client.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	client := f.ClientID
	if f.GroupID != 0 {
		// A group the requester belongs to, or any group for an admin.
		var c *int64
		err := tx.QueryRow(ctx, `
			select g.client_id from groups g
			 where g.company_id = $1 and g.id = $2
			   and (exists (select from memberships m where m.company_id = $1 and m.id = $3 and m.role = 'admin')
			        or exists (select from group_members gm where gm.company_id = $1 and gm.group_id = g.id and gm.membership_id = $3))`,
			companyID, f.GroupID, by.MembershipID).Scan(&c)
		if err != nil {
			return 0, errors.Join(err, apperr.ErrNotFound)
		}
		if c != nil {
			client = *c
		}
	} else if client != 0 {
		// A client the requester may see: any for an admin, their assigned ones for a co-worker, their own for a
		// client user.
		var ok bool
		err := tx.QueryRow(ctx, `
			select exists (select from clients c where c.company_id = $1 and c.id = $2
			   and (exists (select from memberships m where m.company_id = $1 and m.id = $3
			                 and (m.role = 'admin' or (m.role = 'client' and m.client_id = c.id)))
			        or exists (select from client_coworkers cc where cc.company_id = $1 and cc.client_id = c.id and cc.membership_id = $3)))`,
			companyID, client, by.MembershipID).Scan(&ok)
		if err != nil || !ok {
			return 0, errors.Join(err, apperr.ErrNotFound)
		}
	}
	if f.JobID != 0 {
		// A task's job is one of its client's: no one reaches another client's job through a task.
		var ok bool
		err := tx.QueryRow(ctx, `select exists (select from jobs where company_id = $1 and id = $2 and client_id = $3)`,
			companyID, f.JobID, client).Scan(&ok)
		if err != nil || !ok {
			return 0, errors.Join(err, apperr.ErrNotFound)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into tasks (company_id, title, description, client_id, group_id, job_id, due_on, requester_id)
		values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
		companyID, f.Title, f.Description, db.NullID(client), db.NullID(f.GroupID), db.NullID(f.JobID), due, by.MembershipID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("tasks: create: %w", err)
	}
	_, err = tx.Exec(ctx, `
		insert into task_people (company_id, task_id, membership_id, added_by)
		select $1, $2, m.id, $3 from memberships m
		 where m.company_id = $1 and m.active
		   and (m.id = $3 or exists (select from group_members gm where gm.company_id = $1 and gm.group_id = $4 and gm.membership_id = m.id))`,
		companyID, id, by.MembershipID, f.GroupID)
	if err != nil {
		return 0, fmt.Errorf("tasks: create: %w", err)
	}
	return id, nil
}

// lock reads the task for a change by someone in scope: ErrNotFound when it is not theirs to see.
func lock(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64) (Task, error) {
	var t Task
	var client *int64
	err := tx.QueryRow(ctx, `
		select t.id, t.title, t.client_id, t.status, t.requester_id from tasks t
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		   for update`, companyID, s.All, s.Member, id).Scan(&t.ID, &t.Title, &client, &t.Status, &t.RequesterID)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, apperr.ErrNotFound
	}
	if client != nil {
		t.ClientID = *client
	}
	return t, err
}

// AddComment adds a comment by someone who can see the task and returns its id.
func AddComment(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, by Actor, taskID int64, body string) (int64, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return 0, apperr.FieldError("body", "Write the comment first.")
	case utf8.RuneCountInString(body) > MaxComment:
		return 0, apperr.FieldError("body", fmt.Sprintf("Use at most %d characters.", MaxComment))
	}
	if _, err := lock(ctx, tx, companyID, s, taskID); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into task_comments (company_id, task_id, author_id, author_name, body) values ($1, $2, $3, $4, $5) returning id`,
		companyID, taskID, db.NullID(by.MembershipID), by.Name, body).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("tasks: comment: %w", err)
	}
	return id, nil
}

// SetStatus marks the task open or done.
func SetStatus(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, taskID int64, st Status) error {
	if st != StatusOpen && st != StatusDone {
		return apperr.FieldError("status", "Choose open or done.")
	}
	if _, err := lock(ctx, tx, companyID, s, taskID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `update tasks set status = $3, done_at = case when $3 = 'done' then now() end where company_id = $1 and id = $2`,
		companyID, taskID, st)
	if err != nil {
		return fmt.Errorf("tasks: status: %w", err)
	}
	return nil
}

// QueueGet adds the task, its people (the requester first) and its comments from its creation on, for someone in
// scope: ErrNotFound otherwise. One batch: the task page's one round trip.
func QueueGet(b *pgx.Batch, companyID int64, s Scope, id int64, t *Task, people *[]Person, comments *[]Comment) {
	b.Queue(`
		select t.id, t.title, t.description, coalesce(t.client_id, 0) as client_id,
		       coalesce((select c.name from clients c where c.company_id = t.company_id and c.id = t.client_id), '') as client_name,
		       coalesce(t.group_id, 0) as group_id,
		       coalesce((select g.name from groups g where g.company_id = t.company_id and g.id = t.group_id), '') as group_name,
		       coalesce(t.job_id, 0) as job_id, t.due_on, t.status, t.requester_id,
		       (select a.name from memberships m join accounts a on a.id = m.account_id
		         where m.company_id = t.company_id and m.id = t.requester_id) as requester_name,
		       t.created_at
		  from tasks t
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2), companyID, s.All, s.Member, id).Query(func(rows pgx.Rows) (err error) {
		*t, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Task])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
	// The people and comments of a task the viewer may see: the same condition, so nothing leaks when it fails.
	b.Queue(`
		select m.id as membership_id, a.name, m.role, m.id = t.requester_id as requester
		  from tasks t
		  join task_people tp on tp.company_id = t.company_id and tp.task_id = t.id
		  join memberships m on m.company_id = tp.company_id and m.id = tp.membership_id
		  join accounts a on a.id = m.account_id
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		 order by m.id = t.requester_id desc, a.name, m.id`, companyID, s.All, s.Member, id).Query(func(rows pgx.Rows) (err error) {
		*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
	b.Queue(`
		select c.id, c.author_name, c.body, c.created_at
		  from tasks t join task_comments c on c.company_id = t.company_id and c.task_id = t.id
		 where t.company_id = $1 and t.id = $4 and `+visibleSQL(2)+`
		 order by c.id`, companyID, s.All, s.Member, id).Query(func(rows pgx.Rows) (err error) {
		*comments, err = pgx.CollectRows(rows, pgx.RowToStructByName[Comment])
		return err
	})
}

// PageSize is how many tasks a page of the list shows.
const PageSize = 50

// ListFilter is a page of the task list: open, done or every task, and a keyset cursor (older than Before).
type ListFilter struct {
	Status Status // "" for both
	Before int64
	// Mine narrows an admin's list to the tasks they are on; Requested to those they made; Overdue to open tasks
	// due before Today; Client to one client's; Q to titles holding it.
	Mine, Requested, Overdue bool
	ClientID                 int64
	Q                        string
	Today                    time.Time
}

// Row is one task in the list.
type Row struct {
	ID            int64
	Title         string
	ClientName    string
	DueOn         *time.Time
	Status        Status
	RequesterName string
	Comments      int
}

// ListPage is one page of the list, newest first.
type ListPage struct {
	Rows []Row
	More bool
}

// QueueList adds a page of the tasks in scope: an admin's every task, anyone else's the tasks they are on. A
// person's own tasks are read from their rows of task_people, newest first (task_people_member_idx), so the page
// costs the same however many tasks the company has; an admin's whole list walks tasks by id. Only the filters in
// use are in the query: a catch-all "($n = ” or …)" gets a generic plan that sorts the whole table.
func QueueList(b *pgx.Batch, companyID int64, s Scope, f ListFilter, page *ListPage) {
	args := []any{companyID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	from, order := `tasks t`, `t.id`
	if !s.All || f.Mine {
		from = `task_people tp join tasks t on t.company_id = tp.company_id and t.id = tp.task_id
		         and tp.company_id = $1 and tp.membership_id = ` + arg(s.Member)
		order = `tp.task_id`
	}
	where := []string{`t.company_id = $1`}
	if f.Status != "" {
		where = append(where, `t.status = `+arg(string(f.Status)))
	}
	if f.Before != 0 {
		where = append(where, order+` < `+arg(f.Before))
	}
	if f.Requested {
		where = append(where, `t.requester_id = `+arg(s.Member))
	}
	if f.Overdue {
		where = append(where, `t.status = 'open' and t.due_on < `+arg(f.Today)+`::date`)
	}
	if f.ClientID != 0 {
		where = append(where, `t.client_id = `+arg(f.ClientID))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, `t.title ilike '%' || `+arg(input.EscapeLike(q))+` || '%'`)
	}
	limit := arg(PageSize + 1)
	b.Queue(`
		select t.id, t.title, coalesce(c.name, '') as client_name, t.due_on, t.status,
		       (select a.name from memberships m join accounts a on a.id = m.account_id
		         where m.company_id = $1 and m.id = t.requester_id) as requester_name,
		       (select count(*) from task_comments tc where tc.company_id = $1 and tc.task_id = t.id)::int as comments
		  from `+from+`
		  left join clients c on c.company_id = $1 and c.id = t.client_id
		 where `+strings.Join(where, " and ")+`
		 order by `+order+` desc
		 limit `+limit, args...).Query(func(rows pgx.Rows) (err error) {
		page.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByName[Row])
		if page.More = len(page.Rows) > PageSize; page.More {
			page.Rows = page.Rows[:PageSize]
		}
		return err
	})
}

// QueueForJob adds the tasks linked to the job that the viewer may see, newest first (the job page's list).
func QueueForJob(b *pgx.Batch, companyID int64, s Scope, jobID int64, rows *[]Row) {
	b.Queue(`
		select t.id, t.title, '' as client_name, t.due_on, t.status,
		       (select a.name from memberships m join accounts a on a.id = m.account_id
		         where m.company_id = t.company_id and m.id = t.requester_id) as requester_name,
		       (select count(*) from task_comments tc where tc.company_id = t.company_id and tc.task_id = t.id)::int as comments
		  from tasks t
		 where t.company_id = $1 and t.job_id = $4 and `+visibleSQL(2)+`
		 order by t.id desc
		 limit 20`, companyID, s.All, s.Member, jobID).Query(func(r pgx.Rows) (err error) {
		*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[Row])
		return err
	})
}
