package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Hub carries news of messages to the open chat pages of the process: one LISTEN connection for all of them, fanned
// out in memory, so an idle page holds no database connection. Several instances each run their own; Postgres
// tells every listener.
type Hub struct {
	connect func(context.Context) (*pgx.Conn, error)
	log     *slog.Logger

	mu        sync.Mutex
	companies map[int64]map[*Subscription]struct{}
	closed    bool
	listening chan struct{} // closed once the first LISTEN holds
}

// Subscription is one open page's: news for its person arrives on C. A page too slow to take it loses news, not
// messages: it asks for what it lacks by the last message it has.
type Subscription struct {
	Company, Member int64
	C               chan News
	// Done is closed when the hub stops (the server shuts down): the page's stream ends.
	Done   chan struct{}
	missed atomic.Bool
}

// Missed reports, once, that news was dropped for this page since it last asked: it should catch up on everything.
func (s *Subscription) Missed() bool { return s.missed.Swap(false) }

// NewHub makes a hub that LISTENs on a connection made with config (the app role's).
func NewHub(config *pgx.ConnConfig, log *slog.Logger) *Hub {
	return &Hub{
		connect:   func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, config.Copy()) },
		log:       log,
		companies: map[int64]map[*Subscription]struct{}{},
		listening: make(chan struct{}),
	}
}

// Listening is closed once the hub first listens: news sent before may not arrive.
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// Run listens until ctx ends, reconnecting after a lost connection (every open page then hears "anything may have
// changed", News with no room, and catches up); then it ends every subscription.
func (h *Hub) Run(ctx context.Context) {
	defer h.closeAll()
	first := true
	for ctx.Err() == nil {
		err := h.listenOnce(ctx, &first)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("chat: listen connection lost; reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

func (h *Hub) listenOnce(ctx context.Context, first *bool) error {
	conn, err := h.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "listen "+channel); err != nil {
		return err
	}
	if *first {
		close(h.listening)
		*first = false
	} else {
		h.deliver(News{Everyone: true}, true)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var news News
		if err := json.Unmarshal([]byte(n.Payload), &news); err != nil {
			h.log.Error("chat: unreadable news", "payload", n.Payload, "err", err)
			continue
		}
		h.deliver(news, false)
	}
}

// deliver hands news to the subscriptions of its company that it concerns — every one of the company's when it
// names no one (or all, with everyCompany) — without waiting for any.
func (h *Hub) deliver(n News, everyCompany bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for company, subs := range h.companies {
		if !everyCompany && company != n.Company {
			continue
		}
		for s := range subs {
			if n.Everyone || everyCompany || slices.Contains(n.To, s.Member) {
				select {
				case s.C <- n:
				default: // the page is behind; told so, it catches up by the last message it has
					s.missed.Store(true)
				}
			}
		}
	}
}

// Subscribe opens a subscription for a person's page; Unsubscribe it when the page goes. On a stopped hub the
// subscription is done at once.
func (h *Hub) Subscribe(company, member int64) *Subscription {
	s := &Subscription{Company: company, Member: member, C: make(chan News, 16), Done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.Done)
		return s
	}
	if h.companies[company] == nil {
		h.companies[company] = map[*Subscription]struct{}{}
	}
	h.companies[company][s] = struct{}{}
	return s
}

// Unsubscribe ends a subscription.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subs := h.companies[s.Company]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.companies, s.Company)
		}
	}
}

// Open counts the open subscriptions.
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.companies {
		n += len(subs)
	}
	return n
}

// closeAll ends every subscription: their streams end, so a shutdown is not held up by open pages.
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, subs := range h.companies {
		for s := range subs {
			close(s.Done)
		}
	}
	h.companies = map[int64]map[*Subscription]struct{}{}
}
