package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
)

// NewCompany is what the operator gives `fieldops company create`.
type NewCompany struct {
	CompanyName string
	AdminName   string
	AdminEmail  string
	// AdminPassword may be empty: a new account then gets a generated one, returned by CreateCompany.
	AdminPassword string
}

// CreateCompany creates a company and its first admin, as the owner role (operator commands run outside any
// company). An email that already has an account gains the admin membership and keeps its password; otherwise
// the account is created, and the password used (generated when none was given) is returned.
func CreateCompany(ctx context.Context, owner *pgxpool.Pool, h *Hasher, in NewCompany) (companyID int64, password string, err error) {
	su := Signup{CompanyName: in.CompanyName, Name: in.AdminName, Email: in.AdminEmail, Password: in.AdminPassword}
	su.Normalize()
	if su.Password == "" {
		su.Password = rand.Text()[:16]
	}
	if err := su.Validate(); err != nil {
		return 0, "", err
	}
	err = pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `insert into companies (name) values ($1) returning id`, su.CompanyName).Scan(&companyID); err != nil {
			return err
		}
		var accountID int64
		err := tx.QueryRow(ctx, `select id from accounts where email = $1`, su.Email).Scan(&accountID)
		if errors.Is(err, pgx.ErrNoRows) {
			password = su.Password
			err = tx.QueryRow(ctx, `insert into accounts (email, name, password_hash) values ($1, $2, $3) returning id`,
				su.Email, su.Name, h.Hash(su.Password)).Scan(&accountID)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `insert into memberships (company_id, account_id, role) values ($1, $2, 'admin')`, companyID, accountID)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("identity: create company: %w", err)
	}
	return companyID, password, nil
}

// SetSeats sets a company's licence seats (its plan), as the owner role. ErrNotFound when there is no such company.
func SetSeats(ctx context.Context, owner *pgxpool.Pool, companyID int64, seats int) error {
	if seats < 0 || seats > 100_000 {
		return &apperr.ValidationError{Fields: map[string]string{"seats": "Seats must be between 0 and 100000."}}
	}
	tag, err := owner.Exec(ctx, `update companies set seats = $2 where id = $1`, companyID, seats)
	if err != nil {
		return fmt.Errorf("identity: set seats: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
