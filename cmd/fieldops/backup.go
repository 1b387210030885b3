package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/jackc/pgx/v5"
)

// backup writes the whole database — every company, its files, the outbox — to path in pg_dump's custom format, as
// the owner role (MIGRATE_DATABASE_URL). Ownership is left out, so it restores under whichever owner role restores it.
func backup(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: fieldops backup FILE")
	}
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+args[0], "--dbname="+cfg.MigrateDatabaseURL)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w: %s", err, msg)
	}
	fmt.Fprintf(out, "Backed up the database to %s.\n", args[0])
	return nil
}

// restore loads a backup into the empty database at MIGRATE_DATABASE_URL, in one transaction (all or nothing), owned
// by that role; the app role's grants come with it. A database that already holds tables is refused: a restore
// never mixes with live data.
func restore(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: fieldops restore FILE")
	}
	conn, err := pgx.Connect(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var tables int
	err = conn.QueryRow(ctx, `select count(*) from pg_tables where schemaname = 'public'`).Scan(&tables)
	conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if tables > 0 {
		return fmt.Errorf("restore: the database at MIGRATE_DATABASE_URL holds %d tables: restore into a new, empty database (createdb), then point the app at it", tables)
	}
	bin, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--exit-on-error", "--single-transaction", "--no-owner", "--dbname="+cfg.MigrateDatabaseURL, args[0])
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("restore: pg_restore: %w: %s", err, msg)
	}
	fmt.Fprintf(out, "Restored %s.\n", args[0])
	return nil
}

// pgTool finds a Postgres client program: on PATH, or in the newest /usr/lib/postgresql/*/bin (Debian's layout).
func pgTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(dirs) == 0 {
		return "", fmt.Errorf("%s is not installed: install the Postgres client of the server's version (Debian: postgresql-client)", name)
	}
	sort.Strings(dirs)
	return dirs[len(dirs)-1], nil
}
