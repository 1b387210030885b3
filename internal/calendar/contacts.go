package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/nyaruka/phonenumbers"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
)

// Contact is one entry of a phonebook. Phones are in E.164.
type Contact struct {
	ID           int64
	Name         string
	Organisation string
	Phones       []string
	Email        string
	Notes        string
	// Book is whose phonebook it is in (a calendar Key), BookName its name.
	Book     string
	BookName string
}

// ContactForm is what the contact form sends; Phones is typed, several separated by commas.
type ContactForm struct {
	Book         string
	Name         string
	Organisation string
	Phones       string
	Email        string
	Notes        string
}

// FormOf is the edit form of contact c, its numbers written for region.
func (c Contact) FormOf(region string) ContactForm {
	var phones []string
	for _, p := range c.Phones {
		phones = append(phones, Call{Phone: p}.Display(region))
	}
	return ContactForm{Book: c.Book, Name: c.Name, Organisation: c.Organisation, Phones: strings.Join(phones, ", "), Email: c.Email, Notes: c.Notes}
}

// check validates the form, reading its numbers for region; it returns them in E.164.
func (f *ContactForm) check(region string) ([]string, error) {
	v := &apperr.ValidationError{}
	f.Name, f.Organisation, f.Email, f.Notes = strings.TrimSpace(f.Name), strings.TrimSpace(f.Organisation), strings.TrimSpace(f.Email), strings.TrimSpace(f.Notes)
	switch {
	case f.Name == "":
		v.Add("name", "Enter the contact's name.")
	case utf8.RuneCountInString(f.Name) > MaxNameLen:
		v.Add("name", fmt.Sprintf("Use at most %d characters.", MaxNameLen))
	}
	if utf8.RuneCountInString(f.Organisation) > 200 {
		v.Add("organisation", "Use at most 200 characters.")
	}
	if f.Email != "" {
		identity.CheckEmail(v, "email", f.Email)
	}
	if utf8.RuneCountInString(f.Notes) > MaxNotes {
		v.Add("notes", fmt.Sprintf("Use at most %d characters.", MaxNotes))
	}
	var phones []string
	for _, raw := range strings.Split(f.Phones, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		n, err := phonenumbers.Parse(raw, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			if region == "" && !strings.HasPrefix(raw, "+") {
				v.Add("phones", "Write "+raw+" with its country code (like +64 21 555 0123), or set the company's country in Settings.")
			} else {
				v.Add("phones", raw+" is not a phone number.")
			}
			break
		}
		phones = append(phones, phonenumbers.Format(n, phonenumbers.E164))
	}
	if len(phones) > 5 {
		v.Add("phones", "Keep at most 5 numbers for one contact.")
	}
	if _, ok := ParseKey(f.Book); !ok {
		v.Add("book", "Choose a phonebook from the list.")
	}
	return phones, v.Err()
}

// AddContact adds a contact to a phonebook the viewer may see; numbers are read for region (the company's
// country). Bad input is a ValidationError in words; a phonebook the viewer may not see is ErrNotFound.
func AddContact(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, f ContactForm, region string) (int64, error) {
	phones, err := f.check(region)
	if err != nil {
		return 0, err
	}
	person, client, group, err := ownerOf(ctx, tx, companyID, s, f.Book)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into contacts (company_id, membership_id, client_id, group_id, name, organisation, phones, email, notes, created_by)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
		companyID, person, client, group, f.Name, f.Organisation, phones, f.Email, f.Notes, db.NullID(s.Member)).Scan(&id); err != nil {
		return 0, fmt.Errorf("calendar: add contact: %w", err)
	}
	return id, nil
}

// UpdateContact changes a contact the viewer may see, also moving it to another phonebook they may see.
func UpdateContact(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64, f ContactForm, region string) error {
	phones, err := f.check(region)
	if err != nil {
		return err
	}
	person, client, group, err := ownerOf(ctx, tx, companyID, s, f.Book)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		update contacts r set membership_id = $8, client_id = $9, group_id = $10, name = $11, organisation = $12, phones = $13, email = $14, notes = $15
		 where r.company_id = $1 and r.id = $7 and `+rowSees,
		append(append([]any{companyID}, s.args()...), id, person, client, group, f.Name, f.Organisation, phones, f.Email, f.Notes)...)
	if err != nil {
		return fmt.Errorf("calendar: update contact: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// DeleteContact removes a contact the viewer may see; ErrNotFound otherwise.
func DeleteContact(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, id int64) error {
	tag, err := tx.Exec(ctx, `delete from contacts r where r.company_id = $1 and r.id = $7 and `+rowSees,
		append(append([]any{companyID}, s.args()...), id)...)
	if err != nil {
		return fmt.Errorf("calendar: delete contact: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// contactSQL selects Contact rows of contacts r.
const contactSQL = `
	select r.id, r.name, r.organisation, r.phones, r.email, r.notes, ` + ownerColumns + ` as book, ` + ownerName + ` as book_name
	  from contacts r` + ownerJoins

// QueueContacts adds the contacts the viewer may see in the phonebook with key ("" for every one they see) that
// match q (name, organisation or email), by name, at most 200.
func QueueContacts(b *pgx.Batch, companyID int64, s Scope, key, q string, out *[]Contact) {
	var chosen []Calendar
	if book, ok := ParseKey(key); ok {
		chosen = []Calendar{book}
	}
	persons, clients, groups, company := owners(chosen)
	b.Queue(contactSQL+`
		 where r.company_id = $1 and `+rowSees+`
		   and ($7::text = '' or `+ownedBy(8)+`)
		   and ($12::text = '' or r.name ilike '%' || $12 || '%' or r.organisation ilike '%' || $12 || '%' or r.email ilike '%' || $12 || '%')
		 order by lower(r.name), r.id
		 limit 200`, append(append([]any{companyID}, s.args()...), key, persons, clients, groups, company, strings.TrimSpace(q))...).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByName[Contact])
		return err
	})
}

// QueueContact adds one contact the viewer may see; ErrNotFound otherwise.
func QueueContact(b *pgx.Batch, companyID int64, s Scope, id int64, out *Contact) {
	b.Queue(contactSQL+` where r.company_id = $1 and r.id = $7 and `+rowSees,
		append(append([]any{companyID}, s.args()...), id)...).Query(func(rows pgx.Rows) (err error) {
		*out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contact])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// picked reads the contacts picked into a call reminder as calls (name and first number); a contact the viewer may
// not see, or one without a number, is ErrNotFound (the form offers only those).
func picked(ctx context.Context, tx pgx.Tx, companyID int64, s Scope, ids []int64) ([]Call, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, `select r.name, r.phones[1] as phone from contacts r
		 where r.company_id = $1 and r.id = any($7) and cardinality(r.phones) > 0 and `+rowSees+`
		 order by lower(r.name), r.id`, append(append([]any{companyID}, s.args()...), ids)...)
	calls, err := pgx.CollectRows(rows, pgx.RowToStructByName[Call])
	if err != nil {
		return nil, fmt.Errorf("calendar: picked contacts: %w", err)
	}
	if len(calls) != len(ids) {
		return nil, apperr.ErrNotFound
	}
	return calls, nil
}
