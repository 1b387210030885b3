package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db"
	"fieldops/internal/db/dbtest"
)

// companyIDs queues a read of every company the app role can see.
func companyIDs(b *pgx.Batch, ids *[]int64) {
	b.Queue(`select id from companies order by id`).Query(func(rows pgx.Rows) (err error) {
		*ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
}

func TestRLS_NoSettingSeesNothing(t *testing.T) {
	tdb := dbtest.New(t)
	tdb.CreateCompany(t, "Acme Plumbing")
	tdb.CreateCompany(t, "Bolt Electrical")
	ctx := context.Background()

	var n int
	if err := tdb.Pool.QueryRow(ctx, `select count(*) from companies`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("app role without app.company_id sees %d companies, want 0", n)
	}
	if err := tdb.Owner.QueryRow(ctx, `select count(*) from companies`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("owner sees %d companies (err %v), want 2: the test arranged nothing", n, err)
	}
}

func TestRLS_OneConnectionAlternatingCompanies(t *testing.T) {
	tdb := dbtest.New(t)
	a := tdb.CreateCompany(t, "Acme Plumbing")
	b := tdb.CreateCompany(t, "Bolt Electrical")
	ctx := context.Background()

	// One connection, so every call reuses the session the previous company used.
	one, err := db.Open(ctx, tdb.AppURL+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()

	for i := range 20 {
		for _, co := range []int64{a, b} {
			var ids []int64
			if err := one.Read(ctx, co, func(bt *pgx.Batch) { companyIDs(bt, &ids) }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, []int64{co}) {
				t.Fatalf("round %d: Read as company %d saw %v", i, co, ids)
			}
			err := one.InCompany(ctx, co, func(tx pgx.Tx) error {
				var seen []int64
				rows, _ := tx.Query(ctx, `select id from companies`)
				seen, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err == nil && !slices.Equal(seen, []int64{co}) {
					t.Errorf("round %d: InCompany as %d saw %v", i, co, seen)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// The setting was local to the batch or transaction: the same session, used bare, sees nothing.
			var n int
			if err := one.Pool.QueryRow(ctx, `select count(*) from companies`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("round %d: after company %d the bare session sees %d rows (err %v)", i, co, n, err)
			}
		}
	}
}

func TestInCompany_ErrorRollsBack(t *testing.T) {
	tdb := dbtest.New(t)
	a := tdb.CreateCompany(t, "Acme Plumbing")
	ctx := context.Background()
	boom := errors.New("boom")

	err := tdb.InCompany(ctx, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `update companies set name = 'Renamed' where id = $1`, a); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InCompany returned %v, want fn's error", err)
	}
	var name string
	tdb.Owner.QueryRow(ctx, `select name from companies where id = $1`, a).Scan(&name)
	if name != "Acme Plumbing" {
		t.Errorf("name is %q after a failed transaction, want it unchanged", name)
	}
}

func TestCheckAppRole(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	if err := db.CheckAppRole(ctx, tdb.Pool); err != nil {
		t.Errorf("app role refused: %v", err)
	}
	if err := db.CheckAppRole(ctx, tdb.Owner); !errors.Is(err, db.ErrUnsafeRole) {
		t.Errorf("owner role (owns the tables) accepted: %v", err)
	}
	if _, err := db.Open(ctx, tdb.OwnerURL); !errors.Is(err, db.ErrUnsafeRole) {
		t.Errorf("Open as the owner = %v, want ErrUnsafeRole", err)
	}
}

func TestRead_OneRoundTrip(t *testing.T) {
	tdb := dbtest.New(t)
	a := tdb.CreateCompany(t, "Acme Plumbing")
	ctx := context.Background()

	d, rt := tdb.Counting(t)

	read := func() (ids []int64, name string, count int) {
		err := d.Read(ctx, a, func(b *pgx.Batch) {
			companyIDs(b, &ids)
			b.Queue(`select name from companies where id = $1`, a).QueryRow(func(r pgx.Row) error { return r.Scan(&name) })
			b.Queue(`select count(*) from companies`).QueryRow(func(r pgx.Row) error { return r.Scan(&count) })
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	read() // connects, and prepares the statements once per connection
	rt.Take()

	ids, name, count := read()
	if got := rt.Take(); got != 1 {
		t.Errorf("a Read of three queries took %d round trips, want 1", got)
	}
	if !slices.Equal(ids, []int64{a}) || name != "Acme Plumbing" || count != 1 {
		t.Errorf("Read filled ids=%v name=%q count=%d", ids, name, count)
	}
}
