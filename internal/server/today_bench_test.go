package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/demo"
	"fieldops/internal/identity"
)

// BenchmarkToday measures GET / — Today — for an admin and a co-worker of a bench-data company (100,000 jobs by
// default; BENCH_JOBS picks another size): with the workflow's counts kept in memory as `fieldops serve` keeps them
// (COUNTS_CACHE_TTL), and recounted at every request. `make bench` runs it.
func BenchmarkToday(b *testing.B) {
	n := benchSizes()[0]
	if len(benchSizes()) > 1 {
		n = 100_000
	}
	tdb := dbtest.New(b)
	ctx := context.Background()
	res, err := demo.Bench(ctx, tdb.Owner, identity.NewHasher(fastArgon2), demo.BenchOptions{Jobs: n, Tasks: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	var coworker string
	tdb.Owner.QueryRow(ctx, `select a.email from memberships m join accounts a on a.id = m.account_id
		where m.company_id = $1 and m.role = 'co-worker' order by m.id limit 1`, res.CompanyID).Scan(&coworker)
	for _, ttl := range []time.Duration{10 * time.Second, 0} {
		s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2, CountsCacheTTL: ttl}, tdb.DB, slog.New(slog.DiscardHandler))
		b.Cleanup(s.Close)
		ts := httptest.NewServer(s)
		b.Cleanup(ts.Close)
		counts := "counts-kept"
		if ttl == 0 {
			counts = "counts-recounted"
		}
		for _, who := range []struct{ name, email string }{{"admin", res.AdminEmail}, {"co-worker", coworker}} {
			c := newClient(b, ts)
			c.login(who.email, res.Password)
			u, _ := url.Parse(ts.URL)
			cookies := c.http.Jar.Cookies(u)
			b.Run(fmt.Sprintf("jobs=%d/%s/%s", n, counts, who.name), func(b *testing.B) {
				for b.Loop() {
					r := httptest.NewRequest("GET", "/", nil)
					for _, c := range cookies {
						r.AddCookie(c)
					}
					w := httptest.NewRecorder()
					s.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("GET / = %d", w.Code)
					}
				}
			})
		}
	}
}
