// Package calendar owns the calendars — a person's, a client's, a group's, the company's — and which a viewer may
// see; the reminders on them (appointment, call and plain ones) with the call lists they carry and the worker that
// fires them; the phonebooks of the same owners; and each person's private iCalendar feed.
package calendar

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
)

// Scope is whose calendars a viewer may see: an admin every one; a co-worker their own, the company's and those of
// the clients assigned to them; a client user their own and their client's; anyone else their own; and everyone
// those of the groups they are in. Anyone also sees the reminders they are one of the people of.
type Scope struct {
	Member int64
	Admin  bool
	// Office: admins and co-workers see the company's calendar.
	Office bool
	// CoWorker adds the calendars of the clients assigned to Member.
	CoWorker bool
	// Client is a client user's client.
	Client int64
}

// ScopeFor is the scope of a viewer.
func ScopeFor(v *identity.Viewer) Scope {
	s := Scope{Member: v.MembershipID, Admin: v.Role.IsAdmin(), Office: v.Role.IsOffice(), CoWorker: v.Role == identity.RoleCoWorker}
	if v.Role == identity.RoleClient && v.ClientID != nil {
		s.Client = *v.ClientID
	}
	return s
}

// Calendar is one calendar: a person's, a client's, a group's, or the company's.
type Calendar struct {
	Kind string // "person", "client", "group" or "company"
	ID   int64
	Name string
}

// Key names the calendar in a URL or form: "person-12", "client-5", "group-3", "company".
func (c Calendar) Key() string {
	if c.Kind == "company" {
		return "company"
	}
	return c.Kind + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseKey reads a Key; ok is false for anything else.
func ParseKey(key string) (c Calendar, ok bool) {
	if key == "company" {
		return Calendar{Kind: "company"}, true
	}
	kind, id, found := strings.Cut(key, "-")
	n, err := strconv.ParseInt(id, 10, 64)
	if !found || err != nil || n <= 0 || (kind != "person" && kind != "client" && kind != "group") {
		return Calendar{}, false
	}
	return Calendar{Kind: kind, ID: n}, true
}

// seesSQL is the condition, on the company $1 and a viewer whose scope is $2 (member), $3 (admin), $4 (office),
// $5 (co-worker) and $6 (client), that they may see the calendar (or phonebook) of person p, client c or group g
// (all null: the company's).
const seesSQL = `($3::boolean
	or %[1]s = $2::bigint
	or ($4::boolean and %[1]s is null and %[2]s is null and %[3]s is null)
	or ($5::boolean and exists (select from client_coworkers cc where cc.company_id = $1 and cc.client_id = %[2]s and cc.membership_id = $2::bigint))
	or (%[2]s = $6::bigint)
	or exists (select from group_members gm where gm.company_id = $1 and gm.group_id = %[3]s and gm.membership_id = $2::bigint))`

func (s Scope) args() []any { return []any{s.Member, s.Admin, s.Office, s.CoWorker, s.Client} }

// sees is seesSQL for the columns (or values) person, client and group.
func sees(person, client, group string) string { return fmt.Sprintf(seesSQL, person, client, group) }

// rowSees is sees for a row r with the owner columns membership_id, client_id and group_id.
var rowSees = sees("r.membership_id", "r.client_id", "r.group_id")

// ownerOf checks, in tx, that the viewer may see the calendar or phonebook with key and that its owner is the
// company's (an active person, a client, a group), and returns the owner columns. ErrNotFound otherwise.
func ownerOf(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, key string) (person, client, group *int64, err error) {
	c, ok := ParseKey(key)
	if !ok {
		return nil, nil, nil, apperr.ErrNotFound
	}
	switch c.Kind {
	case "person":
		person = &c.ID
	case "client":
		client = &c.ID
	case "group":
		group = &c.ID
	}
	var visible bool
	if err := tx.QueryRow(ctx, `select coalesce(`+sees("$7::bigint", "$8::bigint", "$9::bigint")+`, false)
		  and ($7::bigint is null or exists (select from memberships m where m.company_id = $1 and m.id = $7 and m.active))
		  and ($8::bigint is null or exists (select from clients c where c.company_id = $1 and c.id = $8))
		  and ($9::bigint is null or exists (select from groups g where g.company_id = $1 and g.id = $9))`,
		append(append([]any{companyID}, s.args()...), person, client, group)...).Scan(&visible); err != nil {
		return nil, nil, nil, fmt.Errorf("calendar: owner: %w", err)
	}
	if !visible {
		return nil, nil, nil, apperr.ErrNotFound
	}
	return person, client, group, nil
}

// QueueCalendars adds the calendars the viewer may see: their own first, then the company's, then other people's,
// clients' and groups' by name.
func QueueCalendars(b *pgx.Batch, companyID int64, s Scope, cals *[]Calendar) {
	b.Queue(`
		select kind, id, name from (
		    select 'person' as kind, m.id, case when m.id = $2 then 'Mine' else a.name end as name, case when m.id = $2 then 0 else 2 end as ord
		      from memberships m join accounts a on a.id = m.account_id
		     where m.company_id = $1 and m.active and m.role in ('admin', 'co-worker', 'subcontractor', 'client', 'guest')
		       and (m.id = $2 or ($3::boolean and m.role in ('admin', 'co-worker', 'subcontractor')))
		    union all
		    select 'company', 0, 'Company', 1 where $4::boolean
		    union all
		    select 'client', c.id, c.name, 3 from clients c
		     where c.company_id = $1 and `+sees("null::bigint", "c.id", "null::bigint")+`
		    union all
		    select 'group', g.id, g.name, 4 from groups g
		     where g.company_id = $1 and `+sees("null::bigint", "null::bigint", "g.id")+`) cals
		 order by ord, name, id
		 limit 500`, append([]any{companyID}, s.args()...)...).Query(func(rows pgx.Rows) (err error) {
		*cals, err = pgx.CollectRows(rows, pgx.RowToStructByName[Calendar])
		return err
	})
}

// ownerColumns is the Key of a row r's owner, and ownerName its name, with ownerJoins.
const (
	ownerColumns = `case when r.membership_id is not null then 'person-' || r.membership_id
	                     when r.client_id is not null then 'client-' || r.client_id
	                     when r.group_id is not null then 'group-' || r.group_id else 'company' end`
	ownerName  = `coalesce(a.name, c.name, g.name, 'Company')`
	ownerJoins = `
	  left join memberships m on m.company_id = r.company_id and m.id = r.membership_id
	  left join accounts a on a.id = m.account_id
	  left join clients c on c.company_id = r.company_id and c.id = r.client_id
	  left join groups g on g.company_id = r.company_id and g.id = r.group_id`
)

// owners splits calendars into the arrays ownedBy compares with.
func owners(cals []Calendar) (persons, clients, groups []int64, company bool) {
	for _, c := range cals {
		switch c.Kind {
		case "person":
			persons = append(persons, c.ID)
		case "client":
			clients = append(clients, c.ID)
		case "group":
			groups = append(groups, c.ID)
		case "company":
			company = true
		}
	}
	return persons, clients, groups, company
}

// ownedBy is the condition that row r belongs to one of the calendars owners returned, passed as $n (persons), $n+1
// (clients), $n+2 (groups) and $n+3 (the company's).
func ownedBy(n int) string {
	return fmt.Sprintf(`(r.membership_id = any($%[1]d) or r.client_id = any($%[2]d) or r.group_id = any($%[3]d)
		or ($%[4]d::boolean and r.membership_id is null and r.client_id is null and r.group_id is null))`, n, n+1, n+2, n+3)
}

// MaxDrawn is how many calendars one view draws at most.
const MaxDrawn = 20

// Choose reads the calendars asked for by key (a form's ?cal=), at most MaxDrawn, keys that are none dropped; with
// none asked for, the viewer's own and, for the office, the company's. What they hold is read under the viewer's
// scopes, so a key of a calendar the viewer may not see brings nothing they may not see anyway.
func Choose(keys []string, v *identity.Viewer) []Calendar {
	if len(keys) == 0 {
		keys = []string{"person-" + strconv.FormatInt(v.MembershipID, 10)}
		if v.Role.IsOffice() {
			keys = append(keys, "company")
		}
	}
	var cals []Calendar
	for _, key := range keys {
		if c, ok := ParseKey(key); ok && len(cals) < MaxDrawn {
			cals = append(cals, c)
		}
	}
	return cals
}

// QueueVisitsOn adds the visits in v's scope of jobs on the calendars cals over span: a person's visits, the
// company's unassigned ones, a client's jobs' visits (a group's calendar holds reminders only).
func QueueVisitsOn(b *pgx.Batch, v *identity.Viewer, cals []Calendar, span jobs.Day, visits *[]jobs.TodayVisit) {
	persons, clients, _, company := owners(cals)
	jobs.QueueCalendarVisits(b, v.CompanyID, jobs.ScopeFor(v), span, persons, company, clients, visits)
}
