package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// TestRelated_OnlyWhatTheViewerSees: a co-worker who sees a job through a visit assigned to them sees none of
// its subjobs or recalls that lie outside their scope (their titles and totals are other work).
func TestRelated_OnlyWhatTheViewerSees(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	job := a.create(t, "Rewire")
	var sub, recall int64
	err := a.in(t, func(tx pgx.Tx) (err error) {
		if err = a.visit(ctx, tx, job, a.coworker); err != nil {
			return err
		}
		if sub, _, err = CreateSubjob(ctx, tx, a.co, Everything, a.by, job, "Stage 2", nil); err != nil {
			return err
		}
		recall, err = LinkRecall(ctx, tx, a.co, Everything, a.by, job, "", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cw := Scope{Member: a.coworker, Clients: true}
	var parent Job
	var subs, recalls []Related
	err = tdb.Read(ctx, a.co, func(b *pgx.Batch) {
		QueueGet(b, a.co, cw, job, &parent)
		QueueSubjobs(b, a.co, cw, job, &subs)
		QueueRecalls(b, a.co, cw, job, &recalls)
	})
	if err != nil {
		t.Fatalf("the co-worker cannot see the job with their visit: %v", err)
	}
	if len(subs) != 0 || len(recalls) != 0 {
		t.Errorf("co-worker sees %d subjobs and %d recalls outside their scope, want none", len(subs), len(recalls))
	}
	tdb.Read(ctx, a.co, func(b *pgx.Batch) {
		QueueSubjobs(b, a.co, Everything, job, &subs)
		QueueRecalls(b, a.co, Everything, job, &recalls)
	})
	if len(subs) != 1 || subs[0].ID != sub || len(recalls) != 1 || recalls[0].ID != recall {
		t.Errorf("an admin sees subjobs %+v and recalls %+v, want one each", subs, recalls)
	}
}

// TestUpdate_ClientUserPicksOnlyTheirOwnSites: a client user edits a job where their client is the billing
// client; the job's client's sites are not theirs to pick.
func TestUpdate_ClientUserPicksOnlyTheirOwnSites(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	var payer, payerSite int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Payer') returning id`, a.co).Scan(&payer)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Payer HQ', '2 Road') returning id`,
		a.co, payer).Scan(&payerSite)
	job := a.create(t, "Leak")
	if err := a.in(t, func(tx pgx.Tx) error { return SetBillingClient(ctx, tx, a.co, Everything, a.by, job, payer) }); err != nil {
		t.Fatal(err)
	}
	payerUser := Scope{Client: payer}
	for name, site := range map[string]int64{"the job's client's site": a.site, "their own site at another client's job": payerSite} {
		err := a.in(t, func(tx pgx.Tx) error {
			return Update(ctx, tx, a.co, payerUser, a.by, job, Form{Title: "Leak", SiteID: site})
		})
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	err := a.in(t, func(tx pgx.Tx) error {
		return Update(ctx, tx, a.co, payerUser, a.by, job, Form{Title: "Leak", Address: "3 Free St"})
	})
	if err != nil {
		t.Errorf("a free address: %v", err)
	}
}

// TestScopeFor: each role's scope, and the zero scope, which sees nothing — in the per-row SQL and in the
// literal the lists use.
func TestScopeFor(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	var other, otherJob int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Other') returning id`, a.co).Scan(&other)
	mine := a.create(t, "Assigned client's job")
	err := a.in(t, func(tx pgx.Tx) (err error) {
		otherJob, _, err = Create(ctx, tx, a.co, Everything, a.by, Form{ClientID: other, Title: "Other client's job"}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, a.co, a.client, a.coworker)
	client := a.client
	cases := []struct {
		name  string
		scope Scope
		sees  []int64
	}{
		{"admin", ScopeFor(&identity.Viewer{Role: identity.RoleAdmin, MembershipID: a.admin}), []int64{mine, otherJob}},
		{"co-worker", ScopeFor(&identity.Viewer{Role: identity.RoleCoWorker, MembershipID: a.coworker}), []int64{mine}},
		{"subcontractor with no visit", ScopeFor(&identity.Viewer{Role: identity.RoleSubcontractor, MembershipID: a.coworker}), nil},
		{"client user", ScopeFor(&identity.Viewer{Role: identity.RoleClient, ClientID: &client}), []int64{mine}},
		{"client user without a client", ScopeFor(&identity.Viewer{Role: identity.RoleClient}), nil},
		{"guest", ScopeFor(&identity.Viewer{Role: identity.RoleGuest, MembershipID: a.admin}), nil},
		{"the zero scope", Scope{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var page ListPage
			counts := map[View]int64{}
			err := tdb.Read(ctx, a.co, func(b *pgx.Batch) {
				QueueList(b, a.co, c.scope, ListFilter{}, &page)
				QueueCounts(b, a.co, c.scope, Day{}, counts)
				for _, id := range []int64{mine, otherJob} {
					var j Job
					QueueGet(b, a.co, c.scope, id, &j)
				}
			})
			var listed []int64
			for _, r := range page.Rows {
				listed = append(listed, r.ID)
			}
			if !sameIDs(listed, c.sees) || counts[ViewAll] != int64(len(c.sees)) {
				t.Errorf("list %v (count %d), want %v", listed, counts[ViewAll], c.sees)
			}
			if (len(c.sees) < 2) != (err != nil) {
				t.Errorf("QueueGet of both jobs: %v", err)
			}
		})
	}
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// recorder is an Announcer that notes the jobs it is told of.
type recorder struct{ added []int64 }

func (r *recorder) JobAdded(_ context.Context, _ pgx.Tx, _ int64, _ Actor, jobID int64) error {
	r.added = append(r.added, jobID)
	return nil
}

// TestAnnouncer: every job added for real is announced in its transaction — New job, a subjob, a new recall
// job — and linking an existing job as a recall announces nothing.
func TestAnnouncer(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	rec := &recorder{}
	var job, sub, recall, existing int64
	err := a.in(t, func(tx pgx.Tx) (err error) {
		if job, _, err = Create(ctx, tx, a.co, Everything, a.by, Form{ClientID: a.client, Title: "Job"}, rec); err != nil {
			return err
		}
		if sub, _, err = CreateSubjob(ctx, tx, a.co, Everything, a.by, job, "Stage", rec); err != nil {
			return err
		}
		if recall, err = LinkRecall(ctx, tx, a.co, Everything, a.by, job, "", rec); err != nil {
			return err
		}
		var number int64
		if existing, number, err = Create(ctx, tx, a.co, Everything, a.by, Form{ClientID: a.client, Title: "Existing"}, nil); err != nil {
			return err
		}
		_, err = LinkRecall(ctx, tx, a.co, Everything, a.by, sub, Ref(number), rec)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{job, sub, recall}; !slices.Equal(rec.added, want) {
		t.Errorf("announced %v, want %v (not the linked existing job %d)", rec.added, want, existing)
	}
}

// TestList_CoworkerPagesFromTheirSide: a co-worker's pages, reached from their assigned clients and their visits,
// hold each of their jobs once, newest first, however many visits they have on a job — page after page.
func TestList_CoworkerPagesFromTheirSide(t *testing.T) {
	tdb := dbtest.New(t)
	a := newFixture(t, tdb, "A")
	ctx := context.Background()
	var other int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Other') returning id`, a.co).Scan(&other)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, a.co, a.client, a.coworker)
	var want []int64
	for i := range 160 {
		err := a.in(t, func(tx pgx.Tx) error {
			client := other
			if i%9 == 0 {
				client = a.client // assigned: the co-worker's without a visit
			}
			id, _, err := Create(ctx, tx, a.co, Everything, a.by, Form{ClientID: client, Title: fmt.Sprint("Job ", i)}, nil)
			if err != nil {
				return err
			}
			switch {
			case client == a.client:
				want = append(want, id)
			case i%2 == 0: // two visits of theirs on the job
				for range 2 {
					if err := a.visit(ctx, tx, id, a.coworker); err != nil {
						return err
					}
				}
				want = append(want, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Reverse(want)
	cw := Scope{Member: a.coworker, Clients: true}
	var got []int64
	f := ListFilter{}
	for {
		p := a.list(t, cw, f)
		for _, r := range p.Rows {
			got = append(got, r.ID)
		}
		if !p.More {
			break
		}
		f.After = p.Rows[len(p.Rows)-1].ID
	}
	if len(want) <= PageSize || !slices.Equal(got, want) {
		t.Errorf("the co-worker's pages: %d jobs %v, want %d %v", len(got), got, len(want), want)
	}
}
