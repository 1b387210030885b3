package identity

import (
	"errors"
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
	// Memberships counts the account's active memberships: more than one offers the company switcher.
	Memberships int
	// TimeZone is the company's (Settings): what "today" means for its lists.
	TimeZone string
}

// Location is the company's time zone, UTC when the stored name is unknown.
func (v *Viewer) Location() *time.Location {
	if loc, err := time.LoadLocation(v.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// QueueViewer adds the session check to b: when the batch runs, *v is filled if the membership is still active
// and its session version is still version; otherwise ErrNotFound comes back and the session must end.
func QueueViewer(b *pgx.Batch, companyID, membershipID int64, version int, v *Viewer) {
	b.Queue(`
		select m.account_id, m.id as membership_id, m.company_id, m.role, a.name, a.email::text as email,
		       c.name as company_name, c.time_zone,
		       (select count(*) from account_memberships(m.account_id))::int as memberships
		  from memberships m
		  join accounts a on a.id = m.account_id
		  join companies c on c.id = m.company_id
		 where m.company_id = $1 and m.id = $2 and m.active and m.session_version = $3`,
		companyID, membershipID, version).Query(func(rows pgx.Rows) (err error) {
		*v, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Viewer])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}
