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

// BenchmarkTaskList measures GET /tasks — the filters, a search, a page deep into the list — for an admin (every
// task) and a co-worker (the tasks they are on), at 10,000 and 100,000 tasks in a bench-data company: the list
// should stay flat as the tasks grow. `make bench` runs it.
func BenchmarkTaskList(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			tdb := dbtest.New(b)
			ctx := context.Background()
			res, err := demo.Bench(ctx, tdb.Owner, identity.NewHasher(fastArgon2), demo.BenchOptions{Jobs: 2_000, Tasks: n})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("bench data: %d tasks, %d comments in %s", res.Tasks, res.TaskComments, res.Took.Round(time.Millisecond))
			s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.DiscardHandler))
			b.Cleanup(s.Close)
			ts := httptest.NewServer(s)
			b.Cleanup(ts.Close)
			var client, deep int64
			var coworker string
			tdb.Owner.QueryRow(ctx, `select client_id from tasks where company_id = $1 and client_id is not null order by id desc limit 1`, res.CompanyID).Scan(&client)
			tdb.Owner.QueryRow(ctx, `select id from tasks where company_id = $1 order by id limit 1 offset $2`, res.CompanyID, n/2).Scan(&deep)
			tdb.Owner.QueryRow(ctx, `select a.email from memberships m join accounts a on a.id = m.account_id
				where m.company_id = $1 and m.role = 'co-worker' order by m.id limit 1`, res.CompanyID).Scan(&coworker)
			for _, who := range []struct{ name, email string }{{"admin", res.AdminEmail}, {"co-worker", coworker}} {
				c := newClient(b, ts)
				c.login(who.email, res.Password)
				u, _ := url.Parse(ts.URL)
				cookies := c.http.Jar.Cookies(u)
				for _, q := range []string{"", "status=all", "status=done", "q=gutters", "overdue=1", "mine=1", "requested=1",
					fmt.Sprintf("client=%d&status=all", client), fmt.Sprintf("status=all&before=%d", deep)} {
					b.Run(who.name+"/"+q, func(b *testing.B) {
						for b.Loop() {
							r := httptest.NewRequest("GET", "/tasks?"+q, nil)
							for _, c := range cookies {
								r.AddCookie(c)
							}
							w := httptest.NewRecorder()
							s.ServeHTTP(w, r)
							if w.Code != http.StatusOK {
								b.Fatalf("GET /tasks?%s = %d", q, w.Code)
							}
						}
					})
				}
			}
		})
	}
}
