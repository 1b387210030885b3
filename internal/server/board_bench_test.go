package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/demo"
	"fieldops/internal/identity"
)

// BenchmarkBoard measures GET /calendar/board — this week's dispatch board — for an admin and a co-worker of a
// bench-data company (100,000 jobs, about 300,000 visits, 50 staff by default; BENCH_JOBS picks another size).
// The target: under 30 ms a board. `make bench` runs it.
func BenchmarkBoard(b *testing.B) {
	n := benchSizes()[0]
	if len(benchSizes()) > 1 {
		n = 100_000
	}
	tdb := dbtest.New(b)
	ctx := context.Background()
	res, err := demo.Bench(ctx, tdb.Owner, identity.NewHasher(fastArgon2), demo.BenchOptions{Jobs: n, Tasks: 1})
	if err != nil {
		b.Fatal(err)
	}
	var coworker string
	var visits int
	tdb.Owner.QueryRow(ctx, `select a.email from memberships m join accounts a on a.id = m.account_id
		where m.company_id = $1 and m.role = 'co-worker' order by m.id limit 1`, res.CompanyID).Scan(&coworker)
	tdb.Owner.QueryRow(ctx, `select count(*) from visits where company_id = $1`, res.CompanyID).Scan(&visits)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.DiscardHandler))
	b.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	b.Cleanup(ts.Close)
	for _, who := range []struct{ name, email string }{{"admin", res.AdminEmail}, {"co-worker", coworker}} {
		c := newClient(b, ts)
		c.login(who.email, res.Password)
		u, _ := url.Parse(ts.URL)
		cookies := c.http.Jar.Cookies(u)
		b.Run(fmt.Sprintf("jobs=%d/visits=%d/%s", n, visits, who.name), func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("GET", "/calendar/board", nil)
				for _, c := range cookies {
					r.AddCookie(c)
				}
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("GET /calendar/board = %d", w.Code)
				}
			}
		})
	}
}
