package db_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fieldops/internal/db"
	"fieldops/internal/db/dbtest"
)

// TestDefiners_SearchPathEndsWithPgTemp: a definer function runs with the owner's rights, so it must resolve no
// name through a schema the caller could fill: every one pins pg_catalog and public, with pg_temp last.
func TestDefiners_SearchPathEndsWithPgTemp(t *testing.T) {
	tdb := dbtest.New(t)
	rows, _ := tdb.Owner.Query(context.Background(), `
		select p.proname, coalesce(array_to_string(p.proconfig, ','), '')
		  from pg_proc p
		 where p.prosecdef and p.pronamespace = 'public'::regnamespace`)
	type fn struct{ Name, Config string }
	fns, err := pgx.CollectRows(rows, pgx.RowToStructByPos[fn])
	if err != nil || len(fns) == 0 {
		t.Fatalf("definer functions: %v (%d)", err, len(fns))
	}
	for _, f := range fns {
		if !strings.HasPrefix(f.Config, "search_path=pg_catalog, public") || !strings.HasSuffix(f.Config, "pg_temp") {
			t.Errorf("%s: %q, want search_path=pg_catalog, public, pg_temp", f.Name, f.Config)
		}
	}
}

// TestAccounts_AppRoleCannotReadOrWritePasswordHashes: a database read as the app role (an injection, a leaked
// connection) yields no password hash; a new password goes only through the definer that also ends sessions.
func TestAccounts_AppRoleCannotReadOrWritePasswordHashes(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `
		with a as (insert into accounts (email, name, password_hash) values ('ann@acme.example', 'Ann', 'secret-hash') returning id)
		insert into memberships (company_id, account_id, role) select $1, id, 'admin' from a`, co)
	var denied *pgconn.PgError
	err := tdb.Read(ctx, co, func(b *pgx.Batch) {
		b.Queue(`select password_hash from accounts`).Query(func(pgx.Rows) error { return nil })
	})
	if !errors.As(err, &denied) || denied.Code != "42501" {
		t.Errorf("app role read password_hash: %v, want permission denied", err)
	}
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `update accounts set password_hash = 'x'`)
		return err
	})
	if !errors.As(err, &denied) || denied.Code != "42501" {
		t.Errorf("app role wrote password_hash: %v, want permission denied", err)
	}
	var name string
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) {
		b.Queue(`select name from accounts`).QueryRow(func(r pgx.Row) error { return r.Scan(&name) })
	}); err != nil || name != "Ann" {
		t.Errorf("app role reads names: %q, %v", name, err)
	}
}

// TestCheckAppRole_OwnershipThroughMembership: a role that may SET ROLE to the tables' owner (or inherits its
// rights) reads past RLS as surely as the owner; the server refuses to start as it. Creating a role needs a
// superuser: the project's cluster has one on its socket; elsewhere the test is skipped.
func TestCheckAppRole_OwnershipThroughMembership(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	su, err := url.Parse(tdb.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	su.User = url.User("postgres")
	super, err := pgx.Connect(ctx, su.String())
	if err != nil {
		t.Skipf("no superuser connection (%v)", err)
	}
	defer super.Close(ctx)
	role := fmt.Sprintf("fieldops_probe_%d", time.Now().UnixNano())
	if _, err := super.Exec(ctx, `create role `+role+` login noinherit in role fieldops_owner`); err != nil {
		t.Fatal(err)
	}
	defer super.Exec(ctx, `drop role `+role)
	as := *su
	as.User = url.User(role)
	probe, err := pgx.Connect(ctx, as.String())
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close(ctx)
	var owned int
	probe.QueryRow(ctx, `select count(*) from pg_class where relowner = (select oid from pg_roles where rolname = current_user)`).Scan(&owned)
	if owned != 0 {
		t.Fatalf("the probe role owns %d tables itself", owned)
	}
	pool, err := db.Open(ctx, as.String())
	if !errors.Is(err, db.ErrUnsafeRole) {
		if pool != nil {
			pool.Close()
		}
		t.Errorf("a member of the owner role was accepted: %v", err)
	}
}
