// Package server is the HTTP side of fieldops: the router (routes.go lists every route), middleware, and one
// handler file per area. Handlers parse, call a domain package, and render; the rules live in the domains.
package server

import (
	"log/slog"
	"net/http"
	"net/netip"

	"fieldops/internal/db"
)

// Config is what the server needs from the environment.
type Config struct {
	// BaseURL is how users reach the app (links in emails; https turns on Secure cookies).
	BaseURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed for the client's IP.
	TrustedProxies []netip.Prefix
}

// Server holds what handlers share. It is safe for concurrent use.
type Server struct {
	cfg     Config
	db      *db.DB
	log     *slog.Logger
	handler http.Handler
}

// New builds the server and its routes.
func New(cfg Config, database *db.DB, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, db: database, log: log}
	s.handler = s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
