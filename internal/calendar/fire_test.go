package calendar

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db/dbtest"
)

// A reminder due while no server runs fires when one starts, once — even with two instances starting together —
// telling the owner of its calendar and its people in the app; one made for a time already past is not
// announced.
func TestFirer_OnceAcrossARestart(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	member := func(role, name string) (id int64) {
		tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($3, $2, 'x') returning id)
			insert into memberships (company_id, account_id, role) select $1, id, $4 from a returning id`,
			co, name, name+"@x.example", role).Scan(&id)
		return id
	}
	ann, cora := member("admin", "ann"), member("co-worker", "cora")
	run := func() (stop func()) {
		f := &Firer{DB: tdb.DB, Log: slog.New(slog.DiscardHandler), Every: 20 * time.Millisecond}
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { f.Run(ctx); close(done) }()
		return func() { cancel(); <-done }
	}
	// The server runs, then stops before the reminder is due.
	stop := run()
	var id int64
	tdb.Owner.QueryRow(ctx, `insert into reminders (company_id, kind, title, starts_at, ends_at, membership_id)
		values ($1, 'call', 'Ring the caretaker', now() + interval '600 milliseconds', now() + interval '1 hour', $2) returning id`, co, ann).Scan(&id)
	tdb.Owner.Exec(ctx, `insert into reminder_people (company_id, reminder_id, membership_id) values ($1, $2, $3)`, co, id, cora)
	time.Sleep(100 * time.Millisecond)
	stop()
	count := func(who int64) (n int) {
		tdb.Owner.QueryRow(ctx, `select count(*) from notifications where membership_id = $1 and area = 'calendar' and title like 'Call reminder: Ring the caretaker%'`, who).Scan(&n)
		return n
	}
	if count(ann)+count(cora) != 0 {
		t.Fatal("notified before its time")
	}
	time.Sleep(time.Second) // due while no server runs
	if count(ann)+count(cora) != 0 {
		t.Fatal("notified while no server ran")
	}
	// Two instances start at once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			stop := run()
			time.Sleep(300 * time.Millisecond)
			stop()
		})
	}
	wg.Wait()
	if a, c := count(ann), count(cora); a != 1 || c != 1 {
		t.Errorf("after the restart: ann %d, cora %d notifications; want one each", a, c)
	}
	// One made for a time gone by is not announced.
	err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
		_, err := Create(ctx, tx, co, Scope{Member: ann, Admin: true, Office: true}, Form{Kind: KindReminder, Title: "Yesterday's",
			Date: time.Now().AddDate(0, 0, -1).Format("2006-01-02"), AllDay: true, Calendar: fmt.Sprint("person-", ann)}, time.UTC, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &Firer{DB: tdb.DB, Log: slog.New(slog.DiscardHandler)}
	if n, err := f.Once(ctx); n != 0 || err != nil {
		t.Errorf("a reminder for yesterday fired: %d, %v", n, err)
	}
}
