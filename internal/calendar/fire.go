package calendar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db"
	"fieldops/internal/notify"
)

// Firer tells each reminder's people when its time comes, once: in the app (a Calendar notification) and by email
// when their notification settings ask for it (the digest). It runs inside `fieldops serve`; several instances
// share the work. A reminder due while no server ran fires at the next start.
type Firer struct {
	DB    *db.DB
	Log   *slog.Logger
	Every time.Duration // how often to look for due reminders (15 s)
}

// Run fires due reminders every Every until ctx ends.
func (f *Firer) Run(ctx context.Context) {
	if f.Every == 0 {
		f.Every = 15 * time.Second
	}
	tick := time.NewTicker(f.Every)
	defer tick.Stop()
	for {
		if n, err := f.Once(ctx); err != nil && ctx.Err() == nil {
			f.Log.Error("reminders", "err", err, "fired", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Once fires every reminder due now and returns how many it fired.
func (f *Firer) Once(ctx context.Context) (int, error) {
	rows, _ := f.DB.Pool.Query(ctx, `select company_id, id from reminders_due(500)`)
	type due struct{ CompanyID, ID int64 }
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[due])
	if err != nil {
		return 0, fmt.Errorf("calendar: reminders due: %w", err)
	}
	fired := 0
	var errs []error
	for _, d := range list {
		err := f.DB.InCompany(ctx, d.CompanyID, func(tx pgx.Tx) error {
			ok, err := fire(ctx, tx, d.CompanyID, d.ID)
			if ok {
				fired++
			}
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("company %d, reminder %d: %w", d.CompanyID, d.ID, err))
		}
	}
	return fired, errors.Join(errs...)
}

// fire claims the reminder (fired_at, so another instance, or a second pass, finds it taken) and notifies its
// people in the same transaction: the owner of a person's calendar, the people on it, and the admins with Push on
// for its client's or group's Calendar. It reports whether it fired.
func fire(ctx context.Context, tx pgx.Tx, companyID, id int64) (bool, error) {
	var kind Kind
	var title, zone string
	var start time.Time
	var allDay bool
	var owner, client, group *int64
	err := tx.QueryRow(ctx, `
		update reminders r set fired_at = now()
		  from companies c
		 where r.company_id = $1 and r.id = $2 and r.fired_at is null and c.id = r.company_id
		returning r.kind, r.title, r.starts_at, r.all_day, r.membership_id, r.client_id, r.group_id, c.time_zone`, companyID, id).
		Scan(&kind, &title, &start, &allDay, &owner, &client, &group, &zone)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // fired already
	}
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	rows, _ := tx.Query(ctx, `select membership_id from reminder_people where company_id = $1 and reminder_id = $2`, companyID, id)
	to, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return false, fmt.Errorf("people: %w", err)
	}
	if owner != nil {
		to = append(to, *owner)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	when := start.In(loc).Format("Mon 2 Jan 15:04")
	if allDay {
		when = start.In(loc).Format("Mon 2 Jan") + ", all day"
	}
	e := notify.Event{Area: notify.AreaCalendar, Title: kind.Label() + ": " + title + " · " + when,
		Link: "/calendar/reminders/" + strconv.FormatInt(id, 10), Actor: "Calendar", To: to}
	if client != nil {
		e.ClientID = *client
	}
	if group != nil {
		e.GroupID = *group
	}
	_, err = notify.Participants(ctx, tx, companyID, e)
	return true, err
}
