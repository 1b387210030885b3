// Package dbtest gives each test its own Postgres database, cloned from a migrated template, so tests run in
// parallel on real Postgres. `make test` points it at the project's cluster through TEST_DATABASE_URL (app role)
// and TEST_MIGRATE_DATABASE_URL (owner role, with CREATEDB).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/db"
	"fieldops/migrations"
)

// TestDB is one test's database: App is the server's view (RLS applies), Owner bypasses RLS for arranging data.
type TestDB struct {
	*db.DB
	Owner    *pgxpool.Pool
	AppURL   string
	OwnerURL string
	Name     string
}

// New creates a fresh database for tb from the migrated template and drops it when tb ends.
func New(tb testing.TB) *TestDB {
	tb.Helper()
	appURL, ownerURL := os.Getenv("TEST_DATABASE_URL"), os.Getenv("TEST_MIGRATE_DATABASE_URL")
	if appURL == "" || ownerURL == "" {
		tb.Fatal("TEST_DATABASE_URL and TEST_MIGRATE_DATABASE_URL are not set: run the tests with `make test`")
	}
	ctx := context.Background()
	tmpl, err := template(ctx, ownerURL)
	if err != nil {
		tb.Fatalf("dbtest: template: %v", err)
	}
	name := "fieldops_t_" + randomHex(8)
	admin := connect(tb, ownerURL, "postgres")
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`create database %s template %s`, name, tmpl)); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(tb, ownerURL, name) })

	t := &TestDB{AppURL: mustWithDatabase(tb, appURL, name), OwnerURL: mustWithDatabase(tb, ownerURL, name), Name: name}
	t.DB, err = db.Open(ctx, t.AppURL)
	if err != nil {
		tb.Fatalf("dbtest: open app pool: %v", err)
	}
	tb.Cleanup(t.DB.Close)
	t.Owner, err = pgxpool.New(ctx, t.OwnerURL)
	if err != nil {
		tb.Fatalf("dbtest: open owner pool: %v", err)
	}
	tb.Cleanup(t.Owner.Close)
	return t
}

// Empty creates an empty database (no migrations) for tb, dropped when tb ends, and returns its app-role and
// owner-role URLs: for tests of start-up itself.
func Empty(tb testing.TB) (appURL, ownerURL string) {
	tb.Helper()
	appURL, ownerURL = os.Getenv("TEST_DATABASE_URL"), os.Getenv("TEST_MIGRATE_DATABASE_URL")
	if appURL == "" || ownerURL == "" {
		tb.Fatal("TEST_DATABASE_URL and TEST_MIGRATE_DATABASE_URL are not set: run the tests with `make test`")
	}
	name := "fieldops_t_" + randomHex(8)
	ctx := context.Background()
	admin := connect(tb, ownerURL, "postgres")
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`create database %s`, name)); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(tb, ownerURL, name) })
	return mustWithDatabase(tb, appURL, name), mustWithDatabase(tb, ownerURL, name)
}

// dropDatabase drops a test's database once the test closed its pools. Not WITH (FORCE): the owner may not
// terminate the app role's backends, and a plain drop already waits up to 5 s for closed connections to exit.
func dropDatabase(tb testing.TB, ownerURL, name string) {
	ctx := context.Background()
	c := connect(tb, ownerURL, "postgres")
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, fmt.Sprintf(`drop database if exists %s`, name)); err != nil {
		tb.Errorf("dbtest: drop database %s (a connection left open?): %v", name, err)
	}
}

// CreateCompany inserts a company as the owner (tests arrange data past RLS) and returns its id: verified, and
// with sending limits no test reaches unless it sets its own (mail's limit tests do).
func (t *TestDB) CreateCompany(tb testing.TB, name string) int64 {
	tb.Helper()
	var id int64
	if err := t.Owner.QueryRow(context.Background(),
		`insert into companies (name, verified_at, email_hourly_limit, email_daily_limit) values ($1, now(), 1000000, 10000000) returning id`, name).Scan(&id); err != nil {
		tb.Fatalf("dbtest: create company: %v", err)
	}
	return id
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of a database migrated to the current migrations, creating it once. The name carries
// a hash of the migration files, so a changed migration gets a new template; an advisory lock makes the test
// binaries of several packages, started at once, build it only once.
func template(ctx context.Context, ownerURL string) (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = buildTemplate(ctx, ownerURL)
	})
	return templateName, templateErr
}

func buildTemplate(ctx context.Context, ownerURL string) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "fieldops_tmpl_" + sum
	adminURL, err := withDatabase(ownerURL, "postgres")
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `select pg_advisory_lock(7215001)`); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, `select pg_advisory_unlock(7215001)`)

	var exists bool
	if err := admin.QueryRow(ctx, `select exists (select from pg_database where datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Built under a temporary name and renamed when complete, so a killed run never leaves a half-migrated template.
	building := name + "_building"
	if _, err := admin.Exec(ctx, fmt.Sprintf(`drop database if exists %s with (force)`, building)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`create database %s`, building)); err != nil {
		return "", err
	}
	buildingURL, err := withDatabase(ownerURL, building)
	if err != nil {
		return "", err
	}
	if err := db.Migrate(ctx, buildingURL, slog.New(slog.DiscardHandler)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`alter database %s rename to %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func connect(tb testing.TB, url, database string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(context.Background(), mustWithDatabase(tb, url, database))
	if err != nil {
		tb.Fatalf("dbtest: connect: %v", err)
	}
	return c
}

// withDatabase returns the postgres:// URL rawURL with its database replaced.
func withDatabase(rawURL, database string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("dbtest: %q is not a postgres:// URL", rawURL)
	}
	u.Path = "/" + database
	return u.String(), nil
}

func mustWithDatabase(tb testing.TB, rawURL, database string) string {
	tb.Helper()
	s, err := withDatabase(rawURL, database)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
