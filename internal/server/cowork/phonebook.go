package cowork

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/calendar"
	"fieldops/internal/input"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	coworkview "fieldops/templates/cowork"
)

// Phonebook answers GET /phonebook: the contacts of the phonebooks the viewer may see (the same as their
// calendars), one book or all, with search; one Read.
func (h *Handlers) Phonebook(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	q := r.URL.Query()
	p := coworkview.PhonebookPage{Book: q.Get("book"), Q: q.Get("q"), Notice: h.Notice(r)}
	ve := &apperr.ValidationError{}
	input.CheckSearch(ve, "q", p.Q, 100)
	if p.Errors = ve; ve.Err() != nil {
		p.Q = ""
	}
	s := calendar.ScopeFor(v)
	var set settings.Settings
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		calendar.QueueCalendars(b, v.CompanyID, s, &p.Books)
		calendar.QueueContacts(b, v.CompanyID, s, p.Book, p.Q, &p.Contacts)
	})
	p.Country = set.Country
	if err == nil {
		err = ve.Err()
	}
	h.Render(w, r, err, coworkview.Phonebook(h.Chrome(r, "Phonebook"), p))
}

// NewContact answers GET /phonebook/new?book=.
func (h *Handlers) NewContact(w http.ResponseWriter, r *http.Request) {
	book := r.URL.Query().Get("book")
	if book == "" {
		book = "person-" + strconv.FormatInt(page.ViewerOf(r).MembershipID, 10)
	}
	h.showContactForm(w, r, 0, calendar.ContactForm{Book: book}, nil)
}

func (h *Handlers) showContactForm(w http.ResponseWriter, r *http.Request, id int64, f calendar.ContactForm, formErr error) {
	v := page.ViewerOf(r)
	p := coworkview.ContactFormPage{ID: id, Form: f, Errors: page.Validation(formErr)}
	var set settings.Settings
	var existing calendar.Contact
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		settings.QueueGet(b, v.CompanyID, &set)
		calendar.QueueCalendars(b, v.CompanyID, calendar.ScopeFor(v), &p.Books)
		if id != 0 && formErr == nil {
			calendar.QueueContact(b, v.CompanyID, calendar.ScopeFor(v), id, &existing)
		}
	})
	p.Country = set.Country
	if id != 0 && formErr == nil && err == nil {
		p.Form = existing.FormOf(set.Country)
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, coworkview.ContactForm(h.Chrome(r, "Contact"), p))
}

// contactForm is the contact form as posted.
func contactForm(r *http.Request) calendar.ContactForm {
	return calendar.ContactForm{Book: r.PostFormValue("book"), Name: r.PostFormValue("name"), Organisation: r.PostFormValue("organisation"),
		Phones: r.PostFormValue("phones"), Email: r.PostFormValue("email"), Notes: r.PostFormValue("notes")}
}

// CreateContact answers POST /phonebook.
func (h *Handlers) CreateContact(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	f := contactForm(r)
	err := h.inCompanyWithCountry(r, func(tx pgx.Tx, country string) error {
		_, err := calendar.AddContact(r.Context(), tx, v.CompanyID, calendar.ScopeFor(v), f, country)
		return err
	})
	if page.RefusedInWords(err) {
		h.showContactForm(w, r, 0, f, err)
		return
	}
	h.Done(w, r, err, "/phonebook?book="+f.Book, "Contact saved.")
}

// EditContact answers GET /phonebook/{id}/edit.
func (h *Handlers) EditContact(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	h.showContactForm(w, r, id, calendar.ContactForm{}, nil)
}

// UpdateContact answers POST /phonebook/{id}/edit.
func (h *Handlers) UpdateContact(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := contactForm(r)
	err := h.inCompanyWithCountry(r, func(tx pgx.Tx, country string) error {
		return calendar.UpdateContact(r.Context(), tx, v.CompanyID, calendar.ScopeFor(v), id, f, country)
	})
	if page.RefusedInWords(err) {
		h.showContactForm(w, r, id, f, err)
		return
	}
	h.Done(w, r, err, "/phonebook?book="+f.Book, "Contact saved.")
}

// DeleteContact answers POST /phonebook/{id}/delete.
func (h *Handlers) DeleteContact(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return calendar.DeleteContact(r.Context(), tx, v.CompanyID, calendar.ScopeFor(v), id)
	})
	h.Done(w, r, err, "/phonebook", "Contact deleted.")
}

// inCompanyWithCountry runs fn in a transaction of the viewer's company with its country (Settings), which reads
// phone numbers typed without their country code.
func (h *Handlers) inCompanyWithCountry(r *http.Request, fn func(tx pgx.Tx, country string) error) error {
	v := page.ViewerOf(r)
	return h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		country, err := settings.Country(r.Context(), tx, v.CompanyID)
		if err != nil {
			return err
		}
		return fn(tx, country)
	})
}
