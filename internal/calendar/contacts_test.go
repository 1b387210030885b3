package calendar

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

// Phonebooks: a contact without a name or with a bad number is refused in words; each viewer reads and changes only
// the books they may see; a contact picked into a call reminder joins its call list, and a contact they may not see
// is a forged pick (404).
func TestContacts(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var harbour int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour') returning id`, co).Scan(&harbour)
	member := func(role, name string) (id int64) {
		tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role) select $1, id, $4 from a returning id`, co, name, name+"@x.example", role).Scan(&id)
		return id
	}
	ann, sam := member("admin", "ann"), member("co-worker", "sam")
	admin, samScope := Scope{Member: ann, Admin: true, Office: true}, Scope{Member: sam, Office: true, CoWorker: true}
	add := func(s Scope, f ContactForm) (id int64, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = AddContact(ctx, tx, co, s, f, "NZ")
			return err
		})
		return id, err
	}
	for name, c := range map[string]struct {
		form  ContactForm
		field string
	}{
		"no name":      {ContactForm{Book: "company", Phones: "021 555 0123"}, "name"},
		"a bad number": {ContactForm{Book: "company", Name: "Ann", Phones: "021 555 0123, 12"}, "phones"},
		"a bad email":  {ContactForm{Book: "company", Name: "Ann", Email: "ann@"}, "email"},
		"no book":      {ContactForm{Book: "mine", Name: "Ann"}, "book"},
	} {
		if _, err := add(admin, c.form); apperr.AsValidation(err).Field(c.field) == "" {
			t.Errorf("%s: %v, want a message on %s", name, err, c.field)
		}
	}
	if _, err := add(samScope, ContactForm{Book: fmt.Sprint("client-", harbour), Name: "Caretaker", Phones: "09 555 0456"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam adding to a client's book not his: %v", err)
	}
	caretaker, err := add(admin, ContactForm{Book: fmt.Sprint("client-", harbour), Name: "Caretaker", Organisation: "Harbour View", Phones: "09 555 0456, +61 2 9374 4000"})
	if err != nil {
		t.Fatal(err)
	}
	plumber, err := add(samScope, ContactForm{Book: "company", Name: "Plumber", Phones: "021 555 0123"})
	if err != nil {
		t.Fatal(err)
	}
	list := func(s Scope, book, q string) (names []string) {
		var cs []Contact
		if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueContacts(b, co, s, book, q, &cs) }); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			names = append(names, c.Name)
		}
		return names
	}
	if got := fmt.Sprint(list(admin, "", "")); got != "[Caretaker Plumber]" {
		t.Errorf("the admin's phonebooks: %s", got)
	}
	if got := fmt.Sprint(list(samScope, "", "")); got != "[Plumber]" {
		t.Errorf("Sam's phonebooks: %s", got)
	}
	if got := fmt.Sprint(list(admin, "", "harbour")); got != "[Caretaker]" {
		t.Errorf("a search: %s", got)
	}
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
		return UpdateContact(ctx, tx, co, samScope, caretaker, ContactForm{Book: "company", Name: "Mine now"}, "NZ")
	})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam editing a contact he may not see: %v", err)
	}
	// Picked into a call reminder, with a typed one after.
	remind := func(s Scope, contacts ...int64) (id int64, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = Create(ctx, tx, co, s, Form{Kind: KindCall, Title: "Calls", Date: "2026-12-01", AllDay: true, Calendar: "company",
				Contacts: contacts, Calls: "Bob +61 2 9374 4000"}, time.UTC, "NZ")
			return err
		})
		return id, err
	}
	if _, err := remind(samScope, plumber, caretaker); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam picking a contact he may not see: %v", err)
	}
	id, err := remind(admin, caretaker, plumber)
	if err != nil {
		t.Fatal(err)
	}
	var r Reminder
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueOne(b, co, admin, id, &r) })
	if fmt.Sprint(r.Calls) != "[{Caretaker +6495550456} {Plumber +64215550123} {Bob +61293744000}]" {
		t.Errorf("the call list: %v", r.Calls)
	}
}
