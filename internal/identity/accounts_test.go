package identity_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
)

// accounts is global, so its policy is its own: the app role sees an account only while acting in a company
// the account belongs to.
func TestAccounts_VisibleOnlyThroughAMembership(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	acme, bolt := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	for _, p := range []struct {
		email   string
		company int64
	}{{"ann@acme.example", acme}, {"bob@bolt.example", bolt}, {"cat@both.example", acme}, {"cat@both.example", bolt}} {
		_, err := tdb.Owner.Exec(ctx, `
			with a as (insert into accounts (email, name, password_hash) values ($1, 'x', 'x')
			           on conflict (email) do update set name = 'x' returning id)
			insert into memberships (company_id, account_id, role) select $2, id, 'admin' from a`, p.email, p.company)
		if err != nil {
			t.Fatal(err)
		}
	}
	emails := func(company int64) []string {
		var got []string
		err := tdb.Read(ctx, company, func(b *pgx.Batch) {
			b.Queue(`select email::text from accounts order by email`).Query(func(rows pgx.Rows) (err error) {
				got, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := emails(acme); !slices.Equal(got, []string{"ann@acme.example", "cat@both.example"}) {
		t.Errorf("acting in Acme sees %v", got)
	}
	if got := emails(bolt); !slices.Equal(got, []string{"bob@bolt.example", "cat@both.example"}) {
		t.Errorf("acting in Bolt sees %v", got)
	}
	var n int
	if err := tdb.Pool.QueryRow(ctx, `select count(*) from accounts`).Scan(&n); err != nil || n != 0 {
		t.Errorf("with no company set the app role sees %d accounts (err %v)", n, err)
	}
}
