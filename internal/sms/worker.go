package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/db"
)

// Worker delivers the SMS outbox inside `fieldops serve`; several instances share it safely (claims SKIP LOCKED, a
// lapsed lease is claimed again). A text whose number replied STOP after it was queued is blocked, not sent.
type Worker struct {
	DB       *db.DB
	Provider Provider
	Log      *slog.Logger
	Poll     time.Duration // how often to look for due texts (1s)
	// GiveUpAfter is how long a text is retried, counted from when it was queued (24h); Backoff the first wait (30s),
	// doubled after each try up to an hour.
	GiveUpAfter time.Duration
	Backoff     time.Duration
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	if w.Poll == 0 {
		w.Poll = time.Second
	}
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	for {
		if _, err := w.Once(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("sms: deliver", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

type claimed struct {
	CompanyID int64
	ID        int64
	ToPhone   string
	Body      string
	Attempts  int
	CreatedAt time.Time
}

// Once delivers the texts due now and returns how many it tried.
func (w *Worker) Once(ctx context.Context) (int, error) {
	if w.GiveUpAfter == 0 {
		w.GiveUpAfter = 24 * time.Hour
	}
	if w.Backoff == 0 {
		w.Backoff = 30 * time.Second
	}
	bg := context.WithoutCancel(ctx) // what was claimed is settled even during a shutdown
	// A few at a time: each send has 15 seconds, so a batch ends well within its lease.
	rows, _ := w.DB.Pool.Query(bg, `select company_id, id, to_phone, body, attempts, created_at from sms_claim(5, interval '5 minutes')`)
	batch, err := pgx.CollectRows(rows, pgx.RowToStructByName[claimed])
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var phones []string
	for _, t := range batch {
		phones = append(phones, t.ToPhone)
	}
	rows, _ = w.DB.Pool.Query(bg, `select phone from sms_opted_out($1)`, phones)
	stopped, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("sms: opt-outs: %w", err)
	}
	var errs []error
	for _, t := range batch {
		status, providerID, reason, retry := "sent", "", "", (*time.Time)(nil)
		if ctx.Err() != nil { // shutting down: handed back untried, due at once
			status, reason, retry = "pending", "Handed back at a shutdown.", &t.CreatedAt
		} else if slices.Contains(stopped, t.ToPhone) {
			status, reason = "blocked", "The number replied STOP: it is not texted again."
		} else if id, err := w.Provider.Send(ctx, t.ToPhone, t.Body); err != nil {
			reason = err.Error()
			var permanent Permanent
			if errors.As(err, &permanent) || time.Since(t.CreatedAt) > w.GiveUpAfter {
				status = "failed"
			} else {
				status = "pending"
				at := time.Now().Add(min(w.Backoff<<min(t.Attempts-1, 10), time.Hour))
				retry = &at
			}
			w.Log.Warn("sms: not sent", "company_id", t.CompanyID, "id", t.ID, "status", status, "err", err)
		} else {
			providerID = id
		}
		if _, err := w.DB.Pool.Exec(bg, `select sms_done($1, $2, $3, $4, $5, $6, $7)`, t.CompanyID, t.ID, t.Attempts, status,
			nullText(providerID), nullText(strings.ToValidUTF8(reason, "?")), retry); err != nil {
			errs = append(errs, fmt.Errorf("sms: mark %d: %w", t.ID, err))
		}
	}
	return len(batch), errors.Join(errs...)
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
