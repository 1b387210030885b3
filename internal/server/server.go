// Package server is the HTTP side of fieldops: the router (routes.go lists every route, grouped by door),
// middleware and sessions. The handlers live in one package per door (public, office, portal), which share
// internal/server/page; they parse, call a domain package, and render; the rules live in the domains.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"

	"fieldops/internal/chat"
	"fieldops/internal/db"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	"fieldops/internal/share"
	"fieldops/templates/email"
)

// Config is what the server needs from the environment.
type Config struct {
	// BaseURL is how users reach the app (links in emails; https turns on Secure cookies).
	BaseURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed for the client's IP.
	TrustedProxies []netip.Prefix
	// Argon2 is the password-hash cost; zero means identity.DefaultArgon2 (tests pass lighter ones).
	Argon2 identity.Argon2Params
	// SessionCacheTTL is how long a session read is reused (0: read at every request); see hashedStore.
	SessionCacheTTL time.Duration
	// CountsCacheTTL is how long the job list's view counts are reused while nothing changed here (0: counted at
	// every request); see jobs.CountsCache.
	CountsCacheTTL time.Duration
	// SMSWebhookSecret checks the provider's signature on inbound texts (STOP); empty turns the webhook off.
	SMSWebhookSecret string
}

// Server is the app's HTTP handler. It is safe for concurrent use.
type Server struct {
	kit       *page.Kit // what the doors share: the database, sessions, the clock …
	stopOpens context.CancelFunc
	opensDone chan struct{}
	cfg       Config
	log       *slog.Logger
	store     *pgxstore.PostgresStore
	hasher    *identity.Hasher
	handler   http.Handler
	metrics   *metrics
	// hub carries chat news to open chat pages; stopHub ends it and every stream.
	hub     *chat.Hub
	stopHub context.CancelFunc
	hubDone chan struct{}
}

// Session lifetimes: a day's work without logging in again, and a fresh login at least weekly. The idle timeout
// is ours, not scs's: scs would rewrite the session row on every request to move its deadline, while we note the
// last activity at most every sessionTouchEvery.
const (
	sessionIdleTimeout = 12 * time.Hour
	sessionLifetime    = 7 * 24 * time.Hour
	sessionTouchEvery  = 5 * time.Minute
)

// New builds the server and its routes. Close releases what it started.
func New(cfg Config, database *db.DB, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, log: log, hasher: identity.NewHasher(cfg.Argon2)}
	s.store = pgxstore.NewWithCleanupInterval(database.Pool, 10*time.Minute)
	sessions := scs.New()
	sessions.Store = newHashedStore(s.store, cfg.SessionCacheTTL)
	sessions.Codec = newSessionCodec()
	sessions.Lifetime = sessionLifetime
	sessions.Cookie.Name = "fieldops_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Path = "/"
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		// __Host- binds the cookie to this exact host, https only, path /.
		sessions.Cookie.Name = "__Host-fieldops_session"
		sessions.Cookie.Secure = true
	}
	s.kit = &page.Kit{
		DB:             database,
		Log:            log,
		Sessions:       sessions,
		Files:          files.Postgres{DB: database},
		Thumbnails:     files.NewThumbnails(database, files.Postgres{DB: database}),
		Letters:        share.Letters{BaseURL: cfg.BaseURL, Render: renderLetter},
		Opens:          share.NewOpens(database.Pool),
		Counts:         jobs.NewCountsCache(cfg.CountsCacheTTL),
		BaseURL:        cfg.BaseURL,
		TrustedProxies: cfg.TrustedProxies,
		Now:            time.Now,
	}
	sessions.ErrorFunc = s.kit.Fail
	var ctx context.Context
	ctx, s.stopOpens = context.WithCancel(context.Background())
	s.opensDone = make(chan struct{})
	go func() {
		defer close(s.opensDone)
		s.kit.Opens.Run(ctx, opensFlushEvery, func(err error) { log.Error("dashboard opens", "err", err) })
	}()
	s.metrics = newMetrics(database)
	s.hub = chat.NewHub(database.Pool.Config().ConnConfig, log)
	var hubCtx context.Context
	hubCtx, s.stopHub = context.WithCancel(context.Background())
	s.hubDone = make(chan struct{})
	go func() {
		defer close(s.hubDone)
		s.hub.Run(hubCtx)
	}()
	s.handler = s.routes()
	return s
}

// EndStreams ends every open chat stream (their pages reconnect, to another instance or after the restart): for
// a shutdown, which waits for requests in flight — a stream would hold it up for good.
func (s *Server) EndStreams() {
	s.stopHub()
	<-s.hubDone
}

// ChatHub is the server's chat hub (tests wait for it to listen).
func (s *Server) ChatHub() *chat.Hub { return s.hub }

// renderLetter draws Job Share and composer emails with the app's templates.
func renderLetter(ctx context.Context, l share.Letter) (mail.Email, error) {
	d := email.JobLetter{Company: l.Company, JobRef: l.JobRef, JobTitle: l.JobTitle, Body: l.Body, Link: l.Link}
	text, html, err := email.Render(ctx, "jobletter.txt", d, email.JobLetterHTML(d))
	return mail.Email{Subject: l.Subject, Text: text, HTML: html}, err
}

// DigestRenderer draws notification digest emails with the app's templates, linking to baseURL's Notifications.
func DigestRenderer(baseURL string) func(context.Context, notify.Digest) (mail.Email, error) {
	return func(ctx context.Context, dg notify.Digest) (mail.Email, error) {
		d := email.Digest{Company: dg.Company, Name: dg.Name, Link: baseURL + "/notifications"}
		for _, n := range dg.Items {
			line := n.Title
			if n.ActorName != "" {
				line += " — " + n.ActorName
			}
			d.Lines = append(d.Lines, line)
		}
		text, html, err := email.Render(ctx, "digest.txt", d, email.DigestHTML(d))
		subject := fmt.Sprintf("%d new at %s", len(dg.Items), dg.Company)
		return mail.Email{Subject: subject, Text: text, HTML: html}, err
	}
}

// Close writes the dashboard opens still counted in memory and stops the server's background work.
func (s *Server) Close() {
	s.EndStreams()
	s.stopOpens()
	<-s.opensDone // the last dashboard opens are written
	s.store.StopCleanup()
}

// opensFlushEvery is how often dashboard opens counted in memory are written.
const opensFlushEvery = 5 * time.Second

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
