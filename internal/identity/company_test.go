package identity_test

import (
	"context"
	"errors"
	"testing"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

func TestCreateCompany(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	h := identity.NewHasher(identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1})

	first, password, err := identity.CreateCompany(ctx, tdb.Owner, h, identity.NewCompany{
		CompanyName: "Acme Plumbing", AdminName: "Ann", AdminEmail: "ann@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if len(password) < identity.MinPasswordLen {
		t.Errorf("generated password %q is too short", password)
	}
	id, err := identity.Authenticate(ctx, tdb.Pool, h, identity.Login{Email: "ANN@acme.example", Password: password})
	if err != nil {
		t.Fatalf("the new admin cannot log in (email case ignored): %v", err)
	}

	// The same email for a second company: the account gains a membership and keeps its password.
	second, password2, err := identity.CreateCompany(ctx, tdb.Owner, h, identity.NewCompany{
		CompanyName: "Bolt Electrical", AdminName: "Ann", AdminEmail: "ann@acme.example", AdminPassword: "ignored-password"})
	if err != nil {
		t.Fatal(err)
	}
	if password2 != "" {
		t.Errorf("an existing account got a new password %q", password2)
	}
	ms, err := identity.Memberships(ctx, tdb.Pool, id)
	if err != nil || len(ms) != 2 || ms[0].CompanyID != first || ms[1].CompanyID != second || ms[0].Role != identity.RoleAdmin {
		t.Errorf("memberships = %+v (err %v), want admin of both companies", ms, err)
	}

	if _, _, err := identity.CreateCompany(ctx, tdb.Owner, h, identity.NewCompany{CompanyName: "", AdminEmail: "x"}); apperr.AsValidation(err) == nil {
		t.Errorf("an empty company name was accepted: %v", err)
	}
}

func TestSetSeats(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme Plumbing")
	if err := identity.SetSeats(ctx, tdb.Owner, co, 12); err != nil {
		t.Fatal(err)
	}
	var seats int
	tdb.Owner.QueryRow(ctx, `select seats from companies where id = $1`, co).Scan(&seats)
	if seats != 12 {
		t.Errorf("seats = %d, want 12", seats)
	}
	if err := identity.SetSeats(ctx, tdb.Owner, co+1000, 3); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown company: %v, want ErrNotFound", err)
	}
	if err := identity.SetSeats(ctx, tdb.Owner, co, -1); apperr.AsValidation(err) == nil {
		t.Errorf("negative seats: %v, want a ValidationError", err)
	}
}
