package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// StaffRoles are the roles an admin may give a staff member on the People pages.
var StaffRoles = []identity.Role{identity.RoleAdmin, identity.RoleCoWorker}

func isStaffRole(r identity.Role) bool {
	for _, s := range StaffRoles {
		if r == s {
			return true
		}
	}
	return false
}

// Edit is what a person's page sends: their name and role.
type Edit struct {
	Name string
	Role identity.Role
}

// lockPerson reads the membership inside tx, after the company lock. ErrNotFound when it is not the company's.
func lockPerson(ctx context.Context, tx pgx.Tx, companyID, membershipID int64) (Person, error) {
	rows, _ := tx.Query(ctx, `
		select `+personColumns+`
		  from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.id = $2
		   for update of m`, companyID, membershipID)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Person])
	if errors.Is(err, pgx.ErrNoRows) {
		return p, apperr.ErrNotFound
	}
	return p, err
}

// refuseLastAdmin returns a ValidationError when p is the company's only active admin; tx holds the company lock.
func refuseLastAdmin(ctx context.Context, tx pgx.Tx, companyID int64, p Person) error {
	if p.Role != identity.RoleAdmin || !p.Active {
		return nil
	}
	var others int
	err := tx.QueryRow(ctx, `select count(*) from memberships where company_id = $1 and role = 'admin' and active and id <> $2`,
		companyID, p.MembershipID).Scan(&others)
	if err != nil {
		return fmt.Errorf("staff: count admins: %w", err)
	}
	if others == 0 {
		return &apperr.ValidationError{Form: p.Name + " is the last active admin. Make someone else an admin first."}
	}
	return nil
}

// Update renames a person and changes a staff member's role. A role change ends their sessions (the session
// version is bumped). The last active admin cannot stop being one; a person who also works for another company is
// not renamed (a ValidationError on "name": their name is theirs to change). ErrNotFound for another company's
// membership; a client user's, guest's or subcontractor's type is not changed here (ErrForbidden).
func Update(ctx context.Context, tx pgx.Tx, companyID, membershipID int64, in Edit) error {
	in.Name = strings.TrimSpace(in.Name)
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "their name", in.Name)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := lockCompany(ctx, tx, companyID); err != nil {
		return err
	}
	p, err := lockPerson(ctx, tx, companyID, membershipID)
	if err != nil {
		return err
	}
	switch {
	case isStaffRole(p.Role) && !isStaffRole(in.Role):
		return apperr.FieldError("role", "Choose Admin or Co-worker.")
	case !isStaffRole(p.Role) && in.Role != p.Role:
		return apperr.ErrForbidden // a client user, guest or subcontractor keeps their type; only the name changes here
	}
	if in.Role != p.Role {
		if err := refuseLastAdmin(ctx, tx, companyID, p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update memberships set role = $3, session_version = session_version + 1 where company_id = $1 and id = $2`,
			companyID, membershipID, in.Role); err != nil {
			return fmt.Errorf("staff: change role: %w", err)
		}
	}
	if in.Name != p.Name {
		// accounts are global: the name is the person's everywhere, as they would see it themselves. So a
		// company may rename only a person who works for it alone; anyone else changes their own name.
		var elsewhere bool
		if err := tx.QueryRow(ctx, `select account_elsewhere($1)`, p.AccountID).Scan(&elsewhere); err != nil {
			return fmt.Errorf("staff: rename: %w", err)
		}
		if elsewhere {
			return apperr.FieldError("name", p.Name+
				" also works with another company on fieldops, so only they can change their name (on their own Account page).")
		}
		if _, err := tx.Exec(ctx, `update accounts set name = $2 where id = $1`, p.AccountID, in.Name); err != nil {
			return fmt.Errorf("staff: rename: %w", err)
		}
	}
	return nil
}

// SetActive deactivates or reactivates a membership. Deactivating ends the person's sessions at their next
// request and frees their seat; the last active admin cannot be deactivated. Reactivating needs a free seat.
func SetActive(ctx context.Context, tx pgx.Tx, companyID, membershipID int64, active bool) error {
	seats, err := lockCompany(ctx, tx, companyID)
	if err != nil {
		return err
	}
	p, err := lockPerson(ctx, tx, companyID, membershipID)
	if err != nil || p.Active == active {
		return err
	}
	switch {
	case !active:
		if err := refuseLastAdmin(ctx, tx, companyID, p); err != nil {
			return err
		}
	case p.Role == identity.RoleGuest:
		if err := checkHost(ctx, tx, companyID, p.HostID); err != nil {
			return &apperr.ValidationError{Form: p.Name + " is a guest of " + p.HostName + ", who is deactivated: reactivate " + p.HostName + " first."}
		}
	case p.Role.UsesSeat() && seats.Full():
		return ErrSeatsFull(seats)
	}
	if _, err := tx.Exec(ctx, `update memberships set active = $3, session_version = session_version + 1 where company_id = $1 and id = $2`,
		companyID, membershipID, active); err != nil {
		return fmt.Errorf("staff: set active: %w", err)
	}
	if !active {
		// Their private calendar feed goes with them: reactivated, they make a new link.
		if _, err := tx.Exec(ctx, `delete from calendar_feeds where company_id = $1 and (membership_id = $2
			 or membership_id in (select id from memberships where company_id = $1 and host_id = $2))`, companyID, membershipID); err != nil {
			return fmt.Errorf("staff: calendar feed: %w", err)
		}
	}
	if !active && p.Role == identity.RoleClient {
		// A guest serves their client user only: they go with them (and come back one by one, when reactivated).
		if _, err := tx.Exec(ctx, `update memberships set active = false, session_version = session_version + 1
			 where company_id = $1 and host_id = $2 and active`, companyID, membershipID); err != nil {
			return fmt.Errorf("staff: deactivate guests: %w", err)
		}
	}
	return nil
}

// QueueGuests adds the guests of a client user (host), active first, by name, and their open invitations: the
// client user's own Guests page.
func QueueGuests(b *pgx.Batch, companyID, hostID int64, people *[]Person, invs *[]Invitation) {
	queueBelonging(b, companyID, "host_id", hostID, people, invs)
}

// SetGuestActive is SetActive for a client user on their own guest: ErrNotFound for anyone who is not a guest of
// hostID.
func SetGuestActive(ctx context.Context, tx pgx.Tx, companyID, hostID, guestID int64, active bool) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select from memberships where company_id = $1 and id = $2 and host_id = $3 and role = 'guest')`,
		companyID, guestID, hostID).Scan(&ok); err != nil {
		return fmt.Errorf("staff: guest: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	return SetActive(ctx, tx, companyID, guestID, active)
}
