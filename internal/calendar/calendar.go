// Package calendar owns reminders — appointment, call and plain ones, on a person's, a client's or the company's
// calendar — the call lists they carry, and which calendars a viewer may see.
package calendar

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/identity"
)

// Scope is whose calendars a viewer may see: an admin every one; a co-worker their own, the company's and those of
// the clients assigned to them; a client user their own and their client's; anyone else their own. Anyone also sees
// the reminders they are one of the people of.
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

// Calendar is one calendar: a person's, a client's, or the company's.
type Calendar struct {
	Kind string // "person", "client" or "company"
	ID   int64
	Name string
}

// Key names the calendar in a URL or form: "person-12", "client-5", "company".
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
	if !found || err != nil || n <= 0 || (kind != "person" && kind != "client") {
		return Calendar{}, false
	}
	return Calendar{Kind: kind, ID: n}, true
}

// seesSQL is the condition, on the company $1 and a viewer whose scope is $2 (member), $3 (admin), $4 (office),
// $5 (co-worker) and $6 (client), that they may see the calendar of person p and client c (both null: the company's).
const seesSQL = `($3::boolean
	or %[1]s = $2::bigint
	or ($4::boolean and %[1]s is null and %[2]s is null)
	or ($5::boolean and exists (select from client_coworkers cc where cc.company_id = $1 and cc.client_id = %[2]s and cc.membership_id = $2::bigint))
	or (%[2]s = $6::bigint))`

func (s Scope) args() []any { return []any{s.Member, s.Admin, s.Office, s.CoWorker, s.Client} }

// sees is seesSQL for the columns person and client.
func sees(person, client string) string { return fmt.Sprintf(seesSQL, person, client) }

// QueueCalendars adds the calendars the viewer may see: their own first, then the company's, then other people's
// and clients' by name.
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
		     where c.company_id = $1 and `+sees("null::bigint", "c.id")+`) cals
		 order by ord, name, id
		 limit 500`, append([]any{companyID}, s.args()...)...).Query(func(rows pgx.Rows) (err error) {
		*cals, err = pgx.CollectRows(rows, pgx.RowToStructByName[Calendar])
		return err
	})
}
