package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
)

// globalTables are the tables outside tenancy, each with the reason. Adding one is a decision to write down in
// the README.
var globalTables = map[string]string{
	"goose_db_version": "migrations bookkeeping",
	"sessions":         "scs sessions: a row is found only by its secret token",
	"accounts":         "logins span companies: its own policy shows an account only through a membership of the current company (tested in identity)",
	"account_tokens":   "an account's emailed links (verify, reset): the app role has no grant, only the account_* definer functions",
	"sms_optouts":      "numbers that replied STOP to the app's provider number: the app role has no grant, only sms_opted_out and sms_opt_out",
}

// The catalogue check that makes forgetting RLS on a new tenant table fail the build: every table in public is
// either global or has RLS on with the fail-closed company policy on the column that leads its primary key, and no
// other permissive policy (one would widen what the company policy lets through; a restrictive one only narrows it,
// as connections' "a connected row is never deleted" does).
func TestRLS_EveryTenantTableIsIsolated(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	type table struct {
		Name       string
		RLS        bool
		Quals      []string
		KeyColumns []string
	}
	rows, err := tdb.Owner.Query(ctx, `
		select c.relname as name,
		       c.relrowsecurity as rls,
		       coalesce((select array_agg(p.qual) from pg_policies p
		                  where p.schemaname = 'public' and p.tablename = c.relname and p.permissive = 'PERMISSIVE'), '{}') as quals,
		       coalesce((select array_agg(a.attname order by k.ord)
		                   from pg_index i
		                   cross join unnest(i.indkey) with ordinality as k(attnum, ord)
		                   join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
		                  where i.indrelid = c.oid and i.indisprimary), '{}') as key_columns
		  from pg_class c
		  join pg_namespace n on n.oid = c.relnamespace
		 where n.nspname = 'public' and c.relkind in ('r', 'p')
		 order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByName[table])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 2 {
		t.Fatalf("found only %v: the catalogue query is wrong", tables)
	}
	for _, tb := range tables {
		if _, ok := globalTables[tb.Name]; ok {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			if !tb.RLS {
				t.Fatalf("row level security is not enabled")
			}
			column := "company_id"
			if tb.Name == "companies" {
				column = "id"
			}
			if len(tb.KeyColumns) == 0 || tb.KeyColumns[0] != column {
				t.Errorf("primary key %v does not lead with %s", tb.KeyColumns, column)
			}
			want := "(" + column + " = (NULLIF(current_setting('app.company_id'::text, true), ''::text))::bigint)"
			if len(tb.Quals) != 1 || strings.TrimSpace(tb.Quals[0]) != want {
				t.Errorf("policies %q, want exactly one: %s", tb.Quals, want)
			}
		})
	}
}
