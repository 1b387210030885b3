package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

// InviteForm is what Add subcontractor sends: the firm's name and the email of whoever runs it.
type InviteForm struct {
	Name  string
	Email string
}

// Normalize trims the fields.
func (f *InviteForm) Normalize() {
	f.Name, f.Email = strings.TrimSpace(f.Name), strings.TrimSpace(f.Email)
}

// Validate reports a missing or long name and a malformed email.
func (f InviteForm) Validate() error {
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "the firm's name", f.Name)
	identity.CheckEmail(v, "email", f.Email)
	return v.Err()
}

// InviteSubcontractor records an invitation to the firm in f and queues msg (its email, whose link holds the token
// hashed as tokenHash), both in tx, and returns its id. Refused in words when the email was invited already (use
// Resend) or belongs to a subcontractor already connected.
func InviteSubcontractor(ctx context.Context, tx pgx.Tx, companyID, invitedBy int64, f InviteForm, tokenHash []byte, msg mail.Email) (int64, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return 0, err
	}
	var connected *bool
	err := tx.QueryRow(ctx, `
		select connected_at is not null from connections
		 where company_id = $1 and kind = 'subcontractor' and email = $2
		 order by connected_at nulls last limit 1`, companyID, f.Email).Scan(&connected)
	switch {
	case err == nil && *connected:
		return 0, apperr.FieldError("email", "This subcontractor is connected already.")
	case err == nil:
		return 0, apperr.FieldError("email", "This email has an invitation already. Use Resend on it instead.")
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("connections: invite: %w", err)
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into connections (company_id, kind, name, email, token_hash, expires_at, invited_by)
		values ($1, 'subcontractor', $2, $3, $4, now() + interval '7 days', $5) returning id`,
		companyID, f.Name, f.Email, tokenHash, db.NullID(invitedBy)).Scan(&id); err != nil {
		return 0, fmt.Errorf("connections: invite: %w", err)
	}
	return id, enqueue(ctx, tx, companyID, f.Email, msg)
}

func enqueue(ctx context.Context, tx pgx.Tx, companyID int64, to string, msg mail.Email) error {
	msg.Kind, msg.To, msg.Secret = mail.KindInvite, []string{to}, true
	_, err := mail.Enqueue(ctx, tx, companyID, msg)
	return err
}

// ResendSubcontractor sends a subcontractor's invitation again with a new link (the old one stops working) and 7
// more days, and returns its email address. ErrNotFound when there is no such invitation; ErrConflict when the firm
// is connected already.
func ResendSubcontractor(ctx context.Context, tx pgx.Tx, companyID, by, id int64, tokenHash []byte, msg func(name string) (mail.Email, error)) (string, error) {
	var name, email string
	var connected bool
	err := tx.QueryRow(ctx, `
		select name, coalesce(email::text, ''), connected_at is not null from connections
		 where company_id = $1 and id = $2 and kind = 'subcontractor' for update`, companyID, id).Scan(&name, &email, &connected)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", apperr.ErrNotFound
	case err != nil:
		return "", fmt.Errorf("connections: resend: %w", err)
	case connected:
		return "", apperr.ErrConflict
	}
	if _, err := tx.Exec(ctx, `
		update connections set token_hash = $3, expires_at = now() + interval '7 days', invited_by = $4
		 where company_id = $1 and id = $2`, companyID, id, tokenHash, by); err != nil {
		return "", fmt.Errorf("connections: resend: %w", err)
	}
	m, err := msg(name)
	if err != nil {
		return "", err
	}
	return email, enqueue(ctx, tx, companyID, email, m)
}

// CancelSubcontractor withdraws an invitation nobody accepted: its link stops working. ErrNotFound otherwise.
func CancelSubcontractor(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	tag, err := tx.Exec(ctx, `
		delete from connections where company_id = $1 and id = $2 and kind = 'subcontractor' and connected_at is null`, companyID, id)
	if err != nil {
		return fmt.Errorf("connections: cancel: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Invitation is a subcontractor invitation as its link's page shows it.
type Invitation struct {
	CompanyName string // who invites
	Email       string
	State       State
	// Firms are the companies the invited email's login runs (admin), which it may connect; HasAccount says the
	// email has a login at all (it then signs in with its password).
	HasAccount bool
	Firms      []Firm
}

// Lookup finds the company and invitation a subcontractor invitation link's raw token belongs to. ErrNotFound for a
// made-up, replaced or cancelled link, or one already used.
func Lookup(ctx context.Context, pool *pgxpool.Pool, raw string) (companyID, id int64, err error) {
	if !token.Plausible(raw) {
		return 0, 0, apperr.ErrNotFound
	}
	err = pool.QueryRow(ctx, `select company_id, connection_id from connection_invitation($1)`, token.Hash(raw)).Scan(&companyID, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, apperr.ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("connections: look up invitation: %w", err)
	}
	return companyID, id, nil
}

// QueueInvitation adds the pending subcontractor invitation id of companyID, its state at now. ErrNotFound when
// there is none (a used link's token is cleared, so it never gets here). The firms its email's login runs come
// from FirmsOf.
func QueueInvitation(b *pgx.Batch, companyID, id int64, now time.Time, inv *Invitation) {
	b.Queue(`select (select name from companies where id = k.company_id), k.email::text, k.expires_at
	           from connections k
	          where k.company_id = $1 and k.id = $2 and k.kind = 'subcontractor' and k.connected_at is null`,
		companyID, id).Query(func(rows pgx.Rows) error {
		var expires time.Time
		_, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (struct{}, error) {
			return struct{}{}, row.Scan(&inv.CompanyName, &inv.Email, &expires)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		inv.State = StatePending
		if !expires.After(now) {
			inv.State = StateExpired
		}
		return err
	})
}

// FirmsOf lists the companies the login with email runs as an active admin, and whether there is such a login.
func FirmsOf(ctx context.Context, pool *pgxpool.Pool, email string) ([]Firm, bool, error) {
	var accountID int64
	err := pool.QueryRow(ctx, `select account_id from login_account($1)`, email).Scan(&accountID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("connections: firms: %w", err)
	}
	ms, err := identity.Memberships(ctx, pool, accountID)
	var firms []Firm
	for _, m := range ms {
		if m.Role == identity.RoleAdmin {
			firms = append(firms, Firm{ID: m.CompanyID, Name: m.CompanyName})
		}
	}
	return firms, true, err
}

// AcceptSubcontractor connects the firm firmID (a company accountID runs as admin) — or, with firmID 0, a new company
// named newCompany that accountID then runs — to the company that sent the subcontractor invitation whose link holds
// raw: the firm gets a customer standing for that company, in its own client list. It returns the firm's id.
// ErrNotFound for a link no longer usable, ErrNotAdmin, ErrAlreadyConnected; a ValidationError for a new company's
// name.
func AcceptSubcontractor(ctx context.Context, tx pgx.Tx, raw string, accountID, firmID int64, newCompany string) (int64, error) {
	newCompany = strings.TrimSpace(newCompany)
	if firmID == 0 {
		v := &apperr.ValidationError{}
		identity.CheckName(v, "company_name", "the new company's name", newCompany)
		if err := v.Err(); err != nil {
			return 0, err
		}
	}
	var firm int64
	err := tx.QueryRow(ctx, `select firm_id from connect_subcontractor($1, $2, $3, $4)`, raw, accountID, db.NullID(firmID), newCompany).Scan(&firm)
	return firm, sqlError(err)
}

// AcceptAsCustomer uses a client user's invitation (its link holds raw) to connect the firm (a company accountID
// runs as admin) instead: the invitation's client becomes that company, which may then assign jobs to the
// inviting company. The same errors as AcceptSubcontractor.
func AcceptAsCustomer(ctx context.Context, tx pgx.Tx, raw string, accountID, firmID int64) error {
	_, err := tx.Exec(ctx, `select from connect_customer($1, $2, $3)`, raw, accountID, firmID)
	return sqlError(err)
}
