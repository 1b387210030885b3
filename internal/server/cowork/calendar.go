package cowork

import (
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/calendar"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	coworkview "fieldops/templates/cowork"
)

// Calendar answers GET /calendar: a month, week (the default) or day around ?date= of the calendars ticked (?cal=;
// the viewer's own and, for the office, the company's by default) — their reminders and the visits on them — in one
// Read. Calendars the viewer may not see are dropped.
func (h *Handlers) Calendar(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	loc, now := v.Location(), h.Now()
	q := r.URL.Query()
	p := coworkview.CalendarPage{Period: coworkview.Period{Location: loc, Now: now}, View: q.Get("view"), Notice: h.Notice(r)}
	day, ok := parseDate(q.Get("date"), loc)
	if !ok {
		day = jobs.Today(now, loc).Start
	}
	switch p.View {
	case "month":
		p.Month = jobs.StartOfDay(day.Year(), day.Month(), 1, loc)
		p.Start = monday(p.Month)
		last := p.Month.AddDate(0, 1, -1)
		p.Days = (int(last.Sub(p.Start).Hours()/24+0.5)/7 + 1) * 7
	case "day":
		p.Start, p.Days = day, 1
	default:
		p.View, p.Start, p.Days = "week", monday(day), 7
	}
	s := calendar.ScopeFor(v)
	drawn := calendar.Choose(q["cal"], v)
	span := p.Span()
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		calendar.QueueCalendars(b, v.CompanyID, s, &p.Calendars)
		calendar.QueueHasFeed(b, v.CompanyID, v.MembershipID, &p.FeedSince)
		calendar.QueueBetween(b, v.CompanyID, s, drawn, span.Start, span.End, &p.Reminders)
		calendar.QueueVisitsOn(b, v, drawn, span, &p.Visits)
	})
	for _, c := range p.Calendars { // the drawn ones the viewer may see, in the list's order: their colours
		if slices.ContainsFunc(drawn, func(d calendar.Calendar) bool { return d.Key() == c.Key() }) {
			p.Chosen = append(p.Chosen, c.Key())
		}
	}
	h.Render(w, r, err, coworkview.Calendar(h.Chrome(r, "Calendar"), p))
}

// NewReminder answers GET /calendar/reminders/new?date=&cal=: the form, on that day and calendar.
func (h *Handlers) NewReminder(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showReminderForm(w, r, 0, calendar.Form{Kind: calendar.KindReminder, Date: q.Get("date"), Calendar: q.Get("cal")}, nil)
}

// EditReminder answers GET /calendar/reminders/{id}/edit: the form filled from the reminder, for those who may
// delete it (its creator, or who sees its calendar); 404 for anyone else.
func (h *Handlers) EditReminder(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	h.showReminderForm(w, r, id, calendar.Form{}, nil)
}

// showReminderForm shows the New reminder form with f, or with id the Edit reminder form — filled from the
// reminder unless f comes back refused (formErr).
func (h *Handlers) showReminderForm(w http.ResponseWriter, r *http.Request, id int64, f calendar.Form, formErr error) {
	v := page.ViewerOf(r)
	s := calendar.ScopeFor(v)
	p := coworkview.ReminderFormPage{ID: id, Form: f, Location: v.Location(), Errors: page.Validation(formErr)}
	var set settings.Settings
	var old calendar.Reminder
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		if id != 0 {
			calendar.QueueOne(b, v.CompanyID, s, id, &old)
		}
		calendar.QueueCalendars(b, v.CompanyID, s, &p.Calendars)
		calendar.QueuePeople(b, v.CompanyID, s, &p.People)
		calendar.QueueContacts(b, v.CompanyID, s, "", "", &p.Contacts)
	})
	p.Country = set.Country
	title := "New reminder"
	if id != 0 {
		title = "Edit reminder"
		if err == nil && !old.CanDelete {
			err = apperr.ErrNotFound
		}
		if formErr == nil {
			p.Form = calendar.FormOf(old, p.Location)
		}
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, coworkview.ReminderForm(h.Chrome(r, title), p))
}

// CreateReminder answers POST /calendar/reminders.
func (h *Handlers) CreateReminder(w http.ResponseWriter, r *http.Request) {
	h.saveReminder(w, r, 0)
}

// UpdateReminder answers POST /calendar/reminders/{id}.
func (h *Handlers) UpdateReminder(w http.ResponseWriter, r *http.Request) {
	if id, ok := h.PathID(w, r, "id"); ok {
		h.saveReminder(w, r, id)
	}
}

// saveReminder creates a reminder from the posted form, or with id rewrites that one; refused input comes back on
// the form, in words, nothing saved.
func (h *Handlers) saveReminder(w http.ResponseWriter, r *http.Request, id int64) {
	v := page.ViewerOf(r)
	f := calendar.Form{Kind: calendar.Kind(r.PostFormValue("kind")), Title: r.PostFormValue("title"), Date: r.PostFormValue("date"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), AllDay: r.PostFormValue("all_day") != "",
		Notes: r.PostFormValue("notes"), Calendar: r.PostFormValue("calendar"), People: page.TickedIDs(r, "people"), Calls: r.PostFormValue("calls"),
		Contacts: page.TickedIDs(r, "contacts")}
	err := h.inCompanyWithCountry(r, func(tx pgx.Tx, country string) error {
		s := calendar.ScopeFor(v)
		if id != 0 {
			return calendar.Update(r.Context(), tx, v.CompanyID, s, id, f, v.Location(), country)
		}
		_, err := calendar.Create(r.Context(), tx, v.CompanyID, s, f, v.Location(), country)
		return err
	})
	if page.RefusedInWords(err) {
		h.showReminderForm(w, r, id, f, err)
		return
	}
	h.Done(w, r, err, "/calendar?view=week&date="+f.Date+"&cal="+f.Calendar, f.Kind.Label()+" saved.")
}

// Reminder answers GET /calendar/reminders/{id}.
func (h *Handlers) Reminder(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := coworkview.ReminderPage{Location: v.Location()}
	var set settings.Settings
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		calendar.QueueOne(b, v.CompanyID, calendar.ScopeFor(v), id, &p.Reminder)
	})
	p.Country = set.Country
	h.Render(w, r, err, coworkview.Reminder(h.Chrome(r, p.Reminder.Title), p))
}

// DeleteReminder answers POST /calendar/reminders/{id}/delete.
func (h *Handlers) DeleteReminder(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return calendar.Delete(r.Context(), tx, v.CompanyID, calendar.ScopeFor(v), id)
	})
	h.Done(w, r, err, "/calendar", "Reminder deleted.")
}

// ResetFeed answers POST /calendar/feed: a new private feed link for the viewer, replacing the old one (which then
// answers 404), shown once on the page this answers with — only its hash is kept.
func (h *Handlers) ResetFeed(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	var raw string
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		tok, err := calendar.ResetFeed(r.Context(), tx, v.CompanyID, v.MembershipID)
		raw = tok.Raw
		return err
	})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, nil, coworkview.Feed(h.Chrome(r, "Calendar feed"), h.BaseURL+"/calendar/feed/"+raw+".ics"))
}
