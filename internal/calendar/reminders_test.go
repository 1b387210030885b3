package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

// Reminders on calendars: bad input is refused in words and nothing saved; a calendar or a person the viewer may
// not see is a forged request (404); each viewer reads the reminders of the calendars they may see and those they
// are one of the people of — never another client's or another company's.
func TestReminders(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co, other := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	var harbour, bakery int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour') returning id`, co).Scan(&harbour)
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bakery') returning id`, co).Scan(&bakery)
	member := func(company int64, role, name string, client *int64) (id int64) {
		err := tdb.Owner.QueryRow(ctx, `
			with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id) select $1, id, $4, $5 from a returning id`,
			company, name, fmt.Sprintf("%s.%d@x.example", name, company), role, client).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	admin, cora, sam := member(co, "admin", "ann", nil), member(co, "co-worker", "cora", nil), member(co, "co-worker", "sam", nil)
	fran, bea := member(co, "client", "fran", &harbour), member(co, "client", "bea", &bakery)
	boltAdmin := member(other, "admin", "bo", nil)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, co, harbour, cora)
	scopes := map[string]Scope{
		"admin": {Member: admin, Admin: true, Office: true},
		"cora":  {Member: cora, Office: true, CoWorker: true},
		"sam":   {Member: sam, Office: true, CoWorker: true},
		"fran":  {Member: fran, Client: harbour},
	}
	loc, _ := time.LoadLocation("Pacific/Auckland")
	create := func(who string, f Form) (id int64, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = Create(ctx, tx, co, scopes[who], f, loc, "NZ")
			return err
		})
		return id, err
	}
	base := Form{Kind: KindReminder, Title: "Quote follow-up", Date: "2026-12-01", Start: "09:00", End: "10:00", Calendar: "company"}
	with := func(change func(*Form)) Form { f := base; change(&f); return f }
	for name, c := range map[string]struct {
		form  Form
		field string
	}{
		"no title":           {with(func(f *Form) { f.Title = " " }), "title"},
		"end before start":   {with(func(f *Form) { f.End = "08:00" }), "end"},
		"no end":             {with(func(f *Form) { f.End = "" }), "end"},
		"no date":            {with(func(f *Form) { f.Date = "" }), "date"},
		"a kind made up":     {with(func(f *Form) { f.Kind = "party" }), "kind"},
		"a call list entry":  {with(func(f *Form) { f.Kind, f.Calls = KindCall, "Ann 021 555 0123; Bob" }), "calls"},
		"a call to no one":   {with(func(f *Form) { f.Kind = KindCall }), "calls"},
		"a calendar made up": {with(func(f *Form) { f.Calendar = "team-1" }), "calendar"},
	} {
		if _, err := create("admin", c.form); apperr.AsValidation(err).Field(c.field) == "" {
			t.Errorf("%s: %v, want a message on %s", name, err, c.field)
		}
	}
	if _, err := create("admin", with(func(f *Form) { f.Kind, f.Calls = KindCall, "Ann 021 555 0123; Bob" })); apperr.AsValidation(err).Field("calls") != "“Bob”: no phone number. Write the name, then the number, like Ann Smith 021 555 0123." {
		t.Errorf("the bad entry's message: %q", apperr.AsValidation(err).Field("calls"))
	}
	for name, c := range map[string]struct {
		who  string
		form Form
	}{
		"sam on Harbour's calendar":     {"sam", with(func(f *Form) { f.Calendar = fmt.Sprint("client-", harbour) })},
		"cora on Sam's calendar":        {"cora", with(func(f *Form) { f.Calendar = fmt.Sprint("person-", sam) })},
		"fran on the company's":         {"fran", base},
		"fran on the bakery's":          {"fran", with(func(f *Form) { f.Calendar = fmt.Sprint("client-", bakery) })},
		"a person of another company":   {"admin", with(func(f *Form) { f.People = []int64{boltAdmin} })},
		"fran putting Cora on it":       {"fran", with(func(f *Form) { f.Calendar = fmt.Sprint("person-", fran); f.People = []int64{cora} })},
		"another company's calendar id": {"admin", with(func(f *Form) { f.Calendar = fmt.Sprint("person-", boltAdmin) })},
	} {
		if _, err := create(c.who, c.form); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	var n int
	if tdb.Owner.QueryRow(ctx, `select count(*) from reminders`).Scan(&n); n != 0 {
		t.Fatalf("%d reminders saved by refused forms", n)
	}
	// A call reminder on Harbour's calendar with Fran on it; a company one; Sam's own.
	call, err := create("cora", with(func(f *Form) {
		f.Kind, f.Title, f.Calendar, f.Calls, f.People = KindCall, "Ring the caretaker", fmt.Sprint("client-", harbour), "Ann 021 555 0123;Bob +61 2 9374 4000", []int64{fran}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create("admin", with(func(f *Form) { f.AllDay, f.Start, f.End = true, "", "" })); err != nil {
		t.Fatal(err)
	}
	if _, err := create("sam", with(func(f *Form) { f.Title, f.Calendar = "Sam's dentist", fmt.Sprint("person-", sam) })); err != nil {
		t.Fatal(err)
	}
	all := []Calendar{{Kind: "company"}, {Kind: "person", ID: admin}, {Kind: "person", ID: cora}, {Kind: "person", ID: sam},
		{Kind: "person", ID: fran}, {Kind: "client", ID: harbour}, {Kind: "client", ID: bakery}}
	seen := func(who string) (titles []string) {
		var rs []Reminder
		from := time.Date(2026, 11, 30, 0, 0, 0, 0, loc)
		if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueBetween(b, co, scopes[who], all, from, from.AddDate(0, 0, 7), &rs) }); err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			titles = append(titles, r.Title)
		}
		return titles
	}
	for who, want := range map[string]string{
		"admin": "[Quote follow-up Ring the caretaker Sam's dentist]",
		"cora":  "[Quote follow-up Ring the caretaker]",
		"sam":   "[Quote follow-up Sam's dentist]",
		"fran":  "[Ring the caretaker]",
	} {
		if got := fmt.Sprint(seen(who)); got != want {
			t.Errorf("%s sees %s, want %s", who, got, want)
		}
	}
	var r Reminder
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueOne(b, co, scopes["fran"], call, &r) }); err != nil || len(r.Calls) != 2 ||
		r.Calls[1].Phone != "+61293744000" || fmt.Sprint(r.People) != fmt.Sprint([]Person{{fran, "fran"}}) || r.Kind != KindCall {
		t.Errorf("Fran's view of the call reminder: %+v, %v", r, err)
	}
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueOne(b, co, scopes["sam"], call, &r) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam reading Harbour's reminder: %v", err)
	}
	// Editing: Sam may not (nor Fran's guests, nor another company); the admin adds Bea, of the bakery; Cora moves it
	// and drops Fran, keeping Bea, who is not hers to drop.
	update := func(who string, company int64, f Form) error {
		return tdb.InCompany(ctx, company, func(tx pgx.Tx) error { return Update(ctx, tx, company, scopes[who], call, f, loc, "NZ") })
	}
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueOne(b, co, scopes["cora"], call, &r) }); err != nil {
		t.Fatal(err)
	}
	edit := FormOf(r, loc)
	if edit.Calls != "Ann +64215550123; Bob +61293744000" || edit.Start != "09:00" || fmt.Sprint(edit.People) != fmt.Sprint([]int64{fran}) {
		t.Errorf("the form of the call reminder: %+v", edit)
	}
	if err := update("sam", co, edit); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam editing Harbour's reminder: %v", err)
	}
	edit.People = []int64{fran, bea}
	if err := update("admin", co, edit); err != nil {
		t.Fatalf("the admin adding Bea: %v", err)
	}
	if err := update("admin", other, edit); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company editing it: %v", err)
	}
	edit.Calls = "Ann +6421 555 0123; Carl"
	if err := update("cora", co, edit); apperr.AsValidation(err).Field("calls") == "" {
		t.Errorf("a bad call list on edit: %v", err)
	}
	tdb.Owner.Exec(ctx, `update reminders set fired_at = now() where id = $1`, call)
	edit.Calls, edit.Date, edit.People, edit.Title = "Carl 09 555 0456", "2026-12-02", nil, "Ring the caretaker again"
	if err := update("cora", co, edit); err != nil {
		t.Fatalf("Cora moving her reminder: %v", err)
	}
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueOne(b, co, scopes["cora"], call, &r) }); err != nil || len(r.Calls) != 1 ||
		r.Calls[0].Name != "Carl" || fmt.Sprint(r.People) != fmt.Sprint([]Person{{bea, "bea"}}) || r.Title != "Ring the caretaker again" ||
		r.StartsAt.In(loc).Day() != 2 {
		t.Errorf("after the edit: %+v, %v", r, err)
	}
	var fired bool
	if tdb.Owner.QueryRow(ctx, `select fired_at is not null from reminders where id = $1`, call).Scan(&fired); fired {
		t.Error("moved to a later day, it does not fire again")
	}
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return Delete(ctx, tx, co, scopes["sam"], call) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam deleting Harbour's reminder: %v", err)
	}
	err = tdb.InCompany(ctx, other, func(tx pgx.Tx) error {
		return Delete(ctx, tx, other, Scope{Member: boltAdmin, Admin: true, Office: true}, call)
	})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another company deleting it: %v", err)
	}
}

// A group's calendar: its members see it and may put reminders on it, telling other members and the guests of the
// group's client; someone outside the group neither sees nor writes it.
func TestReminders_GroupCalendar(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var harbour, group int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour') returning id`, co).Scan(&harbour)
	tdb.Owner.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Harbour maintenance', $2) returning id`, co, harbour).Scan(&group)
	member := func(role, name string, client, host *int64) (id int64) {
		if err := tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id, host_id) select $1, id, $4, $5, $6 from a returning id`,
			co, name, name+"@x.example", role, client, host).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	cora, sam := member("co-worker", "cora", nil, nil), member("co-worker", "sam", nil, nil)
	fran := member("client", "fran", &harbour, nil)
	gus := member("guest", "gus", nil, &fran)
	tdb.Owner.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3)`, co, group, cora)
	key := fmt.Sprint("group-", group)
	create := func(s Scope, people ...int64) error {
		return tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
			_, err := Create(ctx, tx, co, s, Form{Kind: KindReminder, Title: "Gutters", Date: "2026-12-01", AllDay: true, Calendar: key, People: people}, time.UTC, "")
			return err
		})
	}
	coraScope, samScope := Scope{Member: cora, Office: true, CoWorker: true}, Scope{Member: sam, Office: true, CoWorker: true}
	if err := create(samScope); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam, not in the group: %v", err)
	}
	if err := create(coraScope, gus); err != nil {
		t.Fatalf("Cora with the client's guest: %v", err)
	}
	var cals []Calendar
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueCalendars(b, co, coraScope, &cals) })
	if !slices.ContainsFunc(cals, func(c Calendar) bool { return c.Key() == key && c.Name == "Harbour maintenance" }) {
		t.Errorf("Cora's calendars lack the group's: %+v", cals)
	}
	seen := func(s Scope) int {
		var rs []Reminder
		tdb.Read(ctx, co, func(b *pgx.Batch) {
			QueueBetween(b, co, s, []Calendar{{Kind: "group", ID: group}}, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), &rs)
		})
		return len(rs)
	}
	if seen(coraScope) != 1 || seen(samScope) != 0 {
		t.Errorf("the group's reminder: Cora sees %d, Sam %d", seen(coraScope), seen(samScope))
	}
}
