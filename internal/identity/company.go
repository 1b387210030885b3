package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

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
		if err := tx.QueryRow(ctx, `insert into companies (name, verified_at) values ($1, now()) returning id`, su.CompanyName).Scan(&companyID); err != nil {
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
		return apperr.FieldError("seats", "Seats must be between 0 and 100000.")
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

// EmailLimits are a company's own sending limits, set by the operator: recipients per hour and per day. Zero for
// both returns the company to the defaults (stricter in its first days).
type EmailLimits struct{ Hourly, Daily int }

// SetEmailLimits sets a company's sending limits, as the operator (owner role). ErrNotFound for no such company.
func SetEmailLimits(ctx context.Context, owner *pgxpool.Pool, companyID int64, l EmailLimits) error {
	if l.Hourly < 0 || l.Daily < 0 || l.Hourly > 1_000_000 || l.Daily > 10_000_000 {
		return &apperr.ValidationError{Form: "Limits must be between 0 and 1000000 an hour and 10000000 a day."}
	}
	var hourly, daily *int
	if l != (EmailLimits{}) {
		hourly, daily = &l.Hourly, &l.Daily
	}
	tag, err := owner.Exec(ctx, `update companies set email_hourly_limit = $2, email_daily_limit = $3 where id = $1`,
		companyID, hourly, daily)
	if err != nil {
		return fmt.Errorf("identity: set email limits: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Suspend stops everything a company sends, as the operator: its queued email waits unsent, new email is refused
// in words, and its staff see reason on every page. suspended false restores it. ErrNotFound for no such company.
func Suspend(ctx context.Context, owner *pgxpool.Pool, companyID int64, suspended bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if suspended && (reason == "" || len(reason) > 500) {
		return &apperr.ValidationError{Form: "Give a reason of at most 500 characters: the company's staff see it."}
	}
	tag, err := owner.Exec(ctx, `
		update companies set suspended_at = case when $2 then coalesce(suspended_at, now()) end,
		                     suspended_reason = case when $2 then $3 else '' end
		 where id = $1`, companyID, suspended, reason)
	if err != nil {
		return fmt.Errorf("identity: suspend: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// ResetPassword gives the account with email a new generated password, as the owner role, and ends every session of
// it (its session epoch and memberships' session versions move on): the operator's way back in for an admin who lost
// theirs and cannot receive the reset email. It returns the password, shown once. ErrNotFound for an unknown email.
func ResetPassword(ctx context.Context, owner *pgxpool.Pool, h *Hasher, email string) (string, error) {
	password := rand.Text()[:16]
	var id int64
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `update accounts set password_hash = $2, session_epoch = session_epoch + 1 where email = $1 returning id`,
			strings.TrimSpace(email), h.Hash(password)).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `update memberships set session_version = session_version + 1 where account_id = $1`, id)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("identity: reset password: %w", err)
	}
	return password, nil
}
