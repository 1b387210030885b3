package files

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
)

// TestQueueGet_Ownership: a file is found only through its own owner — a site's file only with that site's
// client — and, for the client's eyes, only when it is marked for the client. The checks are the query's.
func TestQueueGet_Ownership(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	var harbour, other, site, job int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, co).Scan(&harbour)
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Other') returning id`, co).Scan(&other)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Block A', '1 Quay St') returning id`,
		co, harbour).Scan(&site)
	tdb.Owner.QueryRow(ctx, `
		insert into jobs (company_id, number, client_id, billing_client_id, title) values ($1, 1001, $2, $2, 'Leak')
		returning id`, co, harbour).Scan(&job)
	save := func(owner Owner, visible bool) File {
		var f File
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			f, err = Save(ctx, tx, Postgres{DB: tdb.DB}, co, owner, 0, Upload{Name: "note.txt", Data: []byte("hello"), VisibleToClient: visible})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	siteFile := save(Owner{SiteID: site}, false)
	jobFile := save(Owner{JobID: job}, false)
	shared := save(Owner{JobID: job}, true)

	cases := []struct {
		name       string
		owner      Owner
		id         int64
		clientOnly bool
		found      bool
	}{
		{"a site's file with its client", Owner{SiteID: site, ClientID: harbour}, siteFile.ID, false, true},
		{"a site's file named with another client", Owner{SiteID: site, ClientID: other}, siteFile.ID, false, false},
		{"a job's file", Owner{JobID: job}, jobFile.ID, false, true},
		{"a job's file through a site", Owner{SiteID: site, ClientID: harbour}, jobFile.ID, false, false},
		{"a site's file through a job", Owner{JobID: job}, siteFile.ID, false, false},
		{"an internal file for the client", Owner{JobID: job}, jobFile.ID, true, false},
		{"a file marked for the client", Owner{JobID: job}, shared.ID, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f File
			err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueGet(b, co, c.owner, c.id, c.clientOnly, &f) })
			switch {
			case c.found && (err != nil || f.ID != c.id):
				t.Errorf("QueueGet = %v (file %d), want file %d", err, f.ID, c.id)
			case !c.found && !errors.Is(err, apperr.ErrNotFound):
				t.Errorf("QueueGet = %v, want ErrNotFound", err)
			}
		})
	}
	var list []File
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueList(b, co, Owner{SiteID: site, ClientID: other}, false, &list) }); err != nil || len(list) != 0 {
		t.Errorf("QueueList of a site named with another client = %v, %d files; want none", err, len(list))
	}
}
