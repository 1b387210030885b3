package dbtest

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/db"
)

// RoundTrips counts how often the client waited for the server: each run of writes that follows a read (or
// starts the connection) is one round trip.
type RoundTrips struct {
	mu        sync.Mutex
	n         int
	lastWrite bool
}

// Take returns the round trips since the last Take.
func (rt *RoundTrips) Take() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	n := rt.n
	rt.n = 0
	return n
}

type countingConn struct {
	net.Conn
	rt *RoundTrips
}

func (c countingConn) Write(b []byte) (int, error) {
	c.rt.mu.Lock()
	if !c.rt.lastWrite {
		c.rt.n++
	}
	c.rt.lastWrite = true
	c.rt.mu.Unlock()
	return c.Conn.Write(b)
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.rt.mu.Lock()
	c.rt.lastWrite = false
	c.rt.mu.Unlock()
	return n, err
}

// Counting opens a one-connection app-role pool on t's database whose round trips are counted, closed when tb
// ends. Statements are prepared on first use, so callers warm up before counting.
func (t *TestDB) Counting(tb testing.TB) (*db.DB, *RoundTrips) {
	tb.Helper()
	rt := &RoundTrips{}
	cfg, err := pgxpool.ParseConfig(t.AppURL)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MaxConns = 1
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		return countingConn{Conn: c, rt: rt}, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return &db.DB{Pool: pool}, rt
}
