package share

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Opens counts dashboard opens in memory and adds them to the database every few seconds (Run), so opening a
// dashboard — which every client of a job may do at once — is a read, never a write transaction. Counts not yet
// written are lost if the process dies; History shows this instance's unwritten ones too (Include). It is safe for
// concurrent use.
type Opens struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	pending map[openKey]openCount
}

type openKey struct {
	companyID, linkID int64
	day               time.Time // the UTC day
}

type openCount struct {
	n    int
	last time.Time
}

// NewOpens returns an empty counter that writes through pool.
func NewOpens(pool *pgxpool.Pool) *Opens {
	return &Opens{pool: pool, pending: map[openKey]openCount{}}
}

// Record counts one open of a link at at.
func (o *Opens) Record(companyID, linkID int64, at time.Time) {
	at = at.UTC()
	k := openKey{companyID, linkID, time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)}
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.pending[k]
	c.n++
	if at.After(c.last) {
		c.last = at
	}
	o.pending[k] = c
}

// Include adds the opens counted here but not yet written to links, so History is exact on this instance.
func (o *Opens) Include(companyID int64, links []Link) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, c := range o.pending {
		if k.companyID != companyID {
			continue
		}
		for i := range links {
			if links[i].ID == k.linkID {
				links[i].Opens += c.n
				if links[i].LastOpened == nil || c.last.After(*links[i].LastOpened) {
					last := c.last
					links[i].LastOpened = &last
				}
			}
		}
	}
}

// Flush writes the counted opens in one statement. On failure they are counted again, for the next flush.
func (o *Opens) Flush(ctx context.Context) error {
	o.mu.Lock()
	batch := o.pending
	o.pending = map[openKey]openCount{}
	o.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	var companies, links []int64
	var days, lasts []time.Time
	var counts []int32
	for k, c := range batch {
		companies, links, days = append(companies, k.companyID), append(links, k.linkID), append(days, k.day)
		counts, lasts = append(counts, int32(c.n)), append(lasts, c.last)
	}
	_, err := o.pool.Exec(ctx, `select share_opens_add($1, $2, $3::date[], $4, $5)`, companies, links, days, counts, lasts)
	if err != nil {
		o.mu.Lock()
		for k, c := range batch {
			p := o.pending[k]
			p.n += c.n
			if c.last.After(p.last) {
				p.last = c.last
			}
			o.pending[k] = p
		}
		o.mu.Unlock()
		return fmt.Errorf("share: write opens: %w", err)
	}
	return nil
}

// Run flushes every interval until ctx ends, then once more, so a clean shutdown loses nothing.
func (o *Opens) Run(ctx context.Context, every time.Duration, logErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		// Each flush has its own deadline and is not cut short by ctx: a write that committed as ctx ended must
		// not have its counts added back and written twice, and a database that is down must not hold up a
		// shutdown.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := o.Flush(fctx)
		cancel()
		if err != nil {
			logErr(err)
		}
		if ctx.Err() != nil {
			return
		}
	}
}
