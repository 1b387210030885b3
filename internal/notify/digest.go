package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/mail"
)

// Digest is what one digest email tells: a person's unread notifications not yet emailed, in the areas whose
// settings ask for a digest.
type Digest struct {
	Company string
	Name    string
	Items   []Notification
}

// Digester queues the digest emails through the outbox: at most one per person every DigestEvery. It runs inside
// `fieldops serve`; several instances share the work safely (the person's row is claimed in the transaction).
type Digester struct {
	DB *db.DB
	// Render draws the email (the app's templates); the digester addresses and queues it.
	Render func(context.Context, Digest) (mail.Email, error)
	Log    *slog.Logger
	Every  time.Duration // how often to look for due digests (a minute)
}

// DigestEvery is the least time between two digests to one person (the SQL says '15 minutes').
const DigestEvery = 15 * time.Minute

// Run queues due digests every Every until ctx ends.
func (d *Digester) Run(ctx context.Context) {
	if d.Every == 0 {
		d.Every = time.Minute
	}
	tick := time.NewTicker(d.Every)
	defer tick.Stop()
	for {
		if n, err := d.Once(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("notification digests", "err", err, "queued", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Once queues every digest due now and returns how many.
func (d *Digester) Once(ctx context.Context) (int, error) {
	rows, _ := d.DB.Pool.Query(ctx, `select company_id, membership_id from notification_digests_due(500)`)
	type due struct{ CompanyID, MembershipID int64 }
	people, err := pgx.CollectRows(rows, pgx.RowToStructByName[due])
	if err != nil {
		return 0, fmt.Errorf("notify: digests due: %w", err)
	}
	queued := 0
	var errs []error
	for _, p := range people {
		err := d.DB.InCompany(ctx, p.CompanyID, func(tx pgx.Tx) error {
			sent, err := d.queue(ctx, tx, p.CompanyID, p.MembershipID)
			if sent {
				queued++
			}
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("company %d, membership %d: %w", p.CompanyID, p.MembershipID, err))
		}
	}
	return queued, errors.Join(errs...)
}

// queue claims the person's turn (no digest in the last 15 minutes; another instance may have taken it) and queues
// their digest in tx, marking what it lists emailed. It reports whether an email was queued.
func (d *Digester) queue(ctx context.Context, tx pgx.Tx, companyID, membershipID int64) (bool, error) {
	var to string
	var dg Digest
	err := tx.QueryRow(ctx, `
		update memberships m set digest_sent_at = now()
		  from accounts a, companies c
		 where m.company_id = $1 and m.id = $2 and a.id = m.account_id and c.id = m.company_id and m.active
		   and (m.digest_sent_at is null or m.digest_sent_at < now() - interval '15 minutes')
		returning a.email::text, a.name, c.name`, companyID, membershipID).Scan(&to, &dg.Name, &dg.Company)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	rows, _ := tx.Query(ctx, `
		select n.id, n.area, n.title, n.link, n.actor_name,
		       coalesce((select c.name from clients c where c.company_id = n.company_id and c.id = n.client_id), '') as client_name,
		       n.created_at, false as read
		  from notifications n
		  join notification_settings s on s.company_id = n.company_id and s.membership_id = n.membership_id and s.area = n.area
		 where n.company_id = $1 and n.membership_id = $2 and s.email_digest and n.read_at is null and n.emailed_at is null
		 order by n.id
		 limit 100`, companyID, membershipID)
	if dg.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Notification]); err != nil || len(dg.Items) == 0 {
		return false, err
	}
	msg, err := d.Render(ctx, dg)
	if err != nil {
		return false, err
	}
	msg.Kind, msg.To = mail.KindDigest, []string{to}
	if _, err := mail.Enqueue(ctx, tx, companyID, msg); apperr.AsValidation(err) != nil {
		// The company may not send now (unverified, suspended, over its limits): this turn passes without an
		// email, and what it would have listed waits for the next, in 15 minutes.
		d.Log.Warn("notification digest not sent", "company_id", companyID, "membership_id", membershipID, "err", err)
		return false, nil
	} else if err != nil {
		return false, err
	}
	ids := make([]int64, len(dg.Items))
	for i, n := range dg.Items {
		ids[i] = n.ID
	}
	if _, err := tx.Exec(ctx, `update notifications set emailed_at = now() where company_id = $1 and id = any($2)`, companyID, ids); err != nil {
		return false, fmt.Errorf("mark emailed: %w", err)
	}
	return true, nil
}
