package identity

import (
	"errors"
	"sync"
	"time"
	_ "time/tzdata" // time zones work on machines without the system database

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Viewer is the person behind a request, in the company they are acting in.
type Viewer struct {
	AccountID    int64
	MembershipID int64
	CompanyID    int64
	Role         Role
	Name         string
	Email        string
	CompanyName  string
	// Memberships counts the account's active memberships: more than one offers the company switcher. Counted at
	// login (a definer function's cross-company read is too dear for every request), so it is not a column here.
	Memberships int `db:"-"`
	// TimeZone is the company's (Settings): what "today" means for its lists.
	TimeZone string
	// ClientID is a client user's client (Job Share Plus); nil for staff.
	ClientID *int64
	// ClientName is that client's name, for the portal's header.
	ClientName string
	// Portal permissions of a client user; "View all jobs" is always on.
	Perms Permissions `db:"-"`
	// FromClients counts jobs raised or answered in the portal that the office has not opened yet (the badge on Jobs; admins
	// only, since it counts the whole company).
	FromClients int
	// Unverified: the company's admin has not yet verified the sign-up's email, so it emails only its admins.
	Unverified bool
	// Suspended is why the operator suspended the company ("" when not): nothing of it is sent.
	Suspended string
	// Unread counts the person's unread notifications by area: the nav's counters, read with the viewer so no page
	// pays a round trip for them.
	Unread Unread `db:"-"`
}

// Unread is a person's unread notifications, by area.
type Unread struct {
	Jobs, Tasks, Calendar, Chat int
}

// Total is every unread notification.
func (u Unread) Total() int { return u.Jobs + u.Tasks + u.Calendar + u.Chat }

// Permissions are what a client user may do in the portal beyond seeing their client's jobs.
type Permissions struct {
	AddEdit      bool // Add and edit jobs
	ViewMessages bool // View messages
	ViewPrices   bool // View sale price
}

// Location is the company's time zone, UTC when the stored name is unknown.
func (v *Viewer) Location() *time.Location { return Zone(v.TimeZone) }

var zones sync.Map // zone name → *time.Location

// Zone is the time zone named name, UTC when the name is unknown. Zones are loaded once per process: loading one
// parses the embedded database, which is too slow for every request.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, loc)
	return loc
}

// QueueViewer adds the session check to b: when the batch runs, *v is filled if the membership is still active
// and its session version is still version (and, for a guest, their host is still active); otherwise ErrNotFound
// comes back and the session must end.
func QueueViewer(b *pgx.Batch, companyID, membershipID int64, version int, v *Viewer) {
	b.Queue(`
		select m.account_id, m.id as membership_id, m.company_id, m.role, a.name, a.email::text as email,
		       c.name as company_name, c.time_zone, m.client_id,
		       coalesce((select cl.name from clients cl where cl.company_id = m.company_id and cl.id = m.client_id), '') as client_name,
		       m.perm_add_edit, m.perm_view_messages, m.perm_view_prices,
		       case when m.role = 'admin' then
		           (select count(*) from jobs fj where fj.company_id = m.company_id and fj.seen_at is null)::int
		       else 0 end as from_clients,
		       c.verified_at is null as unverified,
		       case when c.suspended_at is null then '' else coalesce(nullif(c.suspended_reason, ''), 'no reason was given') end as suspended,
		       u.jobs as unread_jobs, u.tasks as unread_tasks, u.calendar as unread_calendar, u.chat as unread_chat
		  from memberships m
		  join accounts a on a.id = m.account_id
		  join companies c on c.id = m.company_id
		  cross join lateral (
		      select count(*) filter (where n.area = 'jobs')::int as jobs, count(*) filter (where n.area = 'tasks')::int as tasks,
		             count(*) filter (where n.area = 'calendar')::int as calendar, count(*) filter (where n.area = 'chat')::int as chat
		        from notifications n
		       where n.company_id = m.company_id and n.membership_id = m.id and n.read_at is null) u
		 where m.company_id = $1 and m.id = $2 and m.active and m.session_version = $3
		   and (m.host_id is null
		        or exists (select from memberships h where h.company_id = m.company_id and h.id = m.host_id and h.active))`,
		companyID, membershipID, version).Query(func(rows pgx.Rows) (err error) {
		type row struct {
			Viewer
			PermAddEdit, PermViewMessages, PermViewPrices       bool
			UnreadJobs, UnreadTasks, UnreadCalendar, UnreadChat int
		}
		var r row
		r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[row])
		*v = r.Viewer
		v.Perms = Permissions{AddEdit: r.PermAddEdit, ViewMessages: r.PermViewMessages, ViewPrices: r.PermViewPrices}
		v.Unread = Unread{Jobs: r.UnreadJobs, Tasks: r.UnreadTasks, Calendar: r.UnreadCalendar, Chat: r.UnreadChat}
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}
