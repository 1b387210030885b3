package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	gomail "github.com/wneessen/go-mail"

	"fieldops/internal/db"
)

// Worker delivers the outbox. It runs inside `fieldops serve`; several instances share the work safely.
type Worker struct {
	DB *db.DB
	// ListenURL is the app-role URL for the dedicated LISTEN connection (pooled connections cannot hold one).
	ListenURL string
	SMTP      SMTP
	From      string
	Log       *slog.Logger

	// Zero values take the defaults in parentheses.
	Senders     int           // goroutines, each with its own SMTP connection (2)
	Batch       int           // emails claimed, and sent over one connection, at a time (20)
	Lease       time.Duration // how long a claim lasts before the email is rescued (2m)
	MaxAttempts int           // tries before an email is marked failed (8)
	Backoff     time.Duration // wait after the first failed try; doubled after each, at most an hour (30s)
	Poll        time.Duration // how often to look for due emails without a NOTIFY (1s)
}

func (w *Worker) defaults() {
	if w.Senders == 0 {
		w.Senders = 2
	}
	if w.Batch == 0 {
		w.Batch = 20
	}
	if w.Lease == 0 {
		w.Lease = 2 * time.Minute
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 8
	}
	if w.Backoff == 0 {
		w.Backoff = 30 * time.Second
	}
	if w.Poll == 0 {
		w.Poll = time.Second
	}
}

// Run delivers until ctx ends. Then it finishes the email it is sending, hands back those it claimed but had
// not started, and returns.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	wakes := make([]chan struct{}, w.Senders)
	for i := range wakes {
		wakes[i] = make(chan struct{}, 1)
	}
	var wg sync.WaitGroup
	wg.Go(func() { w.listen(ctx, wakes) })
	for i := range w.Senders {
		wg.Go(func() { w.sender(ctx, i, wakes[i]) })
	}
	wg.Wait()
	return nil
}

// listen wakes every sender on each NOTIFY. Notifications are a speed-up only: a missed one costs at most a poll.
func (w *Worker) listen(ctx context.Context, wakes []chan struct{}) {
	for ctx.Err() == nil {
		err := w.listenOnce(ctx, wakes)
		if ctx.Err() != nil {
			return
		}
		w.Log.Warn("outbox: listen connection lost; polling until it is back", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

func (w *Worker) listenOnce(ctx context.Context, wakes []chan struct{}) error {
	conn, err := pgx.Connect(ctx, w.ListenURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+notifyChannel); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		for _, wake := range wakes {
			select {
			case wake <- struct{}{}:
			default: // already awake
			}
		}
	}
}

func (w *Worker) sender(ctx context.Context, index int, wake <-chan struct{}) {
	client, err := w.SMTP.client()
	if err != nil {
		w.Log.Error("outbox: SMTP settings", "err", err)
		return
	}
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	for {
		if index == 0 {
			w.rescue(ctx)
		}
		n, err := w.deliverBatch(ctx, client)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox: deliver", "err", err)
		}
		if n == w.Batch && err == nil {
			continue // there may be more waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
	}
}

// rescue puts back emails whose sender died mid-send (their lease ran out).
func (w *Worker) rescue(ctx context.Context) {
	var n int
	if err := w.DB.Pool.QueryRow(ctx, `select outbox_rescue()`).Scan(&n); err != nil {
		if ctx.Err() == nil {
			w.Log.Error("outbox: rescue", "err", err)
		}
		return
	}
	if n > 0 {
		w.Log.Warn("outbox: rescued emails left in sending by a stopped sender", "count", n)
	}
}

// claimed is an email leased to this worker.
type claimed struct {
	CompanyID  int64
	ID         int64
	Recipients []string
	Subject    string
	TextBody   string
	HTMLBody   string
	MessageID  string
	Attempts   int
}

// deliverBatch claims due emails and sends them over one SMTP connection; it returns how many it claimed.
func (w *Worker) deliverBatch(ctx context.Context, client *gomail.Client) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	// Bookkeeping outlives a shutdown: what was claimed must be released and what was sent marked sent. The claim
	// itself runs uncancelled too, or a shutdown landing after it committed would leave its rows in sending
	// until the lease runs out.
	bg := context.WithoutCancel(ctx)
	rows, _ := w.DB.Pool.Query(bg, `
		select company_id, id, recipients, subject, text_body, html_body, message_id, attempts
		  from outbox_claim($1, make_interval(secs => $2), $3)`,
		w.Batch, w.Lease.Seconds(), DomainOf(w.From))
	batch, err := pgx.CollectRows(rows, pgx.RowToStructByName[claimed])
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	connected := false
	defer func() {
		if connected {
			client.Close()
		}
	}()
	for i, e := range batch {
		if ctx.Err() != nil {
			for _, rest := range batch[i:] {
				w.mark(bg, `select outbox_release($1, $2)`, rest.CompanyID, rest.ID)
			}
			return len(batch), nil
		}
		if !connected {
			dialCtx, cancel := context.WithTimeout(bg, 30*time.Second)
			err := client.DialWithContext(dialCtx)
			cancel()
			if err != nil {
				for _, rest := range batch[i:] {
					w.failed(bg, rest, err, true)
				}
				return len(batch), nil
			}
			connected = true
		}
		msg, err := w.message(e)
		if err != nil {
			w.failed(bg, e, err, false)
			continue
		}
		if err := client.Send(msg); err != nil {
			var sendErr *gomail.SendError
			w.failed(bg, e, err, !errors.As(err, &sendErr) || sendErr.IsTemp())
			// The connection may be in any state after an error: start the next email on a fresh one.
			client.Close()
			connected = false
			continue
		}
		w.mark(bg, `select outbox_sent($1, $2)`, e.CompanyID, e.ID)
	}
	return len(batch), nil
}

func (w *Worker) message(e claimed) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(w.From); err != nil {
		return nil, fmt.Errorf("the From address %q (MAIL_FROM) is not valid", w.From)
	}
	if err := m.To(e.Recipients...); err != nil {
		return nil, fmt.Errorf("a recipient address is not valid: %v", e.Recipients)
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.MessageID)
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, e.TextBody)
	m.AddAlternativeString(gomail.TypeTextHTML, e.HTMLBody)
	return m, nil
}

// failed records a failed try: retried after a growing, jittered wait when the failure may pass (retry), else,
// or once the tries are used up, marked failed for an admin to see and Retry.
func (w *Worker) failed(ctx context.Context, e claimed, err error, retry bool) {
	var retryAt *time.Time
	if retry && e.Attempts < w.MaxAttempts {
		t := time.Now().Add(w.backoff(e.Attempts))
		retryAt = &t
	}
	w.Log.Warn("outbox: send failed", "company_id", e.CompanyID, "id", e.ID, "attempt", e.Attempts, "retry_at", retryAt, "err", err)
	w.mark(ctx, `select outbox_failed($1, $2, $3, $4)`, e.CompanyID, e.ID, describe(err), retryAt)
}

// backoff is the wait after the attempt-th failed try: Backoff·2^(attempt-1), at most an hour, ±20 %, so a
// burst that failed together does not retry together.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.Backoff << min(attempt-1, 20)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (w *Worker) mark(ctx context.Context, sql string, args ...any) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := w.DB.Pool.Exec(ctx, sql, args...); err != nil {
		// The lease runs out and the email is rescued: at worst it is sent twice (delivery is at-least-once).
		w.Log.Error("outbox: record result", "sql", sql, "args", args[:2], "err", err)
	}
}
