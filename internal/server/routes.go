package server

import (
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"

	"fieldops/web"
)

// routes lists every route of the app, grouped by the middleware that guards them (DESIGN.md "route groups").
// A request to a route outside the caller's groups answers 404.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.requestID, s.logRequests, s.recoverPanics, securityHeaders, s.crossOriginProtection)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.notFound)

	static, _ := fs.Sub(web.Static, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", staticFiles(static)))

	// Public: no login.
	r.Get("/", s.home)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)

	// Office (staff roles), admin (inside office), portal (client users) and co-working (every logged-in role)
	// join here with their middleware as their issues land.
	return r
}
