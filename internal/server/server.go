// Package server is the HTTP side of fieldops: the router (routes.go lists every route), middleware, and one
// handler file per area. Handlers parse, call a domain package, and render; the rules live in the domains.
package server

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"

	"fieldops/internal/db"
	"fieldops/internal/files"
	"fieldops/internal/identity"
)

// Config is what the server needs from the environment.
type Config struct {
	// BaseURL is how users reach the app (links in emails; https turns on Secure cookies).
	BaseURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed for the client's IP.
	TrustedProxies []netip.Prefix
	// Argon2 is the password-hash cost; zero means identity.DefaultArgon2 (tests pass lighter ones).
	Argon2 identity.Argon2Params
}

// Server holds what handlers share. It is safe for concurrent use.
type Server struct {
	cfg      Config
	db       *db.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	store    *pgxstore.PostgresStore
	hasher   *identity.Hasher
	files    files.Storage
	// Failed logins per client IP and per email, counted in this process.
	ipLimiter    *identity.LoginLimiter
	emailLimiter *identity.LoginLimiter
	// Failed token lookups (invitation links, later share links) per client IP, against guessing.
	tokenLimiter *identity.LoginLimiter
	now          func() time.Time // the clock; tests move it
	handler      http.Handler
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
	s := &Server{
		cfg:          cfg,
		db:           database,
		log:          log,
		hasher:       identity.NewHasher(cfg.Argon2),
		files:        files.Postgres{DB: database},
		ipLimiter:    identity.NewLoginLimiter(20, 15*time.Minute),
		emailLimiter: identity.NewLoginLimiter(5, 15*time.Minute),
		tokenLimiter: identity.NewLoginLimiter(30, 15*time.Minute),
		now:          time.Now,
	}
	s.store = pgxstore.NewWithCleanupInterval(database.Pool, 10*time.Minute)
	s.sessions = scs.New()
	s.sessions.Store = s.store
	s.sessions.Lifetime = sessionLifetime
	s.sessions.Cookie.Name = "fieldops_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Path = "/"
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		// __Host- binds the cookie to this exact host, https only, path /.
		s.sessions.Cookie.Name = "__Host-fieldops_session"
		s.sessions.Cookie.Secure = true
	}
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }
	s.handler = s.routes()
	return s
}

// Close stops the session store's cleanup goroutine.
func (s *Server) Close() { s.store.StopCleanup() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
