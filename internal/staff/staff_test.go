package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

var fast = identity.NewHasher(identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})

// member adds an account and a membership with role, and returns the membership id.
func member(t *testing.T, tdb *dbtest.TestDB, company int64, email string, role identity.Role) int64 {
	t.Helper()
	var id int64
	err := tdb.Owner.QueryRow(context.Background(), `
		with a as (insert into accounts (email, name, password_hash) values ($2::text, $2::text, 'x')
		           on conflict (email) do update set email = excluded.email returning id)
		insert into memberships (company_id, account_id, role) select $1, a.id, $3 from a returning id`,
		company, email, role).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func setSeats(t *testing.T, tdb *dbtest.TestDB, company int64, n int) {
	t.Helper()
	if _, err := tdb.Owner.Exec(context.Background(), `update companies set seats = $2 where id = $1`, company, n); err != nil {
		t.Fatal(err)
	}
}

var msg = mail.Email{Subject: "You are invited", Text: "join", HTML: "<p>join</p>"}

func invite(tdb *dbtest.TestDB, company, by int64, email string) (int64, token.Token, error) {
	tok := token.New()
	var id int64
	err := tdb.InCompany(context.Background(), company, func(tx pgx.Tx) (err error) {
		id, err = Invite(context.Background(), tx, company, by, InviteForm{Email: email, Role: identity.RoleCoWorker}, tok.Hash, msg)
		return err
	})
	return id, tok, err
}

func seats(t *testing.T, tdb *dbtest.TestDB, company int64) Seats {
	t.Helper()
	var s Seats
	if err := tdb.Read(context.Background(), company, func(b *pgx.Batch) { QueueSeats(b, company, &s) }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInvite_Rules(t *testing.T) {
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	member(t, tdb, co, "on.staff@acme.example", identity.RoleCoWorker)
	gone := member(t, tdb, co, "gone@acme.example", identity.RoleCoWorker)
	tdb.Owner.Exec(context.Background(), `update memberships set active = false where id = $1`, gone)
	if _, _, err := invite(tdb, co, admin, "new@acme.example"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ email, want string }{
		{"not-an-email", "Enter an email address like name@example.com."},
		{"On.Staff@acme.example", "This person already belongs to your company, as a co-worker."},
		{"gone@acme.example", "This person was deactivated. Reactivate them from their page instead."},
		{"NEW@acme.example", "An invitation to this address is already pending. Use Resend on it instead."},
	} {
		_, _, err := invite(tdb, co, admin, c.email)
		if got := apperr.AsValidation(err).Field("email"); got != c.want {
			t.Errorf("invite %s: %v, want %q", c.email, err, c.want)
		}
	}
	var n int
	tdb.Owner.QueryRow(context.Background(), `select count(*) from invitations`).Scan(&n)
	if n != 1 {
		t.Errorf("%d invitations, want 1: a refused invitation was saved", n)
	}
	tdb.Owner.QueryRow(context.Background(), `select count(*) from outbox_emails where kind = 'invite' and redact`).Scan(&n)
	if n != 1 {
		t.Errorf("%d secret invitation emails queued, want 1", n)
	}
}

func TestInvite_SeatLimit(t *testing.T) {
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	setSeats(t, tdb, co, 3)
	if _, _, err := invite(tdb, co, admin, "a@acme.example"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := invite(tdb, co, admin, "b@acme.example"); err != nil {
		t.Fatal(err)
	}
	_, _, err := invite(tdb, co, admin, "c@acme.example")
	if v := apperr.AsValidation(err); v == nil || v.Form != "You are using 3 of 3 seats — upgrade your plan to add more." {
		t.Fatalf("over the limit: %v", err)
	}
	// An expired invitation frees its seat; a cancelled one too.
	tdb.Owner.Exec(context.Background(), `update invitations set expires_at = now() - interval '1 second' where email = 'a@acme.example'`)
	if s := seats(t, tdb, co); s.Used != 2 || s.Total != 3 {
		t.Errorf("seats = %+v, want 2 of 3", s)
	}
	if _, _, err := invite(tdb, co, admin, "c@acme.example"); err != nil {
		t.Fatalf("with a seat freed by expiry: %v", err)
	}
}

// Ten invitations race for the last two seats: exactly two win.
func TestInvite_SeatRace(t *testing.T) {
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	setSeats(t, tdb, co, 3)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = invite(tdb, co, admin, fmt.Sprintf("racer%d@acme.example", i))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case apperr.AsValidation(err) == nil || !strings.Contains(apperr.AsValidation(err).Form, "seats"):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if s := seats(t, tdb, co); won != 2 || s.Used != 3 {
		t.Errorf("%d invitations won, %d seats used; want 2 and 3", won, s.Used)
	}
}

func TestAccept(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	id, tok, err := invite(tdb, co, admin, "new@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	gotCo, gotID, err := Lookup(ctx, tdb.Pool, tok.Raw)
	if err != nil || gotCo != co || gotID != id {
		t.Fatalf("Lookup = %d %d %v", gotCo, gotID, err)
	}
	for _, raw := range []string{"", "nope", token.New().Raw} {
		if _, _, err := Lookup(ctx, tdb.Pool, raw); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("Lookup(%q) = %v, want ErrNotFound", raw, err)
		}
	}
	accept := func(in NewAccount) (m identity.Membership, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			_, m, err = AcceptNew(ctx, tx, fast, co, id, in)
			return err
		})
		return m, err
	}
	if _, err := accept(NewAccount{Name: "", Password: "short"}); apperr.AsValidation(err).Field("password") != "Use at least 10 characters." ||
		apperr.AsValidation(err).Field("name") != "Enter your name." {
		t.Errorf("bad input: %v", err)
	}
	m, err := accept(NewAccount{Name: "Nia New", Password: "a-long-password"})
	if err != nil || m.Role != identity.RoleCoWorker || m.CompanyName != "Acme" {
		t.Fatalf("accept = %+v, %v", m, err)
	}
	if _, err := accept(NewAccount{Name: "Again", Password: "a-long-password"}); !errors.Is(err, ErrInvitationUsed) {
		t.Errorf("second use = %v, want ErrInvitationUsed", err)
	}
	var inv Invitation
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueInvitation(b, co, id, &inv) })
	if inv.Status != InvitationRegistered {
		t.Errorf("status %s, want registered", inv.Status)
	}
}

func TestInvitation_Expiry(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	id, _, err := invite(tdb, co, admin, "late@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	status := func(id int64) InvitationStatus {
		var inv Invitation
		if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueInvitation(b, co, id, &inv) }); err != nil {
			t.Fatal(err)
		}
		return inv.Status
	}
	// Just inside the seven days it is pending; just past them, expired.
	tdb.Owner.Exec(ctx, `update invitations set expires_at = now() + interval '1 minute' where id = $1`, id)
	if s := status(id); s != InvitationPending {
		t.Errorf("a minute before expiry: %s", s)
	}
	tdb.Owner.Exec(ctx, `update invitations set expires_at = now() - interval '1 second' where id = $1`, id)
	if s := status(id); s != InvitationExpired {
		t.Errorf("a second after expiry: %s", s)
	}
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
		_, _, err := AcceptNew(ctx, tx, fast, co, id, NewAccount{Name: "Late", Password: "a-long-password"})
		return err
	})
	if !errors.Is(err, ErrInvitationExpired) {
		t.Errorf("accepting an expired invitation = %v", err)
	}
	// Resend of an expired invitation sends a new one; the old is gone from the list.
	newTok := token.New()
	var newID int64
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
		newID, err = Resend(ctx, tx, co, admin, id, newTok.Hash, msg)
		return err
	})
	if err != nil || newID == id || status(newID) != InvitationPending {
		t.Fatalf("resend of expired = %d, %v", newID, err)
	}
	if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueInvitation(b, co, id, &Invitation{}) }); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the replaced invitation is still there: %v", err)
	}
}

func TestResend_KillsOldLink(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	id, old, err := invite(tdb, co, admin, "new@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	fresh := token.New()
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
		got, err := Resend(ctx, tx, co, admin, id, fresh.Hash, msg)
		if got != id {
			t.Errorf("resend of a pending invitation gave id %d, want %d", got, id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Lookup(ctx, tdb.Pool, old.Raw); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("old link after Resend: %v", err)
	}
	if _, got, err := Lookup(ctx, tdb.Pool, fresh.Raw); err != nil || got != id {
		t.Errorf("new link: %d %v", got, err)
	}
}

func TestPeople_LastAdmin(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	ann := member(t, tdb, co, "ann@acme.example", identity.RoleAdmin)
	bob := member(t, tdb, co, "bob@acme.example", identity.RoleAdmin)
	in := func(fn func(tx pgx.Tx) error) error { return tdb.InCompany(ctx, co, fn) }

	if err := in(func(tx pgx.Tx) error { return SetActive(ctx, tx, co, bob, false) }); err != nil {
		t.Fatalf("deactivating one of two admins: %v", err)
	}
	err := in(func(tx pgx.Tx) error { return SetActive(ctx, tx, co, ann, false) })
	if v := apperr.AsValidation(err); v == nil || !strings.Contains(v.Form, "last active admin") {
		t.Errorf("deactivating the last admin: %v", err)
	}
	err = in(func(tx pgx.Tx) error {
		return Update(ctx, tx, co, ann, Edit{Name: "ann@acme.example", Role: identity.RoleCoWorker})
	})
	if v := apperr.AsValidation(err); v == nil || !strings.Contains(v.Form, "last active admin") {
		t.Errorf("demoting the last admin: %v", err)
	}

	// Two admins demoting each other at once: one of them stays admin.
	if err := in(func(tx pgx.Tx) error { return SetActive(ctx, tx, co, bob, true) }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []int64{ann, bob} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in(func(tx pgx.Tx) error {
				return Update(ctx, tx, co, id, Edit{Name: "Someone", Role: identity.RoleCoWorker})
			})
		}()
	}
	wg.Wait()
	var admins int
	tdb.Owner.QueryRow(ctx, `select count(*) from memberships where company_id = $1 and role = 'admin' and active`, co).Scan(&admins)
	if admins != 1 {
		t.Errorf("%d active admins after a demotion race, want 1", admins)
	}
}

func TestPeople_DeactivateEndsSessionsAndReactivateNeedsASeat(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	member(t, tdb, co, "ann@acme.example", identity.RoleAdmin)
	cora := member(t, tdb, co, "cora@acme.example", identity.RoleCoWorker)
	setSeats(t, tdb, co, 2)
	version := func() (v int) {
		tdb.Owner.QueryRow(ctx, `select session_version from memberships where id = $1`, cora).Scan(&v)
		return v
	}
	before := version()
	if err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return SetActive(ctx, tx, co, cora, false) }); err != nil {
		t.Fatal(err)
	}
	if version() == before {
		t.Error("deactivation did not bump the session version")
	}
	member(t, tdb, co, "dan@acme.example", identity.RoleCoWorker) // takes the freed seat
	err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return SetActive(ctx, tx, co, cora, true) })
	if v := apperr.AsValidation(err); v == nil || v.Form != "You are using 2 of 2 seats — upgrade your plan to add more." {
		t.Errorf("reactivating with no seat: %v", err)
	}
}

func TestPeople_OtherCompany(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	a, b := tdb.CreateCompany(t, "A"), tdb.CreateCompany(t, "B")
	ann := member(t, tdb, a, "ann@a.example", identity.RoleAdmin)
	member(t, tdb, b, "bob@b.example", identity.RoleAdmin)
	for name, fn := range map[string]func(tx pgx.Tx) error{
		"deactivate": func(tx pgx.Tx) error { return SetActive(ctx, tx, b, ann, false) },
		"update":     func(tx pgx.Tx) error { return Update(ctx, tx, b, ann, Edit{Name: "X", Role: identity.RoleCoWorker}) },
	} {
		if err := tdb.InCompany(ctx, b, fn); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s of another company's person = %v, want ErrNotFound", name, err)
		}
	}
}

// TestPeople_RenameOnlyWhoWorksHereAlone: an account is one person in every company they work for, so a
// company's admin renames only someone who works for that company alone; anyone else is refused in words.
func TestPeople_RenameOnlyWhoWorksHereAlone(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	a, b := tdb.CreateCompany(t, "A"), tdb.CreateCompany(t, "B")
	member(t, tdb, a, "ann@a.example", identity.RoleAdmin)
	cora := member(t, tdb, a, "cora@x.example", identity.RoleCoWorker)
	member(t, tdb, b, "bob@b.example", identity.RoleAdmin)
	sam := member(t, tdb, a, "sam@x.example", identity.RoleCoWorker)
	member(t, tdb, b, "sam@x.example", identity.RoleCoWorker) // Sam works for B too

	rename := func(id int64, name string) error {
		return tdb.InCompany(ctx, a, func(tx pgx.Tx) error {
			return Update(ctx, tx, a, id, Edit{Name: name, Role: identity.RoleCoWorker})
		})
	}
	if err := rename(cora, "Cora Renamed"); err != nil {
		t.Errorf("renaming someone who works here alone: %v", err)
	}
	err := rename(sam, "Not Sam")
	if msg := apperr.AsValidation(err).Field("name"); !strings.Contains(msg, "also works with another company") {
		t.Errorf("renaming someone who works for B too = %v, want a refusal in words on name", err)
	}
	var name string
	tdb.Owner.QueryRow(ctx, `select name from accounts where email = 'sam@x.example'`).Scan(&name)
	if name == "Not Sam" {
		t.Error("B's co-worker was renamed by A's admin")
	}
}

// A guest is invited for an active client user of the company, uses no seat, joins as their guest, goes when they
// are deactivated and cannot come back before them; a client user acts only on their own guests.
func TestGuests(t *testing.T) {
	ctx := context.Background()
	tdb := dbtest.New(t)
	co, other := tdb.CreateCompany(t, "Acme"), tdb.CreateCompany(t, "Bolt")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	coworker := member(t, tdb, co, "cora@acme.example", identity.RoleCoWorker)
	var client int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, co).Scan(&client)
	var host, otherHost int64
	tdb.Owner.QueryRow(ctx, `insert into accounts (email, name, password_hash) values ('fran@client.example', 'Fran', 'x') returning id`).Scan(new(int64))
	tdb.Owner.QueryRow(ctx, `insert into memberships (company_id, account_id, role, client_id)
		select $1, id, 'client', $2 from accounts where email = 'fran@client.example' returning id`, co, client).Scan(&host)
	var boltClient int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bolt Client') returning id`, other).Scan(&boltClient)
	tdb.Owner.QueryRow(ctx, `insert into accounts (email, name, password_hash) values ('bo@client.example', 'Bo', 'x') returning id`).Scan(new(int64))
	tdb.Owner.QueryRow(ctx, `insert into memberships (company_id, account_id, role, client_id)
		select $1, id, 'client', $2 from accounts where email = 'bo@client.example' returning id`, other, boltClient).Scan(&otherHost)
	setSeats(t, tdb, co, 3) // admin, co-worker, client user: full
	inviteGuest := func(email string, hostID int64) (int64, error) {
		var id int64
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = Invite(ctx, tx, co, admin, InviteForm{Email: email, Role: identity.RoleGuest, HostID: hostID}, token.New().Hash, msg)
			return err
		})
		return id, err
	}
	for _, c := range []struct {
		host int64
		want string
	}{
		{0, "Choose the client user this guest works with."},
		{coworker, "A guest works with a client user: choose one."},
	} {
		_, err := inviteGuest("gus@guest.example", c.host)
		if v := apperr.AsValidation(err); v == nil || v.Field("host_id") != c.want {
			t.Errorf("guest of %d: %v, want %q", c.host, err, c.want)
		}
	}
	if _, err := inviteGuest("gus@guest.example", otherHost); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a guest of another company's client user: %v, want ErrNotFound", err)
	}
	before := seats(t, tdb, co)
	id, err := inviteGuest("gus@guest.example", host)
	if err != nil {
		t.Fatalf("a guest with every seat taken: %v (a guest uses no seat)", err)
	}
	if after := seats(t, tdb, co); after != before {
		t.Errorf("seats went from %+v to %+v: a guest uses none", before, after)
	}
	var guest identity.Membership
	err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
		_, guest, err = AcceptNew(ctx, tx, fast, co, id, NewAccount{Name: "Gus Guest", Password: "a-long-password"})
		return err
	})
	if err != nil || guest.Role != identity.RoleGuest {
		t.Fatalf("accept: %v, %+v", err, guest)
	}
	var people []Person
	var invs []Invitation
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueGuests(b, co, host, &people, &invs) })
	if len(people) != 1 || people[0].HostName != "Fran" || people[0].ClientName != "Harbour View" {
		t.Errorf("Fran's guests = %+v", people)
	}
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueuePeople(b, co, PeopleFilter{Role: identity.RoleGuest, Q: "gus"}, &people) })
	if len(people) != 1 {
		t.Errorf("the Guests tab searched for gus = %d people, want 1", len(people))
	}
	// Only the host acts on their guest.
	setGuest := func(hostID int64, active bool) error {
		return tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return SetGuestActive(ctx, tx, co, hostID, guest.ID, active) })
	}
	if err := setGuest(coworker, false); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("someone else deactivating Fran's guest: %v, want ErrNotFound", err)
	}
	// The host deactivated: the guest goes too, and the viewer check refuses them even were they active.
	if err := tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return SetActive(ctx, tx, co, host, false) }); err != nil {
		t.Fatal(err)
	}
	var active bool
	tdb.Owner.QueryRow(ctx, `select active from memberships where id = $1`, guest.ID).Scan(&active)
	if active {
		t.Error("the guest stayed active when their client user was deactivated")
	}
	if err := setGuest(host, true); apperr.AsValidation(err) == nil {
		t.Errorf("reactivating a guest of a deactivated client user: %v, want a message", err)
	}
	tdb.Owner.Exec(ctx, `update memberships set active = true where id = $1`, guest.ID)
	var v identity.Viewer
	err = tdb.Read(ctx, co, func(b *pgx.Batch) { identity.QueueViewer(b, co, guest.ID, 2, &v) })
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the viewer check of a guest whose host is deactivated: %v, want ErrNotFound", err)
	}
}

// Groups: one client at most, a unique name; co-workers who serve the client and guests of that client join, no
// one deactivated or of another role; a co-worker sees a group of theirs only while serving its client, a guest
// their own client's, an admin every one.
func TestGroups(t *testing.T) {
	ctx := context.Background()
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	cora := member(t, tdb, co, "cora@acme.example", identity.RoleCoWorker)
	sam := member(t, tdb, co, "sam@acme.example", identity.RoleCoWorker)
	gone := member(t, tdb, co, "gone@acme.example", identity.RoleCoWorker)
	tdb.Owner.Exec(ctx, `update memberships set active = false where id = $1`, gone)
	var harbour, bay, fran, bea, gus, bob int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, co).Scan(&harbour)
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Bay Rentals') returning id`, co).Scan(&bay)
	clientUser := func(email string, client int64) (id int64) {
		tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($1::text, $1::text, 'x') returning id)
			insert into memberships (company_id, account_id, role, client_id) select $2, a.id, 'client', $3 from a returning id`, email, co, client).Scan(&id)
		return id
	}
	guestOf := func(email string, host int64) (id int64) {
		err := tdb.Owner.QueryRow(ctx, `with a as (insert into accounts (email, name, password_hash) values ($1::text, $1::text, 'x') returning id)
			insert into memberships (company_id, account_id, role, host_id) select $2, a.id, 'guest', $3 from a returning id`, email, co, host).Scan(&id)
		if err != nil {
			t.Fatalf("guest %s: %v", email, err)
		}
		return id
	}
	fran, bea = clientUser("fran@harbour.example", harbour), clientUser("bea@bay.example", bay)
	gus, bob = guestOf("gus@guest.example", fran), guestOf("bob@guest.example", bea)
	tdb.Owner.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`, co, harbour, cora)

	create := func(name string, clients ...int64) (int64, error) {
		var id int64
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = CreateGroup(ctx, tx, co, GroupForm{Name: name, ClientIDs: clients})
			return err
		})
		return id, err
	}
	if _, err := create("Both", harbour, bay); apperr.AsValidation(err).Field("client_id") == "" {
		t.Errorf("a group with two clients: %v, want a message on client_id", err)
	}
	group, err := create("Harbour crew", harbour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create("harbour CREW"); apperr.AsValidation(err).Field("name") != "Another group has this name." {
		t.Errorf("a taken name: %v", err)
	}
	add := func(who int64) error {
		return tdb.InCompany(ctx, co, func(tx pgx.Tx) error { return AddGroupMember(ctx, tx, co, group, who) })
	}
	for who, want := range map[int64]string{
		gone:  "deactivated",
		admin: "Only co-workers and guests join a group",
		fran:  "Only co-workers and guests join a group",
		sam:   "does not serve Harbour View",
		bob:   "a guest of another client",
	} {
		if err := add(who); !strings.Contains(apperr.AsValidation(err).Field("membership_id"), want) {
			t.Errorf("adding membership %d: %v, want %q", who, err, want)
		}
	}
	for _, who := range []int64{cora, gus} {
		if err := add(who); err != nil {
			t.Errorf("adding membership %d: %v", who, err)
		}
	}
	sees := func(who int64) int {
		var gs []Group
		if err := tdb.Read(ctx, co, func(b *pgx.Batch) { QueueGroups(b, co, who, &gs) }); err != nil {
			t.Fatal(err)
		}
		return len(gs)
	}
	for who, want := range map[int64]int{0: 1, cora: 1, gus: 1, sam: 0, bob: 0} {
		if got := sees(who); got != want {
			t.Errorf("membership %d sees %d groups, want %d", who, got, want)
		}
	}
	tdb.Owner.Exec(ctx, `delete from client_coworkers where membership_id = $1`, cora)
	if sees(cora) != 0 {
		t.Error("Cora, unassigned from Harbour View, still sees its group")
	}
}

// A guest invited from a task's person control joins that task when they accept; the task on any other type of
// invitation is dropped.
func TestGuests_InvitedFromATaskJoinIt(t *testing.T) {
	ctx := context.Background()
	tdb := dbtest.New(t)
	co := tdb.CreateCompany(t, "Acme")
	admin := member(t, tdb, co, "admin@acme.example", identity.RoleAdmin)
	var client, host, task int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, co).Scan(&client)
	tdb.Owner.QueryRow(ctx, `insert into accounts (email, name, password_hash) values ('fran@client.example', 'Fran', 'x') returning id`).Scan(new(int64))
	tdb.Owner.QueryRow(ctx, `insert into memberships (company_id, account_id, role, client_id)
		select $1, id, 'client', $2 from accounts where email = 'fran@client.example' returning id`, co, client).Scan(&host)
	tdb.Owner.QueryRow(ctx, `insert into tasks (company_id, title, client_id, requester_id) values ($1, 'Gutters', $2, $3) returning id`,
		co, client, admin).Scan(&task)
	invite := func(f InviteForm) int64 {
		var id int64
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			id, err = Invite(ctx, tx, co, admin, f, token.New().Hash, msg)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	accept := func(id int64, name string) identity.Membership {
		var m identity.Membership
		err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			_, m, err = AcceptNew(ctx, tx, fast, co, id, NewAccount{Name: name, Password: "a-long-password"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	onTask := func(m identity.Membership) bool {
		var on bool
		tdb.Owner.QueryRow(ctx, `select exists (select from task_people where task_id = $1 and membership_id = $2)`, task, m.ID).Scan(&on)
		return on
	}
	gus := accept(invite(InviteForm{Email: "gus@guest.example", Role: identity.RoleGuest, HostID: host, TaskID: task}), "Gus")
	if !onTask(gus) {
		t.Error("the guest invited from the task is not on it after accepting")
	}
	cora := accept(invite(InviteForm{Email: "cora@acme.example", Role: identity.RoleCoWorker, TaskID: task}), "Cora")
	if onTask(cora) {
		t.Error("a co-worker's invitation put them on a task: only a guest's carries one")
	}
}
