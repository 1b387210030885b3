package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/token"
)

// Lifetimes of an account's emailed links (fixed in their definer functions, so no caller can mint a longer one).
const (
	VerifyFor = 7 * 24 * time.Hour
	ResetFor  = time.Hour
)

// NewVerification mints a link for the company's admin to verify their email (earlier ones die), in tx. Until
// one is used the company may email only its admins (mail's sending rules).
func NewVerification(ctx context.Context, tx pgx.Tx, accountID, companyID int64) (token.Token, error) {
	tok := token.New()
	if _, err := tx.Exec(ctx, `select account_verification_new($1, $2, $3)`, accountID, companyID, tok.Hash); err != nil {
		return tok, fmt.Errorf("identity: new verification: %w", err)
	}
	return tok, nil
}

// Verify uses a verification link and returns the company it verified. ErrNotFound for a link that is unknown,
// used or expired.
func Verify(ctx context.Context, pool *pgxpool.Pool, raw string) (int64, error) {
	if !token.Plausible(raw) {
		return 0, apperr.ErrNotFound
	}
	var companyID *int64
	if err := pool.QueryRow(ctx, `select account_verify($1)`, token.Hash(raw)).Scan(&companyID); err != nil {
		return 0, fmt.Errorf("identity: verify: %w", err)
	}
	if companyID == nil {
		return 0, apperr.ErrNotFound
	}
	return *companyID, nil
}

// ResetRequest is a password-reset link minted for an account that exists: the company whose outbox sends it.
type ResetRequest struct {
	AccountID int64
	Name      string
	Email     string // the account's own address, where the link goes: never the spelling that was typed
	CompanyID int64
	Token     token.Token
}

// RequestReset mints a reset link for the account with email (earlier ones die). found is false, with no error,
// for an email with no account or no active company: the caller answers the same either way.
func RequestReset(ctx context.Context, pool *pgxpool.Pool, email string) (r ResetRequest, found bool, err error) {
	r.Token = token.New()
	err = pool.QueryRow(ctx, `select account_id, email, name, company_id from account_reset_new($1, $2)`,
		email, r.Token.Hash).Scan(&r.AccountID, &r.Email, &r.Name, &r.CompanyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("identity: request reset: %w", err)
	}
	return r, true, nil
}

// CheckReset returns the email whose password a reset link is for. ErrNotFound for a link that is unknown, used
// or expired.
func CheckReset(ctx context.Context, pool *pgxpool.Pool, raw string) (string, error) {
	if !token.Plausible(raw) {
		return "", apperr.ErrNotFound
	}
	var email string
	err := pool.QueryRow(ctx, `select email from account_reset_check($1)`, token.Hash(raw)).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("identity: check reset: %w", err)
	}
	return email, nil
}

// Reset uses a reset link to set a new password: every session of the account ends. A ValidationError on
// "password" for a password that will not do; ErrNotFound for a link that is unknown, used or expired.
func Reset(ctx context.Context, pool *pgxpool.Pool, h *Hasher, raw, password string) (int64, error) {
	v := &apperr.ValidationError{}
	CheckNewPassword(v, "password", password)
	if err := v.Err(); err != nil {
		return 0, err
	}
	if !token.Plausible(raw) {
		return 0, apperr.ErrNotFound
	}
	hash, err := h.HashCtx(ctx, password)
	if err != nil {
		return 0, err
	}
	var accountID *int64
	if err := pool.QueryRow(ctx, `select account_reset_use($1, $2)`, token.Hash(raw), hash).Scan(&accountID); err != nil {
		return 0, fmt.Errorf("identity: reset: %w", err)
	}
	if accountID == nil {
		return 0, apperr.ErrNotFound
	}
	return *accountID, nil
}

// ChangePassword sets a new password for the account, a member of companyID, after checking its current one:
// every session of the account ends (the caller starts a fresh one for itself). A ValidationError on "current"
// (wrong) or "password" (will not do; the current one is then not checked).
func ChangePassword(ctx context.Context, d *db.DB, h *Hasher, companyID, accountID int64, email, current, password string) error {
	pool := d.Pool
	v := &apperr.ValidationError{}
	if current == "" {
		v.Add("current", "Enter your current password.")
	}
	CheckNewPassword(v, "password", password)
	if err := v.Err(); err != nil {
		return err
	}
	id, err := Authenticate(ctx, pool, h, Login{Email: email, Password: current})
	if errors.Is(err, ErrWrongLogin) || (err == nil && id != accountID) {
		return apperr.FieldError("current", "That is not your current password.")
	}
	if err != nil {
		return err
	}
	hash, err := h.HashCtx(ctx, password)
	if err != nil {
		return err
	}
	return d.InCompany(ctx, companyID, func(tx pgx.Tx) error {
		var changed bool
		if err := tx.QueryRow(ctx, `select account_set_password($1, $2)`, accountID, hash).Scan(&changed); err != nil {
			return fmt.Errorf("identity: change password: %w", err)
		}
		if !changed {
			return apperr.ErrNotFound
		}
		return nil
	})
}

// SessionEpoch is the account's session epoch: a login stored before it changed (a password reset or change)
// has ended.
func SessionEpoch(ctx context.Context, pool *pgxpool.Pool, accountID int64) (int, error) {
	var epoch *int
	if err := pool.QueryRow(ctx, `select account_session_epoch($1)`, accountID).Scan(&epoch); err != nil {
		return 0, fmt.Errorf("identity: session epoch: %w", err)
	}
	if epoch == nil {
		return 0, apperr.ErrNotFound
	}
	return *epoch, nil
}
