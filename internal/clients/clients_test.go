package clients

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

func create(t *testing.T, tdb *dbtest.TestDB, co int64, f Form) int64 {
	t.Helper()
	var id int64
	err := tdb.InCompany(context.Background(), co, func(tx pgx.Tx) (err error) {
		id, err = Create(context.Background(), tx, co, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func list(t *testing.T, tdb *dbtest.TestDB, co int64, scope Scope, f ListFilter) ListPage {
	t.Helper()
	var p ListPage
	if err := tdb.Read(context.Background(), co, func(b *pgx.Batch) { QueueList(b, co, scope, f, &p) }); err != nil {
		t.Fatal(err)
	}
	return p
}

func names(p ListPage) []string {
	var ns []string
	for _, r := range p.Rows {
		ns = append(ns, r.Name)
	}
	return ns
}

func TestCreate_Validation(t *testing.T) {
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	cases := []struct {
		name  string
		form  Form
		field string
		want  string
	}{
		{"no name", Form{}, "name", "Enter the client's name."},
		{"bad email", Form{Name: "X", Email: "x@"}, "email", "Enter an email address like name@example.com."},
		{"bad phone", Form{Name: "X", Phone: "call me"}, "phone", "Use digits, spaces and + - ( ) only."},
		{"site without address", Form{Name: "X", Sites: []SiteForm{{Name: "HQ"}}}, "site_address_0", "Enter the site's address."},
		{"site without name", Form{Name: "X", Sites: []SiteForm{{}, {Address: "1 Road"}}}, "site_name_0", "Enter a name for the site, like Head office."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tdb.InCompany(context.Background(), co, func(tx pgx.Tx) error {
				_, err := Create(context.Background(), tx, co, c.form)
				return err
			})
			if got := apperr.AsValidation(err).Field(c.field); got != c.want {
				t.Errorf("%s: %v, want %q", c.field, err, c.want)
			}
		})
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from clients`).Scan(&n)
	if n != 0 {
		t.Errorf("%d clients saved from bad input", n)
	}
}

func TestList_SearchAndKeyset(t *testing.T) {
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	for i := range 120 {
		create(t, tdb, co, Form{Name: fmt.Sprintf("Client %03d", i), Email: fmt.Sprintf("c%d@example.com", i), Phone: fmt.Sprintf("555 %04d", i)})
	}
	create(t, tdb, co, Form{Name: "100% Pure_Water", Sites: []SiteForm{{Name: "HQ", Address: "1 Road"}, {Name: "Depot", Address: "2 Road"}}})

	p1 := list(t, tdb, co, Everything, ListFilter{})
	if len(p1.Rows) != PageSize || !p1.More || p1.Rows[0].Name != "100% Pure_Water" || p1.Rows[0].Sites != 2 {
		t.Fatalf("page 1: %d rows, more %t, first %+v", len(p1.Rows), p1.More, p1.Rows[0])
	}
	p2 := list(t, tdb, co, Everything, ListFilter{After: p1.Rows[PageSize-1].ID})
	p3 := list(t, tdb, co, Everything, ListFilter{After: p2.Rows[PageSize-1].ID})
	if p2.Rows[0].Name != "Client 049" || len(p3.Rows) != 21 || p3.More {
		t.Errorf("page 2 starts %q; page 3 has %d rows, more %t", p2.Rows[0].Name, len(p3.Rows), p3.More)
	}
	back := list(t, tdb, co, Everything, ListFilter{Before: p3.Rows[0].ID})
	if fmt.Sprint(names(back)) != fmt.Sprint(names(p2)) || !back.More {
		t.Errorf("paging back from page 3 gave %v…, want page 2", names(back)[:3])
	}

	for q, want := range map[string]int{
		"client 01":   10, // name, any case
		"c7@EXAMPLE":  1,  // email
		"555 0119":    1,  // phone
		"100%":        1,  // % is literal
		"_":           1,  // _ is literal
		`\`:           0,
		"nobody here": 0,
	} {
		if got := list(t, tdb, co, Everything, ListFilter{Q: q}); len(got.Rows) != want {
			t.Errorf("search %q: %d rows, want %d", q, len(got.Rows), want)
		}
	}
	if got := list(t, tdb, co, Everything, ListFilter{After: 999999}); len(got.Rows) != 0 {
		t.Errorf("an unknown cursor gave %d rows", len(got.Rows))
	}
}

func TestScope_CoworkerSeesAssignedClients(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var cora int64
	tdb.Owner.QueryRow(ctx, `
		with a as (insert into accounts (email, name, password_hash) values ('cora@acme.example', 'Cora', 'x') returning id)
		insert into memberships (company_id, account_id, role) select $1, id, 'co-worker' from a returning id`, co).Scan(&cora)
	mine := create(t, tdb, co, Form{Name: "Mine"})
	other := create(t, tdb, co, Form{Name: "Other"})
	if err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return Assign(ctx, tx, co, mine, cora) }); err != nil {
		t.Fatal(err)
	}
	scope := Scope{Coworker: cora}
	if got := names(list(t, tdb, co, scope, ListFilter{})); fmt.Sprint(got) != "[Mine]" {
		t.Errorf("co-worker's list = %v", got)
	}
	var c Client
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueGet(b, co, scope, other, &c) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("co-worker reading an unassigned client: %v", err)
	}
	err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return Update(ctx, tx, co, scope, other, Form{Name: "Hacked"}) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("co-worker editing an unassigned client: %v", err)
	}
	// Another company's co-worker cannot be assigned.
	b := tdb.CreateCompany(t, "B")
	bClient := create(t, tdb, b, Form{Name: "B's"})
	if err := tdb.InCompany(ctx, b, func(tx pgx.Tx) error { return Assign(ctx, tx, b, bClient, cora) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("assigning another company's co-worker: %v", err)
	}
}

func TestDialable(t *testing.T) {
	for in, want := range map[string]string{"09 555 0101": "095550101", "+64 (9) 555-0101": "+6495550101", " 021.555.0101 ": "0215550101", "": ""} {
		if got := Dialable(in); got != want {
			t.Errorf("Dialable(%q) = %q, want %q", in, got, want)
		}
	}
}
