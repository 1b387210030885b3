package notify

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Target is what an admin follows with Push on: a client, or a group (exactly one of the two).
type Target struct {
	ClientID int64
	GroupID  int64
}

// column is the push_subscriptions column naming the target, and its id.
func (t Target) column() (string, int64) {
	if t.GroupID != 0 {
		return "group_id", t.GroupID
	}
	return "client_id", t.ClientID
}

// QueuePushOn adds the areas in which the admin follows the target (Push on); an area not in *on is off.
func QueuePushOn(b *pgx.Batch, companyID, adminID int64, t Target, on *map[Area]bool) {
	col, id := t.column()
	b.Queue(`select area from push_subscriptions where company_id = $1 and membership_id = $2 and `+col+` = $3`,
		companyID, adminID, id).Query(func(rows pgx.Rows) error {
		areas, err := pgx.CollectRows(rows, pgx.RowTo[Area])
		*on = map[Area]bool{}
		for _, a := range areas {
			(*on)[a] = true
		}
		return err
	})
}

// SetPushOn sets the areas in which the admin follows the target: those in on, and no others. ErrNotFound for a
// client or group that is not the company's, ErrForbidden for a person who is not an active admin.
func SetPushOn(ctx context.Context, tx pgx.Tx, companyID, adminID int64, t Target, on map[Area]bool) error {
	col, id := t.column()
	table := map[string]string{"client_id": "clients", "group_id": "groups"}[col]
	var exists, admin bool
	if err := tx.QueryRow(ctx, `
		select exists (select from `+table+` where company_id = $1 and id = $2),
		       exists (select from memberships where company_id = $1 and id = $3 and role = 'admin' and active)`,
		companyID, id, adminID).Scan(&exists, &admin); err != nil {
		return fmt.Errorf("notify: push on: %w", err)
	}
	switch {
	case !exists:
		return apperr.ErrNotFound
	case !admin:
		return apperr.ErrForbidden
	}
	if _, err := tx.Exec(ctx, `delete from push_subscriptions where company_id = $1 and membership_id = $2 and `+col+` = $3`,
		companyID, adminID, id); err != nil {
		return fmt.Errorf("notify: push on: %w", err)
	}
	for _, a := range Areas {
		if !on[a] {
			continue
		}
		if _, err := tx.Exec(ctx, `insert into push_subscriptions (company_id, membership_id, `+col+`, area) values ($1, $2, $3, $4)`,
			companyID, adminID, id, a); err != nil {
			return fmt.Errorf("notify: push on: %w", err)
		}
	}
	return nil
}

// Forget deletes a co-worker's notifications of a client they no longer serve: unassigned, they lose its
// counters at once. Called in the unassignment's transaction.
func Forget(ctx context.Context, tx pgx.Tx, companyID, membershipID, clientID int64) error {
	if _, err := tx.Exec(ctx, `delete from notifications where company_id = $1 and membership_id = $2 and client_id = $3`,
		companyID, membershipID, clientID); err != nil {
		return fmt.Errorf("notify: forget: %w", err)
	}
	return nil
}

// QueueDigests adds the areas in which the person gets an email digest besides the in-app notification.
func QueueDigests(b *pgx.Batch, companyID, membershipID int64, digest *map[Area]bool) {
	b.Queue(`select area from notification_settings where company_id = $1 and membership_id = $2 and email_digest`,
		companyID, membershipID).Query(func(rows pgx.Rows) error {
		areas, err := pgx.CollectRows(rows, pgx.RowTo[Area])
		*digest = map[Area]bool{}
		for _, a := range areas {
			(*digest)[a] = true
		}
		return err
	})
}

// SetDigests saves the person's notification settings: an email digest in the areas of digest, in-app only in the
// others. ErrNotFound for a person who is not the company's.
func SetDigests(ctx context.Context, tx pgx.Tx, companyID, membershipID int64, digest map[Area]bool) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select from memberships where company_id = $1 and id = $2)`, companyID, membershipID).Scan(&ok); err != nil {
		return fmt.Errorf("notify: settings: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	for _, a := range Areas {
		if _, err := tx.Exec(ctx, `
			insert into notification_settings (company_id, membership_id, area, email_digest) values ($1, $2, $3, $4)
			on conflict (company_id, membership_id, area) do update set email_digest = excluded.email_digest`,
			companyID, membershipID, a, digest[a]); err != nil {
			return fmt.Errorf("notify: settings: %w", err)
		}
	}
	return nil
}
