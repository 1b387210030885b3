package server

import (
	"net/http"

	"fieldops/templates/home"
)

// home is the start page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, nil, home.Page(s.chrome(r, "Welcome")))
}
