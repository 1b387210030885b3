// Package notify owns notifications: what happened that a person should know of, written in the transaction of
// the event; the counters in the nav; Push on, an admin's subscription to one client's activity in one area; each
// person's settings (in-app only, or an email digest too); and the digest emails.
package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
)

// Area is the part of the app a notification belongs to, with its counter in the nav.
type Area string

// The areas. Jobs is the portal's activity (a client user's new job, edit, visit or line); Tasks, Calendar and
// Chat get their events as those areas are built.
const (
	AreaJobs     Area = "jobs"
	AreaTasks    Area = "tasks"
	AreaCalendar Area = "calendar"
	AreaChat     Area = "chat"
)

// Areas lists every area, in the order pages show them.
var Areas = []Area{AreaJobs, AreaTasks, AreaCalendar, AreaChat}

// Label is the area as the nav names it.
func (a Area) Label() string {
	switch a {
	case AreaJobs:
		return "Jobs"
	case AreaTasks:
		return "Tasks"
	case AreaCalendar:
		return "Calendar"
	case AreaChat:
		return "Chat"
	}
	return string(a)
}

// ParseArea reads an area from a form; false for anything not listed.
func ParseArea(s string) (Area, bool) {
	for _, a := range Areas {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}

// Event is something that happened in a client's or a group's work: who did it, what (a line in words) and where
// to see it.
type Event struct {
	Area     Area
	ClientID int64
	GroupID  int64 // for GroupActivity
	ActorID  int64 // the membership that did it: never notified of their own doing
	Actor    string
	Title    string
	Link     string // a path on this site
	// To are the people taking part (a task's people, a chat's members), notified whatever their Push on.
	To []int64
	// Collapse: someone with an unread notification of the same link is not told again (a busy chat room is one
	// notification until it is read).
	Collapse bool
}

// ClientActivity notifies, in tx, everyone who follows a client's work in the event's area: the people taking
// part (e.To), the co-workers assigned to the client, and the admins who turned Push on for that client and area.
// Admins without Push on get nothing (the seed: "By default Admin is not getting any push notifications or
// counters"); nobody is told of their own doing, nor is a deactivated person. It returns how many were notified.
func ClientActivity(ctx context.Context, tx pgx.Tx, companyID int64, e Event) (int, error) {
	if e.ClientID == 0 {
		return 0, fmt.Errorf("notify: a client event needs a client")
	}
	return insert(ctx, tx, companyID, e, `(m.role = 'co-worker' and exists (select from client_coworkers cc
		where cc.company_id = $1 and cc.client_id = $3 and cc.membership_id = m.id))`)
}

// GroupActivity notifies, in tx, everyone who follows a group's work in the event's area: the people taking part
// (e.To), the group's active members, and the admins who turned Push on for the group and area — never the actor.
func GroupActivity(ctx context.Context, tx pgx.Tx, companyID int64, e Event) (int, error) {
	if e.GroupID == 0 {
		return 0, fmt.Errorf("notify: a group event needs a group")
	}
	return insert(ctx, tx, companyID, e, `exists (select from group_members gm
		where gm.company_id = $1 and gm.group_id = $4 and gm.membership_id = m.id)`)
}

// Participants notifies, in tx, only the people taking part (e.To) and the admins who turned Push on for the event's
// client or group in its area — never the actor, nor a deactivated person: for work only its participants may see
// (a task), where the client's other co-workers must not learn of it.
func Participants(ctx context.Context, tx pgx.Tx, companyID int64, e Event) (int, error) {
	return insert(ctx, tx, companyID, e, `false`)
}

// insert writes the event's notification for every active member but the actor who takes part (e.To), follows it
// by Push on (admins, for its client or group and area), or matches followers, an SQL condition on memberships m
// over the same parameters ($1 company, $3 client, $4 group). A group's event takes the group's client.
func insert(ctx context.Context, tx pgx.Tx, companyID int64, e Event, followers string) (int, error) {
	if e.Title == "" || e.Link == "" {
		return 0, fmt.Errorf("notify: an event needs a title and a link")
	}
	tag, err := tx.Exec(ctx, `
		insert into notifications (company_id, membership_id, area, client_id, group_id, title, link, actor_name)
		select $1, m.id, $2,
		       coalesce($3, (select g.client_id from groups g where g.company_id = $1 and g.id = $4)), $4,
		       left($5, 300), $6, left($7, 200)
		  from memberships m
		 where m.company_id = $1 and m.active and m.id <> $8
		   and not ($10 and exists (select from notifications n
		             where n.company_id = $1 and n.membership_id = m.id and n.area = $2 and n.read_at is null and n.link = $6))
		   and (m.id = any($9)
		        or (m.role = 'admin' and exists (select from push_subscriptions p
		             where p.company_id = $1 and p.area = $2 and p.membership_id = m.id
		               and (p.client_id = $3 or p.group_id = $4)))
		        or `+followers+`)`,
		companyID, e.Area, db.NullID(e.ClientID), db.NullID(e.GroupID), e.Title, e.Link, e.Actor, e.ActorID, e.To, e.Collapse)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Notification is one, as the Notifications page lists it.
type Notification struct {
	ID         int64
	Area       Area
	Title      string
	Link       string
	ActorName  string
	ClientName string
	CreatedAt  time.Time
	Read       bool
}

// PageSize is how many notifications a page lists.
const PageSize = 50

// Page is one page of a person's notifications, newest first.
type Page struct {
	Rows []Notification
	More bool // older ones follow
}

// QueueList adds a page of the person's notifications older than before (0: the newest).
func QueueList(b *pgx.Batch, companyID, membershipID, before int64, page *Page) {
	b.Queue(`
		select n.id, n.area, n.title, n.link, n.actor_name,
		       coalesce((select c.name from clients c where c.company_id = n.company_id and c.id = n.client_id), '') as client_name,
		       n.created_at, n.read_at is not null as read
		  from notifications n
		 where n.company_id = $1 and n.membership_id = $2 and ($3::bigint = 0 or n.id < $3)
		 order by n.id desc
		 limit $4`, companyID, membershipID, before, PageSize+1).Query(func(rows pgx.Rows) (err error) {
		page.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByName[Notification])
		if page.More = len(page.Rows) > PageSize; page.More {
			page.Rows = page.Rows[:PageSize]
		}
		return err
	})
}

// Open marks one of the person's notifications read and returns where it points. ErrNotFound for anyone else's.
func Open(ctx context.Context, tx pgx.Tx, companyID, membershipID, id int64) (string, error) {
	var link string
	err := tx.QueryRow(ctx, `
		update notifications set read_at = coalesce(read_at, now())
		 where company_id = $1 and membership_id = $2 and id = $3
		returning link`, companyID, membershipID, id).Scan(&link)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("notify: open: %w", err)
	}
	return link, nil
}

// MarkAllRead marks every unread notification of the person read and returns how many.
func MarkAllRead(ctx context.Context, tx pgx.Tx, companyID, membershipID int64) (int, error) {
	tag, err := tx.Exec(ctx, `
		update notifications set read_at = now()
		 where company_id = $1 and membership_id = $2 and read_at is null`, companyID, membershipID)
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
