package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchOptions sizes a benchmark company.
type BenchOptions struct {
	Name    string
	Jobs    int // 100,000 by default
	Clients int // 5,000
	Staff   int // 50
	Tasks   int // 100,000; -1 for none
	Seed    uint64
}

func (o *BenchOptions) defaults() {
	if o.Name == "" {
		o.Name = "Bench Co"
	}
	if o.Jobs == 0 {
		o.Jobs = 100_000
	}
	if o.Clients == 0 {
		o.Clients = 5_000
	}
	if o.Staff == 0 {
		o.Staff = 50
	}
	if o.Tasks == 0 {
		o.Tasks = 100_000
	}
}

// BenchResult says what Bench built.
type BenchResult struct {
	CompanyID            int64
	Jobs, Visits, Lines  int
	Clients, Sites       int
	Tasks, TaskComments  int
	AdminEmail, Password string
	Took                 time.Duration
	// Steps says how long each step took, for tuning.
	Steps []string
}

// benchStatuses spreads jobs over the workflow as a firm with years of history has them: most completed.
var benchStatuses = []struct {
	status string
	weight int
}{
	{"completed", 60}, {"open-dispatch", 8}, {"in-progress", 8}, {"awaiting-quality-check", 5},
	{"awaiting-billing", 6}, {"awaiting-payment", 7}, {"deferred", 6},
}

func pickStatus(r *rand.Rand) string {
	n := r.IntN(100)
	for _, s := range benchStatuses {
		if n < s.weight {
			return s.status
		}
		n -= s.weight
	}
	return "completed"
}

// Bench builds a company the size of a firm with years of history — by COPY, as the owner role, in one
// transaction — and returns what it made. Jobs spread over five years, oldest first; the newest 2 % have their
// visits in the fortnight around today, so every view has jobs in it. Its admin logs in with Password.
func Bench(ctx context.Context, owner *pgxpool.Pool, h hasher, o BenchOptions) (BenchResult, error) {
	o.defaults()
	start := time.Now()
	res := BenchResult{Jobs: o.Jobs, Clients: o.Clients, Password: Password}
	r := rand.New(rand.NewPCG(o.Seed, 42))
	last := start
	step := func(name string) {
		res.Steps = append(res.Steps, fmt.Sprintf("%s %s", name, time.Since(last).Round(time.Millisecond)))
		last = time.Now()
	}
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		co := &res.CompanyID
		if err := tx.QueryRow(ctx, `insert into companies (name, seats, time_zone, currency, verified_at) values ($1, $2, 'Pacific/Auckland', 'NZD', now()) returning id`,
			o.Name, o.Staff+100).Scan(co); err != nil {
			return err
		}
		// Staff: the first five are admins.
		hash := h.Hash(Password)
		res.AdminEmail = fmt.Sprintf("staff-0.%d@bench.example", *co)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"accounts"}, []string{"email", "name", "password_hash"},
			pgx.CopyFromSlice(o.Staff, func(i int) ([]any, error) {
				return []any{fmt.Sprintf("staff-%d.%d@bench.example", i, *co), fmt.Sprintf("Staff Member %d", i), hash}, nil
			})); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			insert into memberships (company_id, account_id, role)
			select $1, id, case when row_number() over (order by id) <= 5 then 'admin' else 'co-worker' end
			  from accounts where email like $2 order by id`, *co, fmt.Sprintf("%%.%d@bench.example", *co)); err != nil {
			return fmt.Errorf("memberships: %w", err)
		}
		step("staff")
		staff, err := ids(ctx, tx, `select id from memberships where company_id = $1 order by id`, *co)
		if err != nil {
			return err
		}

		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"clients"}, []string{"company_id", "name", "email", "phone", "billing_address"},
			pgx.CopyFromSlice(o.Clients, func(i int) ([]any, error) {
				return []any{*co, fmt.Sprintf("%s %s %d", benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)], i),
					fmt.Sprintf("client%d@bench-clients.example", i), fmt.Sprintf("09 555 %04d", i%10000),
					fmt.Sprintf("%d %s, Auckland", 1+i%300, benchStreets[i%len(benchStreets)])}, nil
			})); err != nil {
			return fmt.Errorf("clients: %w", err)
		}
		step("clients")
		clients, err := ids(ctx, tx, `select id from clients where company_id = $1 order by id`, *co)
		if err != nil {
			return err
		}
		type site struct{ client, n int }
		var sites []site
		for ci := range clients {
			for n := range 1 + ci%3 {
				sites = append(sites, site{ci, n})
			}
		}
		res.Sites = len(sites)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"sites"}, []string{"company_id", "client_id", "name", "address"},
			pgx.CopyFromSlice(len(sites), func(i int) ([]any, error) {
				s := sites[i]
				return []any{*co, clients[s.client], []string{"Head office", "Warehouse", "Branch"}[s.n],
					fmt.Sprintf("%d %s, Auckland", 1+(s.client*7+s.n)%400, benchStreets[(s.client+s.n)%len(benchStreets)])}, nil
			})); err != nil {
			return fmt.Errorf("sites: %w", err)
		}
		step("sites")
		siteIDs, err := ids(ctx, tx, `select id from sites where company_id = $1 order by id`, *co)
		if err != nil {
			return err
		}
		firstSite := make([]int, len(clients)) // index into sites of each client's first site
		for i := len(sites) - 1; i >= 0; i-- {
			firstSite[sites[i].client] = i
		}
		// Each co-worker serves a slice of the clients.
		coworkers := staff[5:]
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"client_coworkers"}, []string{"company_id", "client_id", "membership_id"},
			pgx.CopyFromSlice(len(clients), func(i int) ([]any, error) {
				return []any{*co, clients[i], coworkers[i%len(coworkers)]}, nil
			})); err != nil {
			return fmt.Errorf("client co-workers: %w", err)
		}

		step("co-workers")
		// Jobs, oldest first, over five years up to now.
		now := time.Now()
		span := 5 * 365 * 24 * time.Hour
		type job struct {
			client, site int
			status       string
			created      time.Time
		}
		jobs := make([]job, o.Jobs)
		for i := range jobs {
			ci := r.IntN(len(clients))
			j := job{client: ci, site: firstSite[ci] + r.IntN(1+ci%3), status: pickStatus(r),
				created: now.Add(-span + time.Duration(float64(span)*float64(i)/float64(o.Jobs)))}
			jobs[i] = j
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"jobs"},
			[]string{"company_id", "number", "client_id", "billing_client_id", "site_id", "title", "description", "status", "deferred_from", "source", "seen_at", "created_by", "created_at", "updated_at"},
			pgx.CopyFromSlice(len(jobs), func(i int) ([]any, error) {
				j := jobs[i]
				var deferredFrom *string
				if j.status == "deferred" {
					s := "awaiting-billing"
					deferredFrom = &s
				}
				source, seen := "office", &j.created
				if i%100 == 0 {
					source = "portal"
					if i > len(jobs)-500 {
						seen = nil // a few recent portal jobs the office has not opened yet
					}
				}
				return []any{*co, int64(1001 + i), clients[j.client], clients[j.client], siteIDs[j.site],
					demoTitles[i%len(demoTitles)], "Bench job.", j.status, deferredFrom, source, seen, staff[i%5], j.created, j.created}, nil
			})); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		step("jobs")
		jobIDs, err := ids(ctx, tx, `select id from jobs where company_id = $1 order by number`, *co)
		if err != nil {
			return err
		}

		// About three visits per job: around its creation, or around today for the newest jobs.
		recent := o.Jobs - o.Jobs/50
		type visit struct {
			job      int
			assignee int64
			start    time.Time
		}
		var visits []visit
		for i, j := range jobs {
			for n := range 1 + r.IntN(5) { // 1..5, three on average
				t := j.created.Add(time.Duration(n*24+r.IntN(48)) * time.Hour)
				if i >= recent {
					t = now.Add(time.Duration(r.IntN(14*24)-7*24) * time.Hour).Truncate(time.Hour)
				}
				var who int64
				if r.IntN(10) > 0 {
					who = staff[r.IntN(len(staff))]
				}
				visits = append(visits, visit{i, who, t})
			}
		}
		res.Visits = len(visits)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visits"}, []string{"company_id", "job_id", "assignee_id", "starts_at", "ends_at"},
			pgx.CopyFromSlice(len(visits), func(i int) ([]any, error) {
				v := visits[i]
				var who *int64
				if v.assignee != 0 {
					who = &v.assignee
				}
				return []any{*co, jobIDs[v.job], who, v.start, v.start.Add(2 * time.Hour)}, nil
			})); err != nil {
			return fmt.Errorf("visits: %w", err)
		}

		step("visits")
		// About four lines per job.
		res.Lines = 0
		lineJob := make([]int, 0, o.Jobs*4)
		for i := range jobs {
			for range 2 + r.IntN(5) { // 2..6
				lineJob = append(lineJob, i)
			}
		}
		res.Lines = len(lineJob)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"job_lines"}, []string{"company_id", "job_id", "description", "quantity_milli", "unit_cost_cents", "unit_price_cents"},
			pgx.CopyFromSlice(len(lineJob), func(i int) ([]any, error) {
				return []any{*co, jobIDs[lineJob[i]], []string{"Labour", "Call-out fee", "Parts and fittings", "Travel"}[i%4],
					int64(1000 * (1 + i%4)), int64(1800 + i%5*500), int64(3250 + i%7*1000)}, nil
			})); err != nil {
			return fmt.Errorf("lines: %w", err)
		}
		step("lines")
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"job_history"}, []string{"company_id", "job_id", "actor_id", "actor_name", "what", "created_at"},
			pgx.CopyFromSlice(len(jobIDs), func(i int) ([]any, error) {
				return []any{*co, jobIDs[i], staff[i%5], fmt.Sprintf("Staff Member %d", i%5), "Job created (bench data)", jobs[i].created}, nil
			})); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		step("history")
		if _, err = tx.Exec(ctx, `insert into job_numbers (company_id, next_number) values ($1, $2)`, *co, 1000+o.Jobs); err != nil {
			return err
		}
		if o.Tasks > 0 {
			return benchTasks(ctx, tx, r, *co, o.Tasks, staff, clients, coworkers, &res, step)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("demo: bench data: %w", err)
	}
	step("commit")
	// Vacuumed as well as analyzed, as a settled database is: the visibility map lets index-only scans skip the
	// heap, and no query pays to set the hint bits of a million fresh rows.
	for _, t := range []string{"accounts", "memberships", "clients", "sites", "client_coworkers", "jobs", "visits", "job_lines", "job_history", "job_counts",
		"tasks", "task_people", "task_comments"} {
		if _, err := owner.Exec(ctx, "vacuum (analyze) "+t); err != nil {
			return res, fmt.Errorf("demo: vacuum %s: %w", t, err)
		}
	}
	step("vacuum")
	res.Took = time.Since(start)
	return res, nil
}

// hasher is what Bench needs of identity.Hasher.
type hasher interface{ Hash(password string) string }

func ids(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]int64, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

var (
	benchFirst   = []string{"Harbour", "Summit", "Kauri", "Pacific", "Totara", "Rimu", "Southern", "Northern", "Coastal", "Valley", "Ridge", "Lakeside"}
	benchLast    = []string{"Apartments", "Medical", "Motors", "Bakery", "Schools", "Freight", "Dental", "Body Corporate", "Cafe", "Storage", "Hotel", "Gym", "Church", "Library", "Hardware"}
	benchStreets = []string{"Queen St", "Dominion Rd", "Great North Rd", "Ponsonby Rd", "Karangahape Rd", "Remuera Rd", "Manukau Rd", "Mt Eden Rd", "Tamaki Dr", "Quay St"}
)

// benchTasks adds n tasks over the last two years, oldest first: four in five for a client, made by the client's
// co-worker, the rest by an admin; each has its requester and one admin on it, a third are still open (most of
// those overdue), and two comments.
func benchTasks(ctx context.Context, tx pgx.Tx, r *rand.Rand, co int64, n int, staff, clients, coworkers []int64, res *BenchResult, step func(string)) error {
	now := time.Now()
	span := 2 * 365 * 24 * time.Hour
	type task struct {
		client    int64
		requester int64
		other     int64
		open      bool
		created   time.Time
	}
	tasks := make([]task, n)
	for i := range tasks {
		admin := r.IntN(5)
		t := task{requester: staff[admin], other: staff[(admin+1)%5], open: r.IntN(3) == 0,
			created: now.Add(-span + time.Duration(float64(span)*float64(i)/float64(n)))}
		if r.IntN(5) > 0 {
			ci := r.IntN(len(clients))
			t.client, t.requester = clients[ci], coworkers[ci%len(coworkers)] // the client's co-worker (see client_coworkers)
		}
		tasks[i] = t
	}
	res.Tasks = n
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"tasks"}, []string{"company_id", "title", "client_id", "due_on", "status", "requester_id", "created_at", "done_at"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			t := tasks[i]
			var client *int64
			if t.client != 0 {
				client = &t.client
			}
			due := t.created.Add(time.Duration(7+i%21) * 24 * time.Hour)
			status, done := "done", &due
			if t.open {
				status, done = "open", nil
			}
			return []any{co, benchTaskTitles[i%len(benchTaskTitles)], client, due, status, t.requester, t.created, done}, nil
		})); err != nil {
		return fmt.Errorf("tasks: %w", err)
	}
	taskIDs, err := ids(ctx, tx, `select id from tasks where company_id = $1 order by id`, co)
	if err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"task_people"}, []string{"company_id", "task_id", "membership_id", "added_by"},
		pgx.CopyFromSlice(2*n, func(i int) ([]any, error) {
			t := tasks[i/2]
			who := t.requester
			if i%2 == 1 {
				who = t.other
			}
			return []any{co, taskIDs[i/2], who, t.requester}, nil
		})); err != nil {
		return fmt.Errorf("task people: %w", err)
	}
	res.TaskComments = 2 * n
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"task_comments"}, []string{"company_id", "task_id", "author_id", "author_name", "body", "created_at"},
		pgx.CopyFromSlice(2*n, func(i int) ([]any, error) {
			t := tasks[i/2]
			return []any{co, taskIDs[i/2], t.requester, "Bench", []string{"On it.", "Done, photos attached."}[i%2], t.created.Add(time.Duration(i%2+1) * time.Hour)}, nil
		})); err != nil {
		return fmt.Errorf("task comments: %w", err)
	}
	step("tasks")
	return nil
}

var benchTaskTitles = []string{"Replace the lobby lights", "Order ladders", "Check the gutters", "Quote the roof repair",
	"Chase the supplier", "Book the scaffolding", "Send the safety plan", "Inspect the fire doors"}
