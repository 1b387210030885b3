package cowork

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"fieldops/internal/apperr"
	"fieldops/internal/calendar"
	"fieldops/internal/jobs"
)

// CalendarPage is the calendar: a month, week or day of the chosen calendars' visits and reminders.
type CalendarPage struct {
	Period        // from a Monday for a week and for a month's grid
	View   string // "month", "week" or "day"
	// Month is the month a month view is of.
	Month time.Time
	// Calendars are those the viewer may see; Chosen the keys drawn, each in its own colour.
	Calendars []calendar.Calendar
	Chosen    []string
	Visits    []jobs.TodayVisit
	Reminders []calendar.Reminder
	Notice    string
	// FeedSince is when the viewer's private feed link was made; nil for none.
	FeedSince *time.Time
}

// Item is one thing on a day: a visit or a reminder, in the colour of its calendar.
type Item struct {
	When   string // "09:00", or "All day"
	Label  string
	URL    string
	Kind   string // the reminder's kind, or "Visit"
	Colour int
}

// colour is the colour of the calendar with key: its place among the chosen, cycling through seven; grey (7) when
// it is not drawn.
func (p CalendarPage) colour(key string) int {
	if i := slices.Index(p.Chosen, key); i >= 0 {
		return i % 7
	}
	return 7
}

// Items is what day d holds, by time: reminders (all-day ones first) and visits.
func (p CalendarPage) Items(d time.Time) []Item {
	end := nextDay(d, p.Location)
	var items []Item
	for _, r := range p.Reminders {
		if !r.StartsAt.Before(end) || !r.EndsAt.After(d) {
			continue
		}
		when := "All day"
		if !r.AllDay {
			when = r.StartsAt.In(p.Location).Format("15:04")
		}
		items = append(items, Item{When: when, Label: r.Title, URL: "/calendar/reminders/" + strconv.FormatInt(r.ID, 10),
			Kind: r.Kind.Label(), Colour: p.colour(r.Calendar)})
	}
	for _, v := range p.Visits {
		if v.StartsAt == nil || !v.StartsAt.Before(end) || v.StartsAt.Before(d) {
			continue
		}
		key := "company" // an unassigned visit; an assigned one whose person is not drawn (shown for a client) is grey
		if v.AssigneeID != 0 {
			key = "person-" + strconv.FormatInt(v.AssigneeID, 10)
		}
		label := v.Ref() + " " + v.JobTitle
		if v.AssigneeName != "" {
			label += " · " + v.AssigneeName
		}
		items = append(items, Item{When: v.StartsAt.In(p.Location).Format("15:04"), Label: label,
			URL: "/jobs/" + strconv.FormatInt(v.JobID, 10), Kind: "Visit", Colour: p.colour(key)})
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		switch {
		case a.When == b.When:
			return 0
		case a.When == "All day":
			return -1
		case b.When == "All day":
			return 1
		case a.When < b.When:
			return -1
		}
		return 1
	})
	return items
}

// URL is this calendar page with view and date changed.
func (p CalendarPage) URL(view string, date time.Time) string {
	q := url.Values{"view": {view}, "date": {date.Format("2006-01-02")}, "cal": p.Chosen}
	return "/calendar?" + q.Encode()
}

// NewReminderURL is the New reminder form for day d, on the first chosen calendar.
func (p CalendarPage) NewReminderURL(d time.Time) string {
	q := url.Values{"date": {d.Format("2006-01-02")}}
	if len(p.Chosen) > 0 {
		q.Set("cal", p.Chosen[0])
	}
	return "/calendar/reminders/new?" + q.Encode()
}

// Prev and Next move by the view's length.
func (p CalendarPage) Prev() string { return p.URL(p.View, p.step(-1)) }
func (p CalendarPage) Next() string { return p.URL(p.View, p.step(1)) }

func (p CalendarPage) step(n int) time.Time {
	switch p.View {
	case "month":
		return p.Month.AddDate(0, n, 0)
	case "day":
		return p.Start.AddDate(0, 0, n)
	}
	return p.Start.AddDate(0, 0, 7*n)
}

// Title names what is drawn: "November 2026", "Week of Mon 23 Nov 2026", "Thu 26 Nov 2026".
func (p CalendarPage) Title() string {
	switch p.View {
	case "month":
		return p.Month.Format("January 2006")
	case "day":
		return p.Start.Format("Mon 2 Jan 2006")
	}
	return "Week of " + p.Start.Format("Mon 2 Jan 2006")
}

func (p CalendarPage) chosen(key string) bool { return slices.Contains(p.Chosen, key) }

func (p CalendarPage) inMonth(d time.Time) bool { return d.Month() == p.Month.Month() }

// ReminderFormPage is the New reminder form, or the Edit reminder form of reminder ID.
type ReminderFormPage struct {
	ID        int64
	Form      calendar.Form
	Calendars []calendar.Calendar
	People    []calendar.Person
	// Contacts are the phonebook entries a call reminder can pick (those with a number).
	Contacts []calendar.Contact
	Country  string
	Location *time.Location
	Errors   *apperr.ValidationError
}

func (p ReminderFormPage) action() string {
	if p.ID != 0 {
		return "/calendar/reminders/" + strconv.FormatInt(p.ID, 10)
	}
	return "/calendar/reminders"
}

func (p ReminderFormPage) cancel() string {
	if p.ID != 0 {
		return "/calendar/reminders/" + strconv.FormatInt(p.ID, 10)
	}
	return "/calendar"
}

func (p ReminderFormPage) hasPerson(id int64) bool { return slices.Contains(p.Form.People, id) }

func (p ReminderFormPage) hasContact(id int64) bool { return slices.Contains(p.Form.Contacts, id) }

// ReminderPage is one reminder.
type ReminderPage struct {
	Reminder calendar.Reminder
	Location *time.Location
	Country  string
}

// When is the reminder's time in words: "Thu 26 Nov 2026, 09:00–10:00", or "Thu 26 Nov 2026, all day".
func (p ReminderPage) When() string {
	s, e := p.Reminder.StartsAt.In(p.Location), p.Reminder.EndsAt.In(p.Location)
	if p.Reminder.AllDay {
		return s.Format("Mon 2 Jan 2006") + ", all day"
	}
	return s.Format("Mon 2 Jan 2006, 15:04") + "–" + e.Format("15:04")
}
