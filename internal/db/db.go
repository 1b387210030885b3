// Package db owns the connections to Postgres: the app pool (always under Row-Level Security), the migrations
// runner (as the owner role), and the only two places that set app.company_id: Read and InCompany.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is the web server's pool, logged in as the app role, so every query on a tenant table is filtered by RLS.
type DB struct {
	Pool *pgxpool.Pool

	writes sync.Map // company id → *atomic.Uint64: how many InCompany transactions committed here
}

// Open connects to url as the app role and checks that RLS binds it (see CheckAppRole). The pool size comes from
// pool_max_conns in the URL, else 4 per CPU (pgxpool's own default of one per CPU starves a busy 2-core server).
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: parse DATABASE_URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.NumCPU()))
	}
	// A page's queries are small, and never gain from compiling to machine code; but a generic plan of a list's
	// optional filters can be estimated costly enough to spend 200 ms in JIT on a 1 ms query (seen on /tasks).
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	if err := CheckAppRole(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (d *DB) Close() { d.Pool.Close() }

// ErrUnsafeRole comes back from CheckAppRole when the server's role could read past Row-Level Security.
var ErrUnsafeRole = errors.New("db: the app role must not be superuser, have BYPASSRLS, or own tables (use DATABASE_URL for the app role, MIGRATE_DATABASE_URL for the owner)")

// CheckAppRole refuses a role that RLS would not bind: a superuser or BYPASSRLS role skips policies, and an
// owner of a table skips them on that table (we do not FORCE RLS, so the owner's definer functions keep working)
// — owning it directly, or through membership of the owning role (SET ROLE, or inheriting its rights).
func CheckAppRole(ctx context.Context, pool *pgxpool.Pool) error {
	var super, bypass bool
	var owned int
	err := pool.QueryRow(ctx, `
		select r.rolsuper,
		       r.rolbypassrls,
		       (select count(*) from pg_class c
		         where c.relkind in ('r', 'p', 'v', 'm')
		           and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
		           and (c.relowner = r.oid or pg_has_role(r.oid, c.relowner, 'MEMBER')))
		  from pg_roles r
		 where r.rolname = current_user`).Scan(&super, &bypass, &owned)
	if err != nil {
		return fmt.Errorf("db: check role: %w", err)
	}
	if super || bypass || owned > 0 {
		return fmt.Errorf("%w (superuser=%t, bypassrls=%t, owns %d tables)", ErrUnsafeRole, super, bypass, owned)
	}
	return nil
}

// Read runs the selects that queue adds to one batch, after setting app.company_id: one pipeline, one round trip,
// one implicit transaction (so the setting, local to it, never outlives the batch). Callbacks registered on the
// queued queries run before Read returns; the first error from a query or a callback comes back.
func (d *DB) Read(ctx context.Context, companyID int64, queue func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	b.Queue(`select set_config('app.company_id', $1, true)`, strconv.FormatInt(companyID, 10))
	queue(b)
	return d.Pool.SendBatch(ctx, b).Close()
}

// InCompany runs fn in a transaction with app.company_id set to companyID; fn's error rolls it back and comes back.
func (d *DB) InCompany(ctx context.Context, companyID int64, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select set_config('app.company_id', $1, true)`, strconv.FormatInt(companyID, 10)); err != nil {
			return fmt.Errorf("db: set company: %w", err)
		}
		return fn(tx)
	})
	if err == nil {
		d.writesOf(companyID).Add(1)
	}
	return err
}

// Writes counts the company's InCompany transactions committed through this DB: what is derived from its data
// and kept in memory (the job list's view counts) is fresh while this number has not moved. Changes made by
// another instance do not move it.
func (d *DB) Writes(companyID int64) uint64 { return d.writesOf(companyID).Load() }

func (d *DB) writesOf(companyID int64) *atomic.Uint64 {
	if n, ok := d.writes.Load(companyID); ok {
		return n.(*atomic.Uint64)
	}
	n, _ := d.writes.LoadOrStore(companyID, new(atomic.Uint64))
	return n.(*atomic.Uint64)
}

// Unavailable says err means the database could not be reached or went away (down, restarting, refusing
// connections, or a connection cut mid-query), not that the query was wrong: the request may succeed in a moment.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	var pg *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), pgconn.Timeout(err), errors.As(err, &netErr),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, pgconn.ErrConnClosed),
		pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exceptions; 57P01–57P03: the server is shutting down or starting up.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	return false
}

// NullID is an optional reference as a column wants it: zero is NULL.
func NullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
