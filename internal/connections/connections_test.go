package connections

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

// world is three firms: a customer (Crescent) that assigns work to a contractor (Kauri), which passes it on to a
// subcontractor (Spark); each with an admin login.
type world struct {
	tdb                 *dbtest.TestDB
	crescent, kauri, sp int64 // companies
	admin               map[int64]int64
	clerk               int64 // an account with no admin role anywhere (a co-worker at Spark)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	tdb := dbtest.New(t)
	w := &world{tdb: tdb, admin: map[int64]int64{}}
	w.crescent, w.kauri, w.sp = tdb.CreateCompany(t, "Crescent Properties"), tdb.CreateCompany(t, "Kauri Electrical"), tdb.CreateCompany(t, "Spark Subs")
	for i, co := range []int64{w.crescent, w.kauri, w.sp} {
		w.admin[co] = w.account(t, co, "admin", []string{"cara@crescent.example", "kim@kauri.example", "sam@spark.example"}[i])
	}
	w.clerk = w.account(t, w.sp, "co-worker", "cole@spark.example")
	return w
}

func (w *world) account(t *testing.T, co int64, role, email string) (id int64) {
	t.Helper()
	if err := w.tdb.Owner.QueryRow(context.Background(), `
		with a as (insert into accounts (email, name, password_hash) values ($1::text, $1::text, 'x') returning id)
		insert into memberships (company_id, account_id, role) select $2, a.id, $3 from a returning account_id`,
		email, co, role).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *world) in(t *testing.T, co int64, fn func(tx pgx.Tx) error) error {
	t.Helper()
	return w.tdb.InCompany(context.Background(), co, fn)
}

// connectSub invites firm as hirer's subcontractor and accepts it as the firm's admin; it returns the connection id.
func (w *world) connectSub(t *testing.T, hirer, firm int64, email string) int64 {
	t.Helper()
	ctx := context.Background()
	tok := token.New()
	var id int64
	if err := w.in(t, hirer, func(tx pgx.Tx) (err error) {
		id, err = InviteSubcontractor(ctx, tx, hirer, 0, InviteForm{Name: "Typed name", Email: email}, tok.Hash, mail.Email{Subject: "s", Text: "t"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.in(t, hirer, func(tx pgx.Tx) error {
		_, err := AcceptSubcontractor(ctx, tx, tok.Raw, w.admin[firm], firm, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// allRows is every row a company holds in any table, as text: what a test scans for a value that must not be there.
func (w *world) allRows(t *testing.T, co int64) string {
	t.Helper()
	ctx := context.Background()
	rows, err := w.tdb.Owner.Query(ctx, `
		select c.table_name from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
		 where c.table_schema = 'public' and c.column_name = 'company_id' and t.table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := w.tdb.Owner.Query(ctx, `select x::text from `+pgx.Identifier{table}.Sanitize()+` x where company_id = $1`, co)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			b.WriteString(table + ": " + s + "\n")
		}
	}
	var name string
	w.tdb.Owner.QueryRow(ctx, `select c::text from companies c where id = $1`, co).Scan(&name)
	return b.String() + name
}

// Connecting: a subcontractor invitation accepted by the firm's admin connects both sides (the firm gets a client
// standing for the inviter); the link works once; a login that runs no company cannot use it; inviting the same
// email again is refused in words; a client user's invitation accepted as a company connects that company as the
// inviter's customer, on its client record.
func TestConnect(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()

	tok := token.New()
	var id int64
	if err := w.in(t, w.kauri, func(tx pgx.Tx) (err error) {
		id, err = InviteSubcontractor(ctx, tx, w.kauri, 0, InviteForm{Name: "Sparky", Email: "sam@spark.example"}, tok.Hash, mail.Email{Subject: "s", Text: "t"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	co, found, err := Lookup(ctx, w.tdb.Pool, tok.Raw)
	if err != nil || co != w.kauri || found != id {
		t.Fatalf("Lookup = %d, %d, %v", co, found, err)
	}
	firms, has, err := FirmsOf(ctx, w.tdb.Pool, "sam@spark.example")
	if err != nil || !has || len(firms) != 1 || firms[0].ID != w.sp {
		t.Fatalf("FirmsOf = %+v, %v, %v", firms, has, err)
	}
	accept := func(raw string, account, firm int64, name string) (id int64, err error) {
		err = w.in(t, w.kauri, func(tx pgx.Tx) (err error) {
			id, err = AcceptSubcontractor(ctx, tx, raw, account, firm, name)
			return err
		})
		return id, err
	}
	if _, err := accept(tok.Raw, w.clerk, w.sp, ""); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("a co-worker's acceptance: %v, want ErrNotAdmin", err)
	}
	if _, err := accept(hex.EncodeToString(tok.Hash), w.admin[w.sp], w.sp, ""); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the stored hash as the token: %v, want ErrNotFound", err)
	}
	if _, err := accept(tok.Raw, w.admin[w.sp], w.sp, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := accept(tok.Raw, w.admin[w.sp], w.sp, ""); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the link used twice: %v, want ErrNotFound", err)
	}
	// Another invitation, taken by a new company of the same login; its name is checked first.
	again := token.New()
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error {
		_, err := InviteSubcontractor(ctx, tx, w.kauri, 0, InviteForm{Name: "Second", Email: "sam2@spark.example"}, again.Hash, mail.Email{Subject: "s", Text: "t"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := accept(again.Raw, w.admin[w.sp], 0, " "); apperr.AsValidation(err).Field("company_name") == "" {
		t.Fatalf("a new company without a name: %v", err)
	}
	second, err := accept(again.Raw, w.admin[w.sp], 0, "Spark North")
	var name string
	w.tdb.Owner.QueryRow(ctx, `select c.name from companies c join memberships m on m.company_id = c.id
		where c.id = $1 and m.account_id = $2 and m.role = 'admin'`, second, w.admin[w.sp]).Scan(&name)
	if err != nil || name != "Spark North" {
		t.Fatalf("a new company on acceptance: %q, %v", name, err)
	}
	// The app cannot make a connection up, nor delete one that is made.
	err = w.in(t, w.crescent, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `insert into connections (company_id, kind, name, peer_company_id, peer_id, connected_at)
			values ($1, 'subcontractor', 'Fake', $2, 1, now())`, w.crescent, w.sp)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("the app inserting a connected row: %v, want permission denied", err)
	}
	var deleted int64
	w.in(t, w.kauri, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `delete from connections where company_id = $1`, w.kauri)
		deleted = tag.RowsAffected()
		return err
	})
	if deleted != 0 {
		t.Fatalf("the app deleted %d connected rows", deleted)
	}
	var l Lists
	if err := w.tdb.Read(ctx, w.kauri, func(b *pgx.Batch) { QueueLists(b, w.kauri, "", &l) }); err != nil {
		t.Fatal(err)
	}
	if len(l.Subcontractors) != 2 || l.Subcontractors[0].Name != "Spark North" || l.Subcontractors[1].Name != "Spark Subs" ||
		l.Subcontractors[1].State != StateConnected {
		t.Fatalf("Kauri's subcontractors = %+v", l.Subcontractors)
	}
	if err := w.tdb.Read(ctx, w.sp, func(b *pgx.Batch) { QueueLists(b, w.sp, "kauri", &l) }); err != nil {
		t.Fatal(err)
	}
	if len(l.Customers) != 1 || l.Customers[0].Name != "Kauri Electrical" || l.Customers[0].State != StateConnected {
		t.Fatalf("Spark's customers = %+v", l.Customers)
	}
	err = w.in(t, w.kauri, func(tx pgx.Tx) error {
		_, err := InviteSubcontractor(ctx, tx, w.kauri, 0, InviteForm{Name: "Again", Email: "SAM@spark.example"}, token.New().Hash, mail.Email{Subject: "s", Text: "t"})
		return err
	})
	if v := apperr.AsValidation(err); v == nil || v.Field("email") != "This subcontractor is connected already." {
		t.Fatalf("inviting a connected firm again: %v", err)
	}

	// Crescent joins Kauri as a customer through a client user's invitation.
	var client int64
	w.tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name, email) values ($1, 'Crescent', 'cara@crescent.example') returning id`, w.kauri).Scan(&client)
	inv := token.New()
	w.tdb.Owner.Exec(ctx, `insert into invitations (company_id, email, role, token_hash, expires_at, client_id)
		values ($1, 'cara@crescent.example', 'client', $2, now() + interval '7 days', $3)`, w.kauri, inv.Hash, client)
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error {
		return AcceptAsCustomer(ctx, tx, hex.EncodeToString(inv.Hash), w.admin[w.crescent], w.crescent)
	}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the stored hash as the token: %v, want ErrNotFound", err)
	}
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error { return AcceptAsCustomer(ctx, tx, inv.Raw, w.admin[w.kauri], w.kauri) }); err == nil {
		t.Fatal("a company connected to itself")
	}
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error { return AcceptAsCustomer(ctx, tx, inv.Raw, w.admin[w.crescent], w.crescent) }); err != nil {
		t.Fatal(err)
	}
	if err := w.tdb.Read(ctx, w.kauri, func(b *pgx.Batch) { QueueLists(b, w.kauri, "cresc", &l) }); err != nil {
		t.Fatal(err)
	}
	if len(l.Customers) != 1 || l.Customers[0].ClientID != client || l.Customers[0].State != StateConnected || l.Customers[0].Firm != "Crescent Properties" {
		t.Fatalf("Kauri's customers = %+v", l.Customers)
	}
	var crescentFirms []Firm
	if err := w.tdb.Read(ctx, w.crescent, func(b *pgx.Batch) { QueueFirms(b, w.crescent, &crescentFirms) }); err != nil {
		t.Fatal(err)
	}
	if len(crescentFirms) != 1 || crescentFirms[0].Name != "Kauri Electrical" {
		t.Fatalf("Crescent's Assign to = %+v", crescentFirms)
	}
}

const marker = "MARKER"

// Assigning down a chain — Crescent's job to Kauri, Kauri's to Spark — copies title, description, the site's
// address and the agreed price, and no other field: every never-shared field of the assigning job holds a marker,
// and no row of the next company holds one; Spark never sees Crescent, Crescent never sees Spark; the customer's
// details reach Spark only once Kauri's Privacy setting allows; Spark's visits, status and notes for the client
// flow back under its name (to Crescent under Kauri's); withdrawing removes Spark's job at once.
func TestAssign(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	toKauri := w.connectSub(t, w.crescent, w.kauri, "kim@kauri.example")
	toSpark := w.connectSub(t, w.kauri, w.sp, "sam@spark.example")
	owner := w.tdb.Owner

	// Crescent's job, every field not shared holding the marker.
	var client, site, job int64
	owner.QueryRow(ctx, `insert into clients (company_id, name, email, phone, billing_address, notes)
		values ($1, 'MARKER tenant', 'marker@tenant.example', '+64 MARKER', 'MARKER billing', 'MARKER notes') returning id`, w.crescent).Scan(&client)
	owner.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, 'MARKER site', '12 Work Street') returning id`, w.crescent, client).Scan(&site)
	owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, site_id, title, description, address)
		values ($1, 7, $2, $2, $3, 'Rewire the hall', 'Lights flicker in the hall', 'MARKER address') returning id`, w.crescent, client, site).Scan(&job)
	owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'MARKER line', 1000, 11111, 99999)`, w.crescent, job)
	owner.Exec(ctx, `insert into job_messages (company_id, job_id, author_name, body) values ($1, $2, 'MARKER author', 'MARKER internal note')`, w.crescent, job)
	owner.Exec(ctx, `insert into visits (company_id, job_id, notes) values ($1, $2, 'MARKER visit')`, w.crescent, job)

	cara := jobs.Actor{Name: "Cara"}
	assign := func(co, jobID, conn int64, agreed string) error {
		return w.in(t, co, func(tx pgx.Tx) error {
			return Assign(ctx, tx, co, jobs.Everything, cara, jobID, AssignForm{ConnectionID: conn, Agreed: agreed})
		})
	}
	if err := assign(w.crescent, job, toKauri, "x"); apperr.AsValidation(err).Field("agreed") == "" {
		t.Fatalf("a price that is not one: %v", err)
	}
	if err := assign(w.crescent, job, toSpark, ""); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another company's connection: %v, want ErrNotFound", err)
	}
	if err := assign(w.crescent, job, toKauri, "450"); err != nil {
		t.Fatal(err)
	}
	if err := assign(w.crescent, job, toKauri, ""); apperr.AsValidation(err) == nil {
		t.Fatalf("assigned twice: %v, want a refusal in words", err)
	}
	var kJob int64
	var title, desc, addr, source string
	var seen bool
	if err := owner.QueryRow(ctx, `select id, title, description, address, source, seen_at is not null from jobs where company_id = $1`, w.kauri).
		Scan(&kJob, &title, &desc, &addr, &source, &seen); err != nil {
		t.Fatal(err)
	}
	if title != "Rewire the hall" || desc != "Lights flicker in the hall" || addr != "12 Work Street" || source != "portal" || seen {
		t.Fatalf("Kauri's job = %q %q %q %q seen %v", title, desc, addr, source, seen)
	}
	if all := w.allRows(t, w.kauri); strings.Contains(all, marker) {
		t.Fatalf("a never-shared field reached the contractor:\n%s", grepLines(all, marker))
	}
	var notified int
	owner.QueryRow(ctx, `select count(*) from notifications where company_id = $1 and link = $2`, w.kauri, fmt.Sprintf("/jobs/%d", kJob)).Scan(&notified)
	if notified != 1 {
		t.Fatalf("Kauri's admin got %d notifications of the new job", notified)
	}
	if err := assign(w.crescent, kJob, toKauri, ""); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("Crescent assigning Kauri's job id: %v, want ErrNotFound", err)
	}
	// The definer functions act only for the company of the transaction.
	for _, call := range []string{`select from assign_job($1, $2, 0, null)`, `select from withdraw_job($1, $2)`,
		`select from job_assignment($1, $2)`, `select from assigned_visits($1, $2)`} {
		if err := w.in(t, w.crescent, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, call, w.kauri, kJob)
			return err
		}); err == nil || !strings.Contains(err.Error(), "not the company of this transaction") {
			t.Errorf("%s for another company: %v", call, err)
		}
	}

	// Kauri prices the job for Crescent (a sale price and a cost Spark must never see), then passes it to Spark for
	// an agreed 300.
	owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
		values ($1, $2, 'Cable run', 1000, 55555, 77777)`, w.kauri, kJob)
	if err := assign(w.kauri, kJob, toSpark, "100000001"); apperr.AsValidation(err).Field("agreed") == "" {
		t.Fatalf("a price past the largest: %v", err)
	}
	if err := assign(w.kauri, kJob, toSpark, "300.00"); err != nil {
		t.Fatal(err)
	}
	var sJob int64
	owner.QueryRow(ctx, `select id from jobs where company_id = $1`, w.sp).Scan(&sJob)
	if all := w.allRows(t, w.sp); strings.Contains(all, "Crescent") || strings.Contains(all, "77777") || strings.Contains(all, "55555") || strings.Contains(all, "Cable") {
		t.Fatalf("the customer or its price reached the subcontractor:\n%s", grepLines(all, "Crescent"))
	}
	var lineCents int64
	owner.QueryRow(ctx, `select unit_price_cents from job_lines where company_id = $1 and job_id = $2`, w.sp, sJob).Scan(&lineCents)
	if lineCents != 30000 {
		t.Fatalf("Spark's agreed price line = %d cents, want 30000", lineCents)
	}
	read := func(co, jobID int64) (a Assignment) {
		t.Helper()
		if err := w.tdb.Read(ctx, co, func(b *pgx.Batch) { QueueAssignment(b, co, jobID, &a) }); err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := read(w.sp, sJob); a.By == nil || a.By.Firm != "Kauri Electrical" || a.By.Customer != nil || *a.By.AgreedCents != 30000 {
		t.Fatalf("Spark's view with Privacy off = %+v", a.By)
	}
	owner.Exec(ctx, `update companies set show_customer_to_subcontractors = true where id = $1`, w.kauri)
	if a := read(w.sp, sJob); a.By.Customer == nil || a.By.Customer.Name != "Crescent Properties" {
		t.Fatalf("Spark's view with Privacy on = %+v", a.By)
	}

	// Spark works: a visit, a note for the client and one not, done.
	spark := jobs.Actor{Name: "Sam"}
	if err := w.in(t, w.sp, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `insert into visits (company_id, job_id, starts_at, ends_at) values ($1, $2, '2026-12-01 09:00Z', '2026-12-01 11:00Z')`, w.sp, sJob); err != nil {
			return err
		}
		if _, err := jobs.AddMessage(ctx, tx, w.sp, jobs.Everything, spark, sJob, "Parts ordered", true); err != nil {
			return err
		}
		if _, err := jobs.AddMessage(ctx, tx, w.sp, jobs.Everything, spark, sJob, "MARKER our own margin note", false); err != nil {
			return err
		}
		for _, f := range []struct {
			name   string
			shared bool
		}{{"meter.png", true}, {"MARKER-internal.png", false}} {
			var id int64
			if err := tx.QueryRow(ctx, `insert into files (company_id, job_id, name, content_type, size, visible_to_client) values ($1, $2, $3, 'image/png', 4, $4) returning id`,
				w.sp, sJob, f.name, f.shared).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, 'original', 'PNG!')`, w.sp, id); err != nil {
				return err
			}
		}
		return jobs.SetStatus(ctx, tx, w.sp, jobs.Everything, spark, sJob, jobs.StatusAwaitingBilling)
	}); err != nil {
		t.Fatal(err)
	}
	if a := read(w.kauri, kJob); a.To == nil || a.To.Firm != "Spark Subs" || a.To.Status != jobs.StatusAwaitingBilling ||
		len(a.To.VisitsByFirm) != 1 || a.To.VisitsByFirm[0].Firm != "Spark Subs" {
		t.Fatalf("Kauri's view = %+v", a.To)
	}
	if a := read(w.crescent, job); a.To == nil || a.To.Firm != "Kauri Electrical" || len(a.To.VisitsByFirm) != 1 || a.To.VisitsByFirm[0].Firm != "Kauri Electrical" {
		t.Fatalf("Crescent's view = %+v", a.To)
	}
	var kStatus, cStatus string
	owner.QueryRow(ctx, `select status from jobs where company_id = $1 and id = $2`, w.kauri, kJob).Scan(&kStatus)
	owner.QueryRow(ctx, `select status from jobs where company_id = $1 and id = $2`, w.crescent, job).Scan(&cStatus)
	if kStatus != "awaiting-quality-check" || cStatus != "awaiting-quality-check" {
		t.Fatalf("statuses after Spark finished: Kauri %s, Crescent %s; want awaiting-quality-check for both", kStatus, cStatus)
	}
	kauriRows := w.allRows(t, w.kauri)
	for _, want := range []string{"Spark Subs set their job to Awaiting billing", "Spark Subs added a visit for Tue 01 Dec 09:00", "Parts ordered",
		"Spark Subs added a note"} {
		if !strings.Contains(kauriRows, want) {
			t.Errorf("Kauri's job lacks %q", want)
		}
	}
	if strings.Contains(kauriRows, marker) {
		t.Errorf("Spark's internal note or file reached Kauri:\n%s", grepLines(kauriRows, marker))
	}
	var copied string
	owner.QueryRow(ctx, `select convert_from(b.data, 'UTF8') from files f join file_blobs b on b.company_id = f.company_id and b.file_id = f.id
		where f.company_id = $1 and f.job_id = $2 and f.name = 'meter.png' and not f.visible_to_client`, w.kauri, kJob).Scan(&copied)
	if copied != "PNG!" || !strings.Contains(kauriRows, "Spark Subs added a file: meter.png") {
		t.Errorf("Spark's shared file on Kauri's job: %q", copied)
	}
	if all := w.allRows(t, w.crescent); strings.Contains(all, "Spark") || strings.Contains(all, "Parts ordered") {
		t.Fatalf("the subcontractor reached the customer:\n%s", grepLines(all, "Spark"))
	} else if !strings.Contains(all, "Kauri Electrical set their job to Awaiting quality check") {
		t.Error("Crescent's History lacks Kauri's finishing")
	}

	// Invoiced by Spark, the job stays with Spark; without the invoice it can be withdrawn.
	if err := w.in(t, w.sp, func(tx pgx.Tx) error {
		_, err := invoices.Issue(ctx, tx, files.Postgres{DB: w.tdb.DB}, w.sp, jobs.Everything, spark, sJob, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error { return Withdraw(ctx, tx, w.kauri, jobs.Everything, cara, kJob) }); apperr.AsValidation(err) == nil {
		t.Fatalf("withdrawing invoiced work: %v, want a refusal in words", err)
	}
	owner.Exec(ctx, `delete from invoices where company_id = $1`, w.sp)

	// Withdrawn: Spark's job is gone; Kauri's stays.
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error { return Withdraw(ctx, tx, w.kauri, jobs.Everything, cara, kJob) }); err != nil {
		t.Fatal(err)
	}
	var left int
	owner.QueryRow(ctx, `select count(*) from jobs where company_id = $1`, w.sp).Scan(&left)
	if left != 0 {
		t.Fatalf("Spark still has %d jobs after the withdrawal", left)
	}
	if a := read(w.kauri, kJob); a.To != nil {
		t.Fatalf("Kauri's job still assigned: %+v", a.To)
	}
	if err := w.in(t, w.kauri, func(tx pgx.Tx) error { return Withdraw(ctx, tx, w.kauri, jobs.Everything, cara, kJob) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("withdrawn twice: %v, want ErrNotFound", err)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
