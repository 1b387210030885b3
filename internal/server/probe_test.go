package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// probeRoute is one id-taking route, with another company's (or client's, or co-worker's) ids filled in.
type probeRoute struct {
	Method string
	Path   string
	Form   string // body of a POST, form-encoded
}

// probeLeaks requests each route as the prober (signIn dresses the request as them) and returns a line for every
// route that answered anything but 404: each is a leak across the boundary the probe tests.
func probeLeaks(h http.Handler, signIn func(*http.Request), routes []probeRoute) []string {
	var leaks []string
	for _, rt := range routes {
		r := httptest.NewRequest(rt.Method, rt.Path, strings.NewReader(rt.Form))
		if rt.Form != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		signIn(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			leaks = append(leaks, fmt.Sprintf("%s %s = %d, want 404", rt.Method, rt.Path, w.Code))
		}
	}
	return leaks
}

// assertProbe404 fails t for every route that is not a 404 to the prober: the cross-tenant probe of DESIGN.md.
func assertProbe404(t *testing.T, h http.Handler, signIn func(*http.Request), routes []probeRoute) {
	t.Helper()
	if len(routes) == 0 {
		t.Fatal("probe: no routes given")
	}
	for _, leak := range probeLeaks(h, signIn, routes) {
		t.Error("probe: " + leak)
	}
}

// The probe must catch a handler that forgets the company: one that serves any id is reported, one that scopes
// by company is not.
func TestProbe_CatchesALeak(t *testing.T) {
	owned := map[string]string{"7": "A"} // record 7 belongs to company A
	handler := func(scoped bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			co := r.Header.Get("X-Test-Company")
			id := strings.TrimPrefix(r.URL.Path, "/things/")
			if owner, ok := owned[id]; !ok || (scoped && owner != co) {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte("thing " + id))
		})
	}
	asB := func(r *http.Request) { r.Header.Set("X-Test-Company", "B") }
	routes := []probeRoute{{Method: "GET", Path: "/things/7"}}
	if leaks := probeLeaks(handler(false), asB, routes); len(leaks) != 1 {
		t.Errorf("a leaking handler gave %v, want one leak", leaks)
	}
	if leaks := probeLeaks(handler(true), asB, routes); len(leaks) != 0 {
		t.Errorf("a scoped handler gave %v, want none", leaks)
	}
}
