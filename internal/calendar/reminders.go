package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/input"
	"fieldops/internal/jobs"
)

// Kind is a reminder's type, as the seed names them.
type Kind string

// The kinds of reminder.
const (
	KindAppointment Kind = "appointment"
	KindCall        Kind = "call"
	KindReminder    Kind = "reminder"
)

// Kinds lists every kind, in the order the form offers them.
var Kinds = []Kind{KindAppointment, KindCall, KindReminder}

// Label is the kind as the product names it.
func (k Kind) Label() string {
	switch k {
	case KindAppointment:
		return "Appointment reminder"
	case KindCall:
		return "Call reminder"
	}
	return "Reminder"
}

// Reminder is one reminder on a calendar.
type Reminder struct {
	ID       int64
	Kind     Kind
	Title    string
	StartsAt time.Time
	EndsAt   time.Time
	AllDay   bool
	Notes    string
	// Calendar is whose calendar it is on (its Key).
	Calendar     string
	CalendarName string
	// CanDelete: the viewer may see its calendar or made it (one of its people only reads it).
	CanDelete bool
	People    []Person `db:"-"`
	Calls     []Call   `db:"-"`
}

// Form is what the New reminder form sends: times are local to the company's time zone, as date and time inputs
// send them. Calls is a typed call list (a call reminder's "Call to").
type Form struct {
	Kind     Kind
	Title    string
	Date     string
	Start    string
	End      string
	AllDay   bool
	Notes    string
	Calendar string
	People   []int64
	Calls    string
	// Contacts are phonebook entries picked into a call reminder's "Call to".
	Contacts []int64
}

// MaxNotes bounds a reminder's notes.
const MaxNotes = 2000

// times reads the form's day and times in loc: the whole day when AllDay, else Start to End on that day.
func (f Form) times(loc *time.Location, v *apperr.ValidationError) (start, end time.Time) {
	day, ok := input.ParseDate(f.Date)
	if !ok {
		v.Add("date", "Pick a date from the calendar.")
		return
	}
	if f.AllDay {
		return jobs.StartOfDay(day.Year(), day.Month(), day.Day(), loc), jobs.StartOfDay(day.Year(), day.Month(), day.Day()+1, loc)
	}
	at := func(field, clock, missing string) (time.Time, bool) {
		clock = strings.TrimSpace(clock)
		if clock == "" {
			v.Add(field, missing)
			return time.Time{}, false
		}
		t, err := time.Parse("15:04", clock)
		if err != nil {
			v.Add(field, "Enter a time, like 09:30.")
			return time.Time{}, false
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc), true
	}
	start, okStart := at("start", f.Start, "Enter when it starts, or tick All day.")
	end, okEnd := at("end", f.End, "Enter when it ends, or tick All day.")
	if okStart && okEnd && !end.After(start) {
		v.Add("end", "It must end after it starts.")
	}
	return start, end
}

// Create adds a reminder to a calendar the viewer may see, with its people and, for a call reminder, its call list
// (read for region, the company's country). Bad input is a ValidationError in words, nothing saved; a calendar or
// a person the viewer may not see — a forged request — is ErrNotFound.
func Create(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, f Form, loc *time.Location, region string) (int64, error) {
	c, err := check(ctx, tx, companyID, s, f, loc, region)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into reminders (company_id, kind, title, starts_at, ends_at, all_day, notes, membership_id, client_id, group_id, created_by, fired_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, case when $4 <= now() then now() end) returning id`, // one for a time gone by is not announced
		companyID, c.form.Kind, c.form.Title, c.start, c.end, c.form.AllDay, c.form.Notes, c.person, c.client, c.group, db.NullID(s.Member)).Scan(&id); err != nil {
		return 0, fmt.Errorf("calendar: create: %w", err)
	}
	return id, c.keep(ctx, tx, companyID, s, id)
}

// Update rewrites a reminder the viewer may delete (deletableSQL) from the form, as Create checks it. Moved to
// another time, it fires again at the new one (at once not, when that time is gone by). Of its people, those the
// viewer may not pick stay on it untouched; the others become those ticked. ErrNotFound for anyone else's.
func Update(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64, f Form, loc *time.Location, region string) error {
	c, err := check(ctx, tx, companyID, s, f, loc, region)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		update reminders r set kind = $8, title = $9, starts_at = $10, ends_at = $11, all_day = $12, notes = $13,
		       membership_id = $14, client_id = $15, group_id = $16,
		       fired_at = case when r.starts_at = $10 then r.fired_at when $10 <= now() then now() end
		 where r.company_id = $1 and r.id = $7 and `+deletableSQL,
		append(append([]any{companyID}, s.args()...), id, c.form.Kind, c.form.Title, c.start, c.end, c.form.AllDay, c.form.Notes, c.person, c.client, c.group)...)
	if err != nil {
		return fmt.Errorf("calendar: update: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	if _, err := tx.Exec(ctx, `
		delete from reminder_people rp using memberships m
		 where rp.company_id = $1 and rp.reminder_id = $7 and m.company_id = $1 and m.id = rp.membership_id and `+peopleSQL,
		append(append([]any{companyID}, s.args()...), id)...); err != nil {
		return fmt.Errorf("calendar: update: people: %w", err)
	}
	if _, err := tx.Exec(ctx, `delete from reminder_calls where company_id = $1 and reminder_id = $2`, companyID, id); err != nil {
		return fmt.Errorf("calendar: update: call list: %w", err)
	}
	return c.keep(ctx, tx, companyID, s, id)
}

// checkedForm is a reminder form that passed check: its times, its whole call list and whose calendar it is on.
type checkedForm struct {
	form                  Form
	start, end            time.Time
	calls                 []Call
	person, client, group any
}

// check reads and checks a reminder form: bad input is a ValidationError in words; a calendar or a contact the viewer
// may not see is ErrNotFound.
func check(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, f Form, loc *time.Location, region string) (checkedForm, error) {
	v := &apperr.ValidationError{}
	if !slices.Contains(Kinds, f.Kind) {
		v.Add("kind", "Choose the kind of reminder.")
	}
	f.Title, f.Notes = oneLine(f.Title), strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(f.Notes, "\r\n", "\n"), "\r", "\n"))
	switch {
	case f.Title == "":
		v.Add("title", "Give the reminder a title.")
	case utf8.RuneCountInString(f.Title) > 200:
		v.Add("title", "Use at most 200 characters.")
	}
	if utf8.RuneCountInString(f.Notes) > MaxNotes {
		v.Add("notes", fmt.Sprintf("Use at most %d characters.", MaxNotes))
	}
	c := checkedForm{form: f}
	c.start, c.end = f.times(loc, v)
	if f.Kind == KindCall {
		var err error
		if c.calls, err = ParseCallList(f.Calls, region); err != nil {
			v.Add("calls", err.Error())
		} else if len(c.calls) == 0 && len(f.Contacts) == 0 {
			v.Add("calls", "Add whom to call: pick from the phonebook, or type a name and a number, like "+CallListExample+".")
		}
	}
	if _, ok := ParseKey(f.Calendar); !ok {
		v.Add("calendar", "Choose a calendar from the list.")
	}
	if err := v.Err(); err != nil {
		return c, err
	}
	if f.Kind == KindCall {
		fromBook, err := picked(ctx, tx, companyID, s, f.Contacts)
		if err != nil {
			return c, err
		}
		c.calls = append(fromBook, c.calls...)
		if len(c.calls) > MaxCalls {
			return c, apperr.FieldError("calls", fmt.Sprintf("Put at most %d people in one call list.", MaxCalls))
		}
	}
	var err error
	c.person, c.client, c.group, err = ownerOf(ctx, tx, companyID, s, f.Calendar)
	return c, err
}

// keep stores a checked form's people and call list on reminder id.
func (c checkedForm) keep(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64) error {
	if err := addPeople(ctx, tx, companyID, s, id, c.form.People); err != nil {
		return err
	}
	for i, call := range c.calls {
		if _, err := tx.Exec(ctx, `insert into reminder_calls (company_id, reminder_id, position, name, phone) values ($1, $2, $3, $4, $5)`,
			companyID, id, i, call.Name, call.Phone); err != nil {
			return fmt.Errorf("calendar: call list: %w", err)
		}
	}
	return nil
}

// FormOf is the form that edits r, its times in loc: its call list typed out (phonebook picks were copied onto it).
func FormOf(r Reminder, loc *time.Location) Form {
	s, e := r.StartsAt.In(loc), r.EndsAt.In(loc)
	f := Form{Kind: r.Kind, Title: r.Title, Date: s.Format("2006-01-02"), AllDay: r.AllDay, Notes: r.Notes, Calendar: r.Calendar}
	if !r.AllDay {
		f.Start, f.End = s.Format("15:04"), e.Format("15:04")
	}
	for _, p := range r.People {
		f.People = append(f.People, p.MembershipID)
	}
	calls := make([]string, len(r.Calls))
	for i, c := range r.Calls {
		calls[i] = c.Name + " " + c.Phone
	}
	f.Calls = strings.Join(calls, "; ")
	return f
}

// peopleSQL is the condition that membership m may be put on a reminder by the viewer ($1 company, $2…$6 scope):
// themselves; for the office, its staff; the client users of the clients whose calendars they see, and those
// users' guests; and the members of the groups they are in, with the client users and guests of those groups'
// clients. QueuePeople offers exactly these, and addPeople takes
// no one else.
var peopleSQL = `m.active and (m.id = $2::bigint
	or ($4::boolean and m.role in ('admin', 'co-worker', 'subcontractor'))
	or (m.client_id is not null and ` + sees("null::bigint", "m.client_id", "null::bigint") + `)
	or (m.host_id is not null and exists (select from memberships h where h.company_id = $1 and h.id = m.host_id
	      and h.client_id is not null and ` + sees("null::bigint", "h.client_id", "null::bigint") + `))
	or exists (select from group_members gm join group_members mine on mine.company_id = gm.company_id and mine.group_id = gm.group_id
	      where gm.company_id = $1 and gm.membership_id = m.id and mine.membership_id = $2::bigint)
	or exists (select from group_members mine join groups g on g.company_id = mine.company_id and g.id = mine.group_id
	      where mine.company_id = $1 and mine.membership_id = $2::bigint and g.client_id is not null
	        and (m.client_id = g.client_id or exists (select from memberships h where h.company_id = $1 and h.id = m.host_id and h.client_id = g.client_id))))`

// addPeople adds the people a reminder tells (peopleSQL); anyone else is a forged request: ErrNotFound.
func addPeople(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, reminderID int64, people []int64) error {
	people = slices.Compact(slices.Sorted(slices.Values(people)))
	if len(people) == 0 {
		return nil
	}
	tag, err := tx.Exec(ctx, `
		insert into reminder_people (company_id, reminder_id, membership_id)
		select $1, $7, m.id from memberships m where m.company_id = $1 and m.id = any($8) and `+peopleSQL,
		append(append([]any{companyID}, s.args()...), reminderID, people)...)
	if err != nil {
		return fmt.Errorf("calendar: people: %w", err)
	}
	if int(tag.RowsAffected()) != len(people) {
		return apperr.ErrNotFound
	}
	return nil
}

// deletableSQL is the condition that the viewer may delete reminder r: they see its calendar or made it.
var deletableSQL = `(` + rowSees + ` or r.created_by = $2::bigint)`

// reminderSQL selects Reminder rows of reminders r (the viewer's scope in $2…$6).
var reminderSQL = `
	select r.id, r.kind, r.title, r.starts_at, r.ends_at, r.all_day, r.notes, ` + ownerColumns + ` as calendar, ` + ownerName + ` as calendar_name,
	       coalesce(` + deletableSQL + `, false) as can_delete
	  from reminders r` + ownerJoins

// visibleSQL is the condition that the viewer ($2…$6) may see reminder r: its calendar, or they are one of its
// people.
var visibleSQL = `(` + rowSees + ` or exists (select from reminder_people rp
	where rp.company_id = r.company_id and rp.reminder_id = r.id and rp.membership_id = $2::bigint))`

// QueueBetween adds the reminders the viewer may see on the calendars cals that overlap [from, to), by start (at most
// 2,000). A reminder the viewer is one of the people of shows on their own calendar.
func QueueBetween(b *pgx.Batch, companyID int64, s Scope, cals []Calendar, from, to time.Time, out *[]Reminder) {
	persons, clients, groups, company := owners(cals)
	b.Queue(reminderSQL+`
		 where r.company_id = $1 and r.starts_at < $8 and r.ends_at > $7 and r.starts_at >= $7::timestamptz - interval '31 days'
		   and `+visibleSQL+`
		   and (`+ownedBy(9)+`
		        or ($2::bigint = any($9) and exists (select from reminder_people rp
		              where rp.company_id = r.company_id and rp.reminder_id = r.id and rp.membership_id = $2::bigint)))
		 order by r.starts_at, r.id
		 limit 2000`, append(append([]any{companyID}, s.args()...), from, to, persons, clients, groups, company)...).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Reminder])
		return err
	})
}

// QueueOne adds one reminder the viewer may see, with its people and call list; ErrNotFound otherwise.
func QueueOne(b *pgx.Batch, companyID int64, s Scope, id int64, r *Reminder) {
	args := append(append([]any{companyID}, s.args()...), id)
	b.Queue(reminderSQL+` where r.company_id = $1 and r.id = $7 and `+visibleSQL, args...).Query(func(rows pgx.Rows) (err error) {
		*r, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Reminder])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
	b.Queue(`select m.id as membership_id, a.name from reminder_people rp join memberships m on m.company_id = rp.company_id and m.id = rp.membership_id
		  join accounts a on a.id = m.account_id
		 where rp.company_id = $1 and rp.reminder_id = $2 order by a.name`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		r.People, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
		return err
	})
	b.Queue(`select name, phone from reminder_calls where company_id = $1 and reminder_id = $2 order by position`, companyID, id).
		Query(func(rows pgx.Rows) (err error) {
			r.Calls, err = pgx.CollectRows(rows, pgx.RowToStructByName[Call])
			return err
		})
}

// Delete removes a reminder: its creator, or anyone who may see its calendar. ErrNotFound otherwise.
func Delete(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64) error {
	tag, err := tx.Exec(ctx, `delete from reminders r where r.company_id = $1 and r.id = $7
		   and `+deletableSQL, append(append([]any{companyID}, s.args()...), id)...)
	if err != nil {
		return fmt.Errorf("calendar: delete: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Person is someone a reminder may notify.
type Person struct {
	MembershipID int64
	Name         string
}

// QueuePeople adds whom the viewer may put on a reminder (peopleSQL), by name.
func QueuePeople(b *pgx.Batch, companyID int64, s Scope, people *[]Person) {
	b.Queue(`select m.id as membership_id, a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and `+peopleSQL+` order by a.name, m.id limit 500`, append([]any{companyID}, s.args()...)...).
		Query(func(rows pgx.Rows) (err error) {
			*people, err = pgx.CollectRows(rows, pgx.RowToStructByName[Person])
			return err
		})
}

// oneLine is a title as one line: line breaks (a forged request's) become spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
