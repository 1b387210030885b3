package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	gomail "github.com/wneessen/go-mail"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/files"
)

// Worker delivers the outbox. It runs inside `fieldops serve`; several instances share the work safely.
type Worker struct {
	DB *db.DB
	// ListenURL is the app-role URL for the dedicated LISTEN connection (pooled connections cannot hold one).
	ListenURL string
	SMTP      SMTP
	From      string
	// Files holds the bytes of the files emails carry.
	Files files.Storage
	// Log gets the technical detail of every failure (SMTP host, port, the server's answer); the Outbox page only
	// ever shows the reason in words.
	Log *slog.Logger

	// Zero values take the defaults in parentheses.
	Senders int // goroutines, each with its own SMTP connection (2)
	Batch   int // emails claimed, and sent over one connection, at a time (20)
	// Lease is how long a claim lasts unless renewed; a sender renews the leases of its batch whenever less than
	// half is left, so it only bounds how soon the emails of a sender that died are tried again (5m).
	Lease time.Duration
	// GiveUpAfter is how long an email is retried while the mail server is down or asks to try later, counted from
	// when it was queued (or its last Retry); only then is it marked failed (72h).
	GiveUpAfter time.Duration
	Backoff     time.Duration // wait after the first failed try; doubled after each, at most an hour (30s)
	Poll        time.Duration // how often to look for due emails without a NOTIFY, and for lapsed leases (1s)
}

// maxBackoff is the longest wait between two tries of an email.
const maxBackoff = time.Hour

func (w *Worker) defaults() {
	if w.Senders == 0 {
		w.Senders = 2
	}
	if w.Batch == 0 {
		w.Batch = 20
	}
	if w.Lease == 0 {
		w.Lease = 5 * time.Minute
	}
	if w.GiveUpAfter == 0 {
		w.GiveUpAfter = 72 * time.Hour
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
	if w.Files == nil {
		return errors.New("outbox: the worker has no file storage to read attachments from (Worker.Files)")
	}
	w.defaults()
	wakes := make([]chan struct{}, w.Senders)
	for i := range wakes {
		wakes[i] = make(chan struct{}, 1)
	}
	var wg sync.WaitGroup
	wg.Go(func() { w.listen(ctx, wakes) })
	wg.Go(func() { w.rescueLoop(ctx) })
	for i := range w.Senders {
		wg.Go(func() { w.sender(ctx, wakes[i]) })
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

func (w *Worker) sender(ctx context.Context, wake <-chan struct{}) {
	client, err := w.SMTP.client()
	if err != nil {
		w.Log.Error("outbox: SMTP settings", "err", err)
		return
	}
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	for {
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

// rescueLoop puts back, every Poll, the emails whose sender died mid-send (their lease ran out). It runs apart
// from the senders, so a sender busy with a slow batch does not hold it up.
func (w *Worker) rescueLoop(ctx context.Context) {
	tick := time.NewTicker(w.Poll)
	defer tick.Stop()
	for {
		var n int
		if err := w.DB.Pool.QueryRow(ctx, `select outbox_rescue()`).Scan(&n); err != nil && ctx.Err() == nil {
			w.Log.Error("outbox: rescue", "err", err)
		}
		if n > 0 {
			w.Log.Warn("outbox: rescued emails left in sending by a stopped sender", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// claimed is an email leased to this worker. Attempts, bumped by every claim, tells this claim from a later one
// of the same row.
type claimed struct {
	CompanyID  int64
	ID         int64
	Recipients []string
	Subject    string
	TextBody   string
	HTMLBody   string
	MessageID  string
	Attempts   int
	QueuedAt   time.Time
	// Attachments are filled in by attach, after the claim; attachErr when they could not be read.
	Attachments []claimedAttachment `db:"-"`
	attachErr   error
}

// claimedAttachment is one file a claimed email carries; FileID is nil once the file was deleted.
type claimedAttachment struct {
	EmailID     int64
	FileID      *int64
	Name        string
	ContentType string
}

// attach reads the attachments of a claimed batch: one Read per company in it, under that company's
// Row-Level Security. A company's that cannot be read marks its emails (attachErr), to be tried again later; the
// others go on.
func (w *Worker) attach(ctx context.Context, batch []claimed) {
	ids := map[int64][]int64{}
	for _, e := range batch {
		ids[e.CompanyID] = append(ids[e.CompanyID], e.ID)
	}
	byEmail := map[[2]int64][]claimedAttachment{}
	for companyID, emailIDs := range ids {
		var as []claimedAttachment
		err := w.DB.Read(ctx, companyID, func(b *pgx.Batch) {
			b.Queue(`select email_id, file_id, name, content_type from outbox_attachments
				 where company_id = $1 and email_id = any($2) order by email_id, position`, companyID, emailIDs).
				Query(func(rows pgx.Rows) (err error) {
					as, err = pgx.CollectRows(rows, pgx.RowToStructByName[claimedAttachment])
					return err
				})
		})
		if err != nil {
			for i, e := range batch {
				if e.CompanyID == companyID {
					batch[i].attachErr = &unreadable{err: fmt.Errorf("outbox: attachments: %w", err)}
				}
			}
			continue
		}
		for _, a := range as {
			k := [2]int64{companyID, a.EmailID}
			byEmail[k] = append(byEmail[k], a)
		}
	}
	for i, e := range batch {
		batch[i].Attachments = byEmail[[2]int64{e.CompanyID, e.ID}]
	}
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
	leased := time.Now() // before the claim, so the lease this sender counts on ends no later than the real one
	rows, _ := w.DB.Pool.Query(bg, `
		select company_id, id, recipients, subject, text_body, html_body, message_id, attempts, queued_at
		  from outbox_claim($1, make_interval(secs => $2), $3)`,
		w.Batch, w.Lease.Seconds(), DomainOf(w.From))
	batch, err := pgx.CollectRows(rows, pgx.RowToStructByName[claimed])
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	w.attach(bg, batch)
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
					w.failed(bg, rest, err)
				}
				return len(batch), nil
			}
			connected = true
		}
		// A slow server can take longer over the batch than a lease lasts: before the rescue could hand the rest
		// of it to another sender (a double send), extend the leases of this email and every one after it.
		if time.Since(leased) > w.Lease/2 {
			held, err := w.renew(bg, batch[i:])
			if err != nil {
				return len(batch), err // unsure whether they are still ours: their leases run out and they are rescued
			}
			leased = time.Now()
			if !held[e.ID] {
				w.Log.Warn("outbox: lease lost before sending; another sender has the email", "company_id", e.CompanyID, "id", e.ID)
				continue
			}
		}
		if e.attachErr != nil {
			w.failed(bg, e, e.attachErr)
			continue
		}
		msg, err := w.message(bg, e)
		if err != nil {
			w.failed(bg, e, err)
			continue
		}
		if err := client.Send(msg); err != nil {
			w.failed(bg, e, err)
			// The connection may be in any state after an error: start the next email on a fresh one.
			client.Close()
			connected = false
			continue
		}
		w.mark(bg, `select outbox_sent($1, $2)`, e.CompanyID, e.ID)
	}
	return len(batch), nil
}

// renew extends the leases of emails and returns the ids of those this sender still holds (one claimed again by
// another sender after a rescue is not among them).
func (w *Worker) renew(ctx context.Context, emails []claimed) (map[int64]bool, error) {
	companyIDs, ids, attempts := make([]int64, len(emails)), make([]int64, len(emails)), make([]int32, len(emails))
	for i, e := range emails {
		companyIDs[i], ids[i], attempts[i] = e.CompanyID, e.ID, int32(e.Attempts)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, _ := w.DB.Pool.Query(ctx, `select id from outbox_renew($1, $2, $3, make_interval(secs => $4))`,
		companyIDs, ids, attempts, w.Lease.Seconds())
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("outbox: renew leases: %w", err)
	}
	m := make(map[int64]bool, len(held))
	for _, id := range held {
		m[id] = true
	}
	return m, nil
}

func (w *Worker) message(ctx context.Context, e claimed) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(w.From); err != nil {
		return nil, &refusal{reason: "fieldops' sender address is not valid (the operator has been told)",
			err: fmt.Errorf("MAIL_FROM %q: %w", w.From, err)}
	}
	if err := m.To(e.Recipients...); err != nil {
		return nil, &refusal{reason: "A recipient address is not valid: " + joinAddresses(e.Recipients), err: err}
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.MessageID)
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, e.TextBody)
	m.AddAlternativeString(gomail.TypeTextHTML, e.HTMLBody)
	for _, a := range e.Attachments {
		var data []byte
		err := apperr.ErrNotFound
		if a.FileID != nil {
			data, err = w.Files.Get(ctx, e.CompanyID, *a.FileID, files.Original)
		}
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, &refusal{reason: "The attached file " + a.Name + " was deleted before the email went out", err: err}
		}
		if err != nil {
			return nil, &unreadable{err: err} // the database or file store is away: tried again
		}
		m.AttachReadSeeker(a.Name, bytes.NewReader(data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return m, nil
}

// failed records a failed try. A failure that may pass (the server unreachable, slow, or saying "try later") is
// tried again after a growing, jittered wait until GiveUpAfter from when the email was queued; a refusal, or a
// failure past that, marks the email failed for an admin to see. The Outbox page gets the reason in words; the
// server log gets the detail.
func (w *Worker) failed(ctx context.Context, e claimed, err error) {
	f := classify(err, e.Recipients)
	reason := f.reason + "."
	var retryAt *time.Time
	if !f.permanent {
		now := time.Now()
		if t, ok := w.nextTry(now, e.QueuedAt, e.Attempts); ok {
			retryAt = &t
			reason = fmt.Sprintf("%s; it will be tried again until %s.", f.reason, e.QueuedAt.Add(w.GiveUpAfter).UTC().Format(timeLayout))
		} else {
			reason = fmt.Sprintf("%s; fieldops kept trying for %s, then gave up.", f.reason, inWords(w.GiveUpAfter))
		}
	}
	w.Log.Warn("outbox: send failed", "company_id", e.CompanyID, "id", e.ID, "attempt", e.Attempts,
		"smtp_host", w.SMTP.Host, "smtp_port", w.SMTP.Port, "retry_at", retryAt, "err", err)
	w.mark(ctx, `select outbox_failed($1, $2, $3, $4)`, e.CompanyID, e.ID, reason, retryAt)
}

// timeLayout is how times read on the Outbox page.
const timeLayout = "2 Jan 2006 15:04 UTC"

// nextTry says when to try again an email queued at queuedAt whose attempt-th try failed at now, or false once
// GiveUpAfter has passed. The last try falls on the deadline itself, so the email is tried for the whole time.
func (w *Worker) nextTry(now, queuedAt time.Time, attempt int) (time.Time, bool) {
	giveUp := queuedAt.Add(w.GiveUpAfter)
	if !now.Before(giveUp) {
		return time.Time{}, false
	}
	next := now.Add(w.backoff(attempt))
	if next.After(giveUp) {
		next = giveUp
	}
	return next, true
}

// backoff is the wait after the attempt-th failed try: Backoff·2^(attempt-1), at most an hour, less up to a
// fifth at random, so a burst that failed together does not retry together, and no wait exceeds the hour.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.Backoff << min(max(attempt-1, 0), 20)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

func (w *Worker) mark(ctx context.Context, sql string, args ...any) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := w.DB.Pool.Exec(ctx, sql, args...); err != nil {
		// The lease runs out and the email is rescued: at worst it is sent twice (delivery is at-least-once).
		w.Log.Error("outbox: record result", "sql", sql, "args", args[:2], "err", err)
	}
}
