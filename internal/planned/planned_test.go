package planned

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/connections"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

const marker = "MARKER"

type fixture struct {
	tdb                *dbtest.TestDB
	fern, spark, other int64 // the facilities firm, its supplier, a firm not connected
	client, site       int64
	supplier           int64 // Fern's connection to Spark
	office             identity.Viewer
	id                 int64 // the planned job, every never-shared field holding the marker
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	tdb := dbtest.New(t)
	f := fixture{tdb: tdb, fern: tdb.CreateCompany(t, "Fern Facilities"), spark: tdb.CreateCompany(t, "Spark Subs"), other: tdb.CreateCompany(t, "Other Co")}
	var sam int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('sam@spark.example', 'Sam', 'x') returning id)
		insert into memberships (company_id, account_id, role) select $1, a.id, 'admin' from a returning account_id`, f.spark).Scan(&sam)
	var ann int64
	tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ('ann@fern.example', 'Ann', 'x') returning id)
		insert into memberships (company_id, account_id, role) select $1, a.id, 'admin' from a returning id`, f.fern).Scan(&ann)
	f.office = identity.Viewer{CompanyID: f.fern, MembershipID: ann, Name: "Ann"}
	tok := token.New()
	if err := tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) (err error) {
		if f.supplier, err = connections.InviteSubcontractor(ctx, tx, f.fern, ann, connections.InviteForm{Name: "Spark", Email: "sam@spark.example"}, tok.Hash,
			mail.Email{Subject: "s", Text: "t"}); err != nil {
			return err
		}
		_, err = connections.AcceptSubcontractor(ctx, tx, tok.Raw, sam, f.spark, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, email) values ($1, 'Harbour Towers', 'fm@harbour.example') returning id`, f.fern).Scan(&f.client)
	tdb.Owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'Tower A', '1 Quay St') returning id`, f.fern, f.client).Scan(&f.site)
	var chiller int64
	tdb.Owner.QueryRow(ctx, `insert into assets (company_id, site_id, name) values ($1, $2, 'Chiller 2') returning id`, f.fern, f.site).Scan(&chiller)
	form := Form{SiteID: f.site, Title: "Quarterly HVAC service", Type: "Preventive", Description: "Service both chillers", OrderDate: "2026-12-07",
		CostCentre: marker + "-cc", InternalNotifications: marker + "-notify", InternalSLA: marker + "-sla", Gatekeeper: marker + "-gate",
		CustomerSatisfaction: marker + "-csat", SupplierID: f.supplier, Assignees: []int64{ann}}
	if err := tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) (err error) {
		if f.id, err = Create(ctx, tx, f.fern, f.office, form); err != nil {
			return err
		}
		if err := AddLocation(ctx, tx, f.fern, f.office, f.id, "Plant room, level 12"); err != nil {
			return err
		}
		return AddIntervention(ctx, tx, f.fern, f.office, f.id, chiller, "Replace filters")
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// Sharing: the client's and the supplier's views carry the shared fields and none of the never-shared ones (each
// holds a marker; neither view, nor the email the handler builds from it, can show one — SharedJob has no such
// field, and the supplier's definer returns none); while shared only title, description, supplier, cost centre and
// assignees change (any other field: 409 in words); stopping the supplier's share ends its access at once while the
// client's stays; another firm never sees it.
func TestShare(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	share := func(form ShareForm) (rc Recipients, err error) {
		err = f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) (err error) {
			rc, err = Share(ctx, tx, f.fern, f.office, f.id, form)
			return err
		})
		return rc, err
	}
	if _, err := share(ShareForm{}); apperr.AsValidation(err).Field("share_with") == "" {
		t.Fatalf("sharing with nobody: %v", err)
	}
	rc, err := share(ShareForm{Client: true, Supplier: true, Note: "Access via the loading dock"})
	if err != nil {
		t.Fatal(err)
	}
	if rc.ClientContact != "fm@harbour.example" || rc.SupplierEmail != "sam@spark.example" || rc.Supplier != "Spark Subs" {
		t.Fatalf("recipients = %+v", rc)
	}
	var forClient, forSupplier SharedJob
	if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueForClient(b, f.fern, f.client, f.id, &forClient) }); err != nil {
		t.Fatal(err)
	}
	if err := f.tdb.Read(ctx, f.spark, func(b *pgx.Batch) { QueueForSupplier(b, f.fern, f.id, &forSupplier) }); err != nil {
		t.Fatal(err)
	}
	for who, j := range map[string]SharedJob{"client": forClient, "supplier": forSupplier} {
		if all := fmt.Sprintf("%+v", j); strings.Contains(all, marker) {
			t.Errorf("the %s's view holds a never-shared field: %s", who, all)
		}
		if j.Title != "Quarterly HVAC service" || j.Type != "Preventive" || j.Description != "Service both chillers" || j.OrderDate == nil ||
			j.Building != "Tower A" || j.Note != "Access via the loading dock" || len(j.Locations) != 1 || len(j.Interventions) != 1 ||
			j.Interventions[0].AssetName != "Chiller 2" || j.Owner != "Fern Facilities" {
			t.Errorf("the %s's view = %+v", who, j)
		}
	}
	// Another firm sees nothing of it.
	var none SharedJob
	if err := f.tdb.Read(ctx, f.other, func(b *pgx.Batch) { QueueForSupplier(b, f.fern, f.id, &none) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another firm's read: %v", err)
	}
	// Locked while shared.
	var p PlannedJob
	var d Details
	f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueGet(b, f.fern, Everything, f.id, &p, &d) })
	update := func(change func(*Form)) error {
		form := FormOf(p, d.Assignees)
		change(&form)
		return f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return Update(ctx, tx, f.fern, f.office, f.id, form) })
	}
	if err := update(func(fm *Form) { fm.OrderDate = "2026-12-14" }); !errors.Is(err, apperr.ErrConflict) ||
		!strings.Contains(apperr.AsValidation(err).FormMessage(), "order date cannot change: Stop sharing") {
		t.Fatalf("moving the order date while shared: %v, want 409 in words", err)
	}
	if err := update(func(fm *Form) { fm.Title, fm.CostCentre = "Quarterly HVAC service (Tower A)", "CC-99" }); err != nil {
		t.Fatalf("editing the title and cost centre while shared: %v", err)
	}
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return AddLocation(ctx, tx, f.fern, f.office, f.id, "Roof") }); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("a location while shared: %v, want 409", err)
	}
	// The supplier comments and adds a document; the client comments.
	if err := f.tdb.InCompany(ctx, f.spark, func(tx pgx.Tx) error {
		if err := SupplierComment(ctx, tx, f.fern, f.id, "Sam", "Filters ordered"); err != nil {
			return err
		}
		return SupplierDocument(ctx, tx, f.fern, f.id, "Sam", files.Upload{Name: "quote.pdf", Data: []byte("%PDF-1.4 quote")})
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error {
		if err := CheckClient(ctx, tx, f.fern, f.client, f.id); err != nil {
			return err
		}
		return Comment(ctx, tx, f.fern, "client", "Fran", f.id, "Dock opens at 7")
	}); err != nil {
		t.Fatal(err)
	}
	f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueGet(b, f.fern, Everything, f.id, &p, &d) })
	got := fmt.Sprintf("%+v", d.Activity)
	for _, want := range []string{"Sam (Spark Subs) Kind:comment Body:Filters ordered", "Added the document quote.pdf", "Fran Kind:comment Body:Dock opens at 7"} {
		if !strings.Contains(got, want) {
			t.Errorf("History lacks %q: %s", want, got)
		}
	}
	// A document the office keeps internal reaches neither.
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error {
		_, err := files.Save(ctx, tx, files.Postgres{DB: f.tdb.DB}, f.fern, files.Owner{PlannedJobID: f.id}, 0,
			files.Upload{Name: "MARKER-budget.pdf", Data: []byte("%PDF-1.4 budget"), Party: "office"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var again, againSupplier SharedJob
	f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueForClient(b, f.fern, f.client, f.id, &again) })
	f.tdb.Read(ctx, f.spark, func(b *pgx.Batch) { QueueForSupplier(b, f.fern, f.id, &againSupplier) })
	if strings.Contains(fmt.Sprintf("%+v %+v", again.Documents, againSupplier.Documents), marker) ||
		len(againSupplier.Documents) != 1 {
		t.Errorf("documents: the client sees %+v, the supplier %+v; want the supplier's quote only", again.Documents, againSupplier.Documents)
	}
	// The building cannot move to another client while shared with its client.
	var otherClient int64
	f.tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Other Owner') returning id`, f.fern).Scan(&otherClient)
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return SetBuildingClient(ctx, tx, f.fern, f.site, otherClient) }); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("moving a shared building: %v, want 409", err)
	}

	// Stop sharing with the supplier: its access ends; the client's stays.
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return StopSharing(ctx, tx, f.fern, f.office, f.id, "supplier") }); err != nil {
		t.Fatal(err)
	}
	var after SharedJob
	if err := f.tdb.Read(ctx, f.spark, func(b *pgx.Batch) { QueueForSupplier(b, f.fern, f.id, &after) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the supplier after Stop sharing: %v", err)
	}
	if err := f.tdb.InCompany(ctx, f.spark, func(tx pgx.Tx) error { return SupplierComment(ctx, tx, f.fern, f.id, "Sam", "Still here?") }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the supplier commenting after Stop sharing: %v", err)
	}
	if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueForClient(b, f.fern, f.client, f.id, &after) }); err != nil {
		t.Fatalf("the client after the supplier's Stop sharing: %v", err)
	}
	if err := f.tdb.InCompany(ctx, f.fern, func(tx pgx.Tx) error { return StopSharing(ctx, tx, f.fern, f.office, f.id, "client") }); err != nil {
		t.Fatal(err)
	}
	if err := f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueForClient(b, f.fern, f.client, f.id, &after) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the client after Stop sharing: %v", err)
	}
	// Another supplier ends the old one's share (sharing with the new one is a step of its own).
	if _, err := share(ShareForm{Supplier: true}); err != nil {
		t.Fatal(err)
	}
	f.tdb.Read(ctx, f.fern, func(b *pgx.Batch) { QueueGet(b, f.fern, Everything, f.id, &p, &d) })
	if err := update(func(fm *Form) { fm.SupplierID = 0 }); err != nil {
		t.Fatal(err)
	}
	if err := f.tdb.Read(ctx, f.spark, func(b *pgx.Batch) { QueueForSupplier(b, f.fern, f.id, &after) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the old supplier after the supplier changed: %v", err)
	}
	// Unshared, every field may change again.
	if err := update(func(fm *Form) { fm.OrderDate = "2026-12-14" }); err != nil {
		t.Fatalf("the order date once unshared: %v", err)
	}
}
