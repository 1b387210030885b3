// Package demo seeds the demo company that `make run` shows on a new machine: once, as the owner role, sending
// no email.
package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/identity"
)

// CompanyName marks the demo company; Seed does nothing when it exists.
const CompanyName = "Demo Plumbing & Electrical"

// Password is every demo login's password.
const Password = "fieldops-demo"

// Login is one demo person.
type Login struct {
	Email string
	Name  string
	Role  identity.Role
}

// Logins are the demo people, admin first.
var Logins = []Login{
	{Email: "admin@demo.example", Name: "Alex Admin", Role: identity.RoleAdmin},
	{Email: "cora@demo.example", Name: "Cora Coworker", Role: identity.RoleCoWorker},
}

// Seed creates the demo company and its people unless the company exists; it reports whether it created them.
func Seed(ctx context.Context, owner *pgxpool.Pool, h *identity.Hasher) (bool, error) {
	created := false
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		// One seeder at a time, and only once.
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(7215002)`); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select from companies where name = $1)`, CompanyName).Scan(&exists); err != nil || exists {
			return err
		}
		var companyID int64
		if err := tx.QueryRow(ctx, `insert into companies (name, seats) values ($1, 25) returning id`, CompanyName).Scan(&companyID); err != nil {
			return err
		}
		hash := h.Hash(Password)
		for _, l := range Logins {
			var accountID int64
			err := tx.QueryRow(ctx, `
				insert into accounts (email, name, password_hash) values ($1, $2, $3)
				on conflict (email) do update set name = excluded.name
				returning id`, l.Email, l.Name, hash).Scan(&accountID)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `insert into memberships (company_id, account_id, role) values ($1, $2, $3)`,
				companyID, accountID, l.Role); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("demo: seed: %w", err)
	}
	return created, nil
}
