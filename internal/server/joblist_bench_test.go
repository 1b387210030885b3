package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/demo"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
)

// BenchmarkJobList measures GET /jobs — every view, a search, and a page deep into the list — through the real
// router on a company built by bench-data, at 10,000, 100,000 and 1,000,000 jobs. With BENCH_EXPLAIN set it logs EXPLAIN
// (ANALYZE, BUFFERS) of each view's query at each size. `make bench` runs it.
func BenchmarkJobList(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			tdb := dbtest.New(b)
			ctx := context.Background()
			res, err := demo.Bench(ctx, tdb.Owner, identity.NewHasher(fastArgon2), demo.BenchOptions{Jobs: n})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("bench data: %d jobs, %d visits, %d lines in %s (%s)", res.Jobs, res.Visits, res.Lines, res.Took.Round(time.Millisecond),
				strings.Join(res.Steps, ", "))
			s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.DiscardHandler))
			b.Cleanup(s.Close)
			ts := httptest.NewServer(s)
			b.Cleanup(ts.Close)
			admin := newClient(b, ts)
			admin.login(res.AdminEmail, res.Password)
			u, _ := url.Parse(ts.URL)
			cookies := admin.http.Jar.Cookies(u)

			var deep int64 // a cursor half-way down the list
			tdb.Owner.QueryRow(ctx, `select id from jobs where company_id = $1 order by id limit 1 offset $2`, res.CompanyID, n/2).Scan(&deep)
			queries := []string{}
			for _, v := range jobs.Views {
				queries = append(queries, "view="+string(v.View))
			}
			queries = append(queries, "q=hot+water", "q=harbour", "q=J-1500", fmt.Sprintf("after=%d", deep))
			for _, q := range queries {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						r := httptest.NewRequest("GET", "/jobs?"+q, nil)
						for _, c := range cookies {
							r.AddCookie(c)
						}
						w := httptest.NewRecorder()
						s.ServeHTTP(w, r)
						if w.Code != http.StatusOK {
							b.Fatalf("GET /jobs?%s = %d", q, w.Code)
						}
					}
				})
			}
			if os.Getenv("BENCH_EXPLAIN") == "" {
				return
			}
			for _, q := range queries {
				vals, _ := url.ParseQuery(q)
				f := jobs.ListFilter{View: jobs.View(vals.Get("view")), Q: vals.Get("q")}
				fmt.Sscan(vals.Get("after"), &f.After)
				plan, err := jobs.ExplainList(ctx, tdb.DB, res.CompanyID, jobs.Everything, f)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("EXPLAIN (ANALYZE, BUFFERS) at %d jobs, %s:\n%s", n, q, plan)
			}
		})
	}
}

// benchSizes are the company sizes BenchmarkJobList measures; BENCH_JOBS=100000 picks one.
func benchSizes() []int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_JOBS")); err == nil && n > 0 {
		return []int{n}
	}
	return []int{10_000, 100_000, 1_000_000}
}
