package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
)

// Login is what the login form sends.
type Login struct {
	Email    string
	Password string
}

// ErrWrongLogin is the one answer to a wrong email or a wrong password: which of the two is never said.
var ErrWrongLogin = &apperr.ValidationError{Form: "Email or password is wrong."}

// Normalize trims the email; a password is taken exactly as typed.
func (in *Login) Normalize() { in.Email = strings.TrimSpace(in.Email) }

// Validate reports empty fields.
func (in Login) Validate() error {
	v := &apperr.ValidationError{}
	if in.Email == "" {
		v.Add("email", "Enter your email address.")
	}
	if in.Password == "" {
		v.Add("password", "Enter your password.")
	}
	return v.Err()
}

// Authenticate returns the account id for a correct email and password, or ErrWrongLogin. An unknown email costs
// the same password check as a known one.
func Authenticate(ctx context.Context, pool *pgxpool.Pool, h *Hasher, in Login) (int64, error) {
	id, _, err := AuthenticateAt(ctx, pool, h, in)
	return id, err
}

// AuthenticateAt is Authenticate that also returns the account's session epoch as it was when the hash was read:
// a session started for the login must carry it (page.Kit.StartLogin refuses one that moved on meanwhile, as a
// password reset landing mid-check does).
func AuthenticateAt(ctx context.Context, pool *pgxpool.Pool, h *Hasher, in Login) (id int64, epoch int, err error) {
	var hash string
	err = pool.QueryRow(ctx, `select account_id, password_hash, session_epoch from login_account($1)`, in.Email).Scan(&id, &hash, &epoch)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, fmt.Errorf("identity: login: %w", err)
	}
	ok, err := h.CheckCtx(ctx, hash, in.Password)
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		return 0, 0, ErrWrongLogin
	}
	return id, epoch, nil
}

// Membership is one company an account may act in.
type Membership struct {
	ID          int64
	CompanyID   int64
	CompanyName string
	Role        Role
	// SessionVersion goes into the session; bumping it in the database ends every session of the membership.
	SessionVersion int
}

// Memberships lists the active memberships of an account, by company name.
func Memberships(ctx context.Context, pool *pgxpool.Pool, accountID int64) ([]Membership, error) {
	rows, _ := pool.Query(ctx, `
		select membership_id as id, company_id, company_name, role, session_version
		  from account_memberships($1)`, accountID)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Membership])
	if err != nil {
		return nil, fmt.Errorf("identity: memberships: %w", err)
	}
	return ms, nil
}

// Signup is what the sign-up form sends.
type Signup struct {
	CompanyName string
	Name        string
	Email       string
	Password    string
}

// Normalize trims the text fields.
func (in *Signup) Normalize() {
	in.CompanyName = strings.TrimSpace(in.CompanyName)
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
}

// Validate reports each field that is missing, malformed or too long.
func (in Signup) Validate() error {
	v := &apperr.ValidationError{}
	CheckName(v, "company_name", "your company's name", in.CompanyName)
	CheckName(v, "name", "your name", in.Name)
	CheckEmail(v, "email", in.Email)
	CheckNewPassword(v, "password", in.Password)
	return v.Err()
}

// Querier is a pool or a transaction: SignUp runs alone, or inside a transaction that does more with the new
// company (connecting it, when it signs up from a subcontractor invitation).
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SignUp creates the company, the account and its admin membership, and returns the account id and the
// membership. A taken email is a ValidationError on the email field; nothing is created then.
func SignUp(ctx context.Context, q Querier, h *Hasher, in Signup) (int64, Membership, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return 0, Membership{}, err
	}
	m := Membership{CompanyName: in.CompanyName, Role: RoleAdmin, SessionVersion: 1}
	hash, err := h.HashCtx(ctx, in.Password)
	if err != nil {
		return 0, m, err
	}
	var accountID int64
	err = q.QueryRow(ctx, `select company_id, account_id, membership_id from signup($1, $2, $3, $4)`,
		in.CompanyName, in.Name, in.Email, hash).Scan(&m.CompanyID, &accountID, &m.ID)
	if isUniqueViolation(err, "accounts_email_key") {
		return 0, m, apperr.FieldError("email", "This email already has an account. Log in instead, or use another email.")
	}
	if err != nil {
		return 0, m, fmt.Errorf("identity: sign up: %w", err)
	}
	return accountID, m, nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}
