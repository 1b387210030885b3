package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/token"
)

// InvitationLifetime is how long an invitation link works (the SQL below says '7 days').
const InvitationLifetime = 7 * 24 * time.Hour

// InvitationStatus is where an invitation stands, as the Staff page shows it.
type InvitationStatus string

// The statuses of an invitation.
const (
	InvitationPending    InvitationStatus = "pending"
	InvitationExpired    InvitationStatus = "expired"
	InvitationRegistered InvitationStatus = "registered"
)

// Invitation is one invitation to join the company.
type Invitation struct {
	ID          int64
	Email       string
	Role        identity.Role
	Status      InvitationStatus
	ExpiresAt   time.Time
	CreatedAt   time.Time
	CompanyName string
	// HasAccount says the invited email already has a fieldops login: accepting then asks for its password.
	HasAccount bool
	// ClientName is the client of a client user's invitation (Job Share Plus), or of a guest's host, else "".
	ClientName string
	// HostName is the client user a guest's invitation is for, else "".
	HostName string
}

const invitationColumns = `
	i.id, i.email::text as email, i.role,
	case when i.accepted_at is not null then 'registered'
	     when i.expires_at <= now() then 'expired'
	     else 'pending' end as status,
	i.expires_at, i.created_at,
	(select c.name from companies c where c.id = i.company_id) as company_name,
	exists (select from login_account(i.email::text)) as has_account,
	coalesce((select cl.name from clients cl
	           where cl.company_id = i.company_id
	             and cl.id = coalesce(i.client_id, (select h.client_id from memberships h where h.company_id = i.company_id and h.id = i.host_id))), '') as client_name,
	coalesce((select a.name from memberships h join accounts a on a.id = h.account_id
	           where h.company_id = i.company_id and h.id = i.host_id), '') as host_name`

// QueueInvitations adds the company's invitations, newest first (the latest 100; cancelled ones are gone).
func QueueInvitations(b *pgx.Batch, companyID int64, invs *[]Invitation) {
	b.Queue(`select `+invitationColumns+` from invitations i
		 where i.company_id = $1 and i.cancelled_at is null
		 order by i.id desc limit 100`, companyID).Query(func(rows pgx.Rows) (err error) {
		*invs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Invitation])
		return err
	})
}

// QueueInvitation adds one invitation: *inv is filled, or ErrNotFound comes back (another company's, or cancelled).
func QueueInvitation(b *pgx.Batch, companyID, id int64, inv *Invitation) {
	b.Queue(`select `+invitationColumns+` from invitations i
		 where i.company_id = $1 and i.id = $2 and i.cancelled_at is null`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		*inv, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invitation])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// InviteForm is what an invite form sends: the type of user and their email. A client user (Job Share Plus) comes
// with their client and the permissions the firm gives them; a guest with their host, the client user they serve.
type InviteForm struct {
	Email    string
	Role     identity.Role
	ClientID int64
	Perms    identity.Permissions
	HostID   int64
	// TaskID is the task a guest was invited from (its person control): they join it when they accept. The
	// caller has checked the task with tasks.CheckGuestInvite.
	TaskID int64
}

// InviteRoles are the types of user the Invite User page offers, in its order.
var InviteRoles = []identity.Role{identity.RoleAdmin, identity.RoleCoWorker, identity.RoleClient, identity.RoleGuest}

// Normalize trims the email.
func (f *InviteForm) Normalize() { f.Email = strings.TrimSpace(f.Email) }

// Validate reports a malformed email, a type of user that cannot be invited, a client user without their client
// or a guest without their host.
func (f InviteForm) Validate() error {
	v := &apperr.ValidationError{}
	identity.CheckEmail(v, "email", f.Email)
	switch {
	case f.Role == identity.RoleClient && f.ClientID <= 0:
		v.Add("client_id", "Choose the client this user belongs to.")
	case f.Role == identity.RoleGuest && f.HostID <= 0:
		v.Add("host_id", "Choose the client user this guest works with.")
	case f.Role != identity.RoleClient && f.Role != identity.RoleGuest && !isStaffRole(f.Role):
		v.Add("role", "Choose Admin, Co-worker, Client user or Guest.")
	}
	return v.Err()
}

// Invite records an invitation and queues msg (the invitation email, whose link holds the token hashed as
// tokenHash) to f.Email, both in tx, and returns the invitation's id. Refused with a ValidationError, and nothing
// created, when the email is malformed, is already one of the company's people, has a pending invitation, or
// when no seat is left.
func Invite(ctx context.Context, tx pgx.Tx, companyID, invitedBy int64, f InviteForm, tokenHash []byte, msg mail.Email) (int64, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return 0, err
	}
	seats, err := lockCompany(ctx, tx, companyID)
	if err != nil {
		return 0, err
	}
	var active bool
	var role identity.Role
	err = tx.QueryRow(ctx, `
		select m.active, m.role from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and a.email = $2`, companyID, f.Email).Scan(&active, &role)
	switch {
	case err == nil && active:
		return 0, apperr.FieldError("email", "This person already belongs to your company, as "+role.WithArticle()+".")
	case err == nil:
		return 0, apperr.FieldError("email", "This person was deactivated. Reactivate them from their page instead.")
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("staff: invite: %w", err)
	}
	var pending bool
	if err := tx.QueryRow(ctx, `
		select exists (select from invitations
		                where company_id = $1 and email = $2 and accepted_at is null and cancelled_at is null
		                  and expires_at > now())`, companyID, f.Email).Scan(&pending); err != nil {
		return 0, fmt.Errorf("staff: invite: %w", err)
	}
	if pending {
		return 0, apperr.FieldError("email", "An invitation to this address is already pending. Use Resend on it instead.")
	}
	if f.Role.UsesSeat() && seats.Full() {
		return 0, ErrSeatsFull(seats)
	}
	switch f.Role {
	case identity.RoleClient:
		f.HostID, f.TaskID = 0, 0
		var ok bool
		if err := tx.QueryRow(ctx, `select exists (select from clients where company_id = $1 and id = $2)`, companyID, f.ClientID).Scan(&ok); err != nil || !ok {
			return 0, errors.Join(err, apperr.ErrNotFound)
		}
	case identity.RoleGuest:
		f.ClientID, f.Perms = 0, identity.Permissions{}
		if err := checkHost(ctx, tx, companyID, f.HostID); err != nil {
			return 0, err
		}
	default:
		f.ClientID, f.Perms, f.HostID, f.TaskID = 0, identity.Permissions{}, 0, 0
	}
	return insertInvitation(ctx, tx, companyID, invitedBy, f, tokenHash, msg)
}

// checkHost refuses a guest's host that is not an active client user of the company: ErrNotFound for an id that is
// not the company's at all (forged), a message in words for anyone else.
func checkHost(ctx context.Context, tx pgx.Tx, companyID, hostID int64) error {
	var role identity.Role
	var active bool
	err := tx.QueryRow(ctx, `select role, active from memberships where company_id = $1 and id = $2`, companyID, hostID).Scan(&role, &active)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return apperr.ErrNotFound
	case err != nil:
		return fmt.Errorf("staff: guest's host: %w", err)
	case role != identity.RoleClient:
		return apperr.FieldError("host_id", "A guest works with a client user: choose one.")
	case !active:
		return apperr.FieldError("host_id", "This client user was deactivated: reactivate them first, or choose another.")
	}
	return nil
}

func insertInvitation(ctx context.Context, tx pgx.Tx, companyID, invitedBy int64, f InviteForm, tokenHash []byte, msg mail.Email) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		insert into invitations (company_id, email, role, token_hash, invited_by, expires_at,
		                         client_id, perm_add_edit, perm_view_messages, perm_view_prices, host_id, task_id)
		values ($1, $2, $3, $4, $5, now() + interval '7 days', $6, $7, $8, $9, $10, $11) returning id`,
		companyID, f.Email, f.Role, tokenHash, invitedBy, db.NullID(f.ClientID), f.Perms.AddEdit, f.Perms.ViewMessages, f.Perms.ViewPrices,
		db.NullID(f.HostID), db.NullID(f.TaskID)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("staff: invite: %w", err)
	}
	return id, enqueueInvitation(ctx, tx, companyID, f.Email, msg)
}

func enqueueInvitation(ctx context.Context, tx pgx.Tx, companyID int64, to string, msg mail.Email) error {
	msg.Kind, msg.To, msg.Secret = mail.KindInvite, []string{to}, true
	_, err := mail.Enqueue(ctx, tx, companyID, msg)
	return err
}

// Resend sends an invitation again with a new link: the old link stops working at once. A pending invitation
// keeps its id and gets 7 more days; an expired one is replaced by a new invitation (which needs a free seat), whose
// id is returned. A registered invitation cannot be resent (ErrConflict); another company's is ErrNotFound.
func Resend(ctx context.Context, tx pgx.Tx, companyID, invitedBy, id int64, tokenHash []byte, msg mail.Email) (int64, error) {
	seats, err := lockCompany(ctx, tx, companyID)
	if err != nil {
		return 0, err
	}
	var f InviteForm
	var client, host, task *int64
	var status InvitationStatus
	err = tx.QueryRow(ctx, `
		select i.email::text, i.role, i.client_id, i.perm_add_edit, i.perm_view_messages, i.perm_view_prices, i.host_id, i.task_id,
		       case when i.accepted_at is not null then 'registered' when i.expires_at <= now() then 'expired' else 'pending' end
		  from invitations i
		 where i.company_id = $1 and i.id = $2 and i.cancelled_at is null
		   for update`, companyID, id).Scan(&f.Email, &f.Role, &client, &f.Perms.AddEdit, &f.Perms.ViewMessages, &f.Perms.ViewPrices, &host, &task, &status)
	if client != nil {
		f.ClientID = *client
	}
	if host != nil {
		f.HostID = *host
	}
	if task != nil {
		f.TaskID = *task
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("staff: resend: %w", err)
	}
	if f.Role == identity.RoleGuest && status != InvitationRegistered {
		if err := checkHost(ctx, tx, companyID, f.HostID); err != nil {
			return 0, err
		}
	}
	switch status {
	case InvitationRegistered:
		return 0, apperr.ErrConflict
	case InvitationPending:
		if _, err := tx.Exec(ctx, `
			update invitations set token_hash = $3, expires_at = now() + interval '7 days'
			 where company_id = $1 and id = $2`, companyID, id, tokenHash); err != nil {
			return 0, fmt.Errorf("staff: resend: %w", err)
		}
		return id, enqueueInvitation(ctx, tx, companyID, f.Email, msg)
	}
	if f.Role.UsesSeat() && seats.Full() {
		return 0, ErrSeatsFull(seats)
	}
	if _, err := tx.Exec(ctx, `update invitations set cancelled_at = now() where company_id = $1 and id = $2`, companyID, id); err != nil {
		return 0, fmt.Errorf("staff: resend: %w", err)
	}
	return insertInvitation(ctx, tx, companyID, invitedBy, f, tokenHash, msg)
}

// Cancel withdraws an invitation that was not accepted: its link stops working and its seat is free.
// ErrNotFound when there is no such open invitation in the company.
func Cancel(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	tag, err := tx.Exec(ctx, `
		update invitations set cancelled_at = now()
		 where company_id = $1 and id = $2 and accepted_at is null and cancelled_at is null`, companyID, id)
	if err != nil {
		return fmt.Errorf("staff: cancel invitation: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Errors of an invitation link that can no longer be used; the server answers each with a page that says so.
var (
	ErrInvitationUsed    = errors.New("staff: invitation already used")
	ErrInvitationExpired = errors.New("staff: invitation expired")
)

// Lookup finds the company and id of the invitation a link's raw token belongs to. ErrNotFound for a made-up,
// replaced (Resend) or cancelled link — the same answer for each.
func Lookup(ctx context.Context, pool *pgxpool.Pool, raw string) (companyID, id int64, err error) {
	if !token.Plausible(raw) {
		return 0, 0, apperr.ErrNotFound
	}
	err = pool.QueryRow(ctx, `select company_id, invitation_id from invitation_by_token($1)`, token.Hash(raw)).Scan(&companyID, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, apperr.ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("staff: look up invitation: %w", err)
	}
	return companyID, id, nil
}

// NewAccount is what the invitee types when their email has no login yet.
type NewAccount struct {
	Name     string
	Password string
}

// AcceptNew accepts the invitation with a new account (the invited email, the given name and password) and
// returns the account id and the new membership. ErrInvitationUsed or ErrInvitationExpired when the link can no
// longer be used; a ValidationError for what was typed.
func AcceptNew(ctx context.Context, tx pgx.Tx, h *identity.Hasher, companyID, id int64, in NewAccount) (int64, identity.Membership, error) {
	in.Name = strings.TrimSpace(in.Name)
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "your name", in.Name)
	identity.CheckNewPassword(v, "password", in.Password)
	if err := v.Err(); err != nil {
		return 0, identity.Membership{}, err
	}
	email, err := claim(ctx, tx, companyID, id)
	if err != nil {
		return 0, identity.Membership{}, err
	}
	hash, err := h.HashCtx(ctx, in.Password)
	if err != nil {
		return 0, identity.Membership{}, err
	}
	var accountID int64
	err = tx.QueryRow(ctx, `select create_account($1, $2, $3)`, email, in.Name, hash).Scan(&accountID)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, identity.Membership{}, &apperr.ValidationError{Form: "This email has a fieldops login now. Reload the page and log in with its password."}
	}
	if err != nil {
		return 0, identity.Membership{}, fmt.Errorf("staff: accept: %w", err)
	}
	m, err := join(ctx, tx, companyID, id, accountID)
	return accountID, m, err
}

// AcceptExisting accepts the invitation for the account that already holds the invited email; accountID must be
// that account (the caller checked its password), never whoever happens to be logged in.
func AcceptExisting(ctx context.Context, tx pgx.Tx, companyID, id, accountID int64) (identity.Membership, error) {
	email, err := claim(ctx, tx, companyID, id)
	if err != nil {
		return identity.Membership{}, err
	}
	var owner int64
	if err := tx.QueryRow(ctx, `select account_id from login_account($1)`, email).Scan(&owner); err != nil || owner != accountID {
		return identity.Membership{}, errors.Join(err, apperr.ErrForbidden)
	}
	return join(ctx, tx, companyID, id, accountID)
}

// claim locks a usable invitation inside tx and returns its email.
func claim(ctx context.Context, tx pgx.Tx, companyID, id int64) (string, error) {
	var email string
	var accepted, expired bool
	err := tx.QueryRow(ctx, `
		select email::text, accepted_at is not null, expires_at <= now()
		  from invitations
		 where company_id = $1 and id = $2 and cancelled_at is null
		   for update`, companyID, id).Scan(&email, &accepted, &expired)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", apperr.ErrNotFound
	case err != nil:
		return "", fmt.Errorf("staff: accept: %w", err)
	case accepted:
		return "", ErrInvitationUsed
	case expired:
		return "", ErrInvitationExpired
	}
	return email, nil
}

// join makes the account a member with the invitation's role (and, for a client user, its client and
// permissions; for a guest invited from a task, a place on that task) and marks the invitation registered.
func join(ctx context.Context, tx pgx.Tx, companyID, id, accountID int64) (identity.Membership, error) {
	m := identity.Membership{CompanyID: companyID, SessionVersion: 1}
	err := tx.QueryRow(ctx, `
		insert into memberships (company_id, account_id, role, client_id, perm_add_edit, perm_view_messages, perm_view_prices, host_id)
		select $1, $2, i.role, i.client_id, i.perm_add_edit, i.perm_view_messages, i.perm_view_prices, i.host_id
		  from invitations i where i.company_id = $1 and i.id = $3
		on conflict (company_id, account_id) do nothing
		returning id, role`, companyID, accountID, id).Scan(&m.ID, &m.Role)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, &apperr.ValidationError{Form: "You already belong to this company. Log in instead."}
	}
	if err != nil {
		return m, fmt.Errorf("staff: accept: %w", err)
	}
	if _, err := tx.Exec(ctx, `update invitations set accepted_at = now(), membership_id = $3 where company_id = $1 and id = $2`,
		companyID, id, m.ID); err != nil {
		return m, fmt.Errorf("staff: accept: %w", err)
	}
	// The task the guest was invited from (tasks.CheckGuestInvite allowed it when the invitation was made).
	if _, err := tx.Exec(ctx, `
		insert into task_people (company_id, task_id, membership_id, added_by)
		select i.company_id, i.task_id, $3, i.invited_by from invitations i
		 where i.company_id = $1 and i.id = $2 and i.task_id is not null
		on conflict do nothing`, companyID, id, m.ID); err != nil {
		return m, fmt.Errorf("staff: accept: %w", err)
	}
	if err := tx.QueryRow(ctx, `select name from companies where id = $1`, companyID).Scan(&m.CompanyName); err != nil {
		return m, fmt.Errorf("staff: accept: %w", err)
	}
	return m, nil
}
