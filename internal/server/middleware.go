package server

import (
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"fieldops/internal/apperr"
	"fieldops/internal/server/page"
)

// requestID gives each request an id, echoed in X-Request-Id and in every log line about it.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(page.WithRequestID(r.Context(), id)))
	})
}

// statusRecorder remembers what a handler wrote, for the request log and the panic handler.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one line per request. Paths that carry a token are masked: a token in a log is a leaked key.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.InfoContext(r.Context(), "request",
			"method", r.Method,
			"path", maskTokenPath(r.URL.Path),
			"status", rec.status,
			"bytes", rec.bytes,
			"took", time.Since(start),
			"ip", s.kit.ClientIP(r),
			"request_id", page.RequestID(r))
	})
}

// tokenPrefixes are the routes whose next path segment is a secret.
var tokenPrefixes = []string{"/share/", "/invite/", "/calendar/feed/"}

func maskTokenPath(path string) string {
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(path, p) {
			return p + "…"
		}
	}
	return path
}

// recoverPanics turns a panic into a logged error and a 500 page.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "panic", v, "stack", string(debug.Stack()), "request_id", page.RequestID(r))
			if rec.status == 0 {
				s.kit.Fail(w, r, errPanic)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

type panicError struct{}

func (panicError) Error() string { return "handler panicked" }

var errPanic error = panicError{}

// contentSecurityPolicy allows scripts and styles from our own origin only: no inline script, no eval, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses unsafe requests (POST, PUT, DELETE …) that a browser marks as cross-site: the
// CSRF defence of the whole app, with our 403 page.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.kit.Fail(w, r, apperr.ErrForbidden)
	}))
	return cop.Handler(next)
}

// staticFiles serves the embedded assets with a cache lifetime (they change only with a new binary).
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
