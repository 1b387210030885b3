package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/input"
	"fieldops/internal/server/page"
	"fieldops/templates/layout"
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

// logRequests writes one line per request — its route pattern, the company of whoever made it (never a name, an
// email, a token or a body) — and counts it for /metrics. Paths that carry a token are masked: a token in a log is a
// leaked key.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		s.metrics.observe(r, rec.status, took)
		s.log.InfoContext(r.Context(), "request",
			"method", r.Method,
			"path", maskTokenPath(r.URL.Path),
			"route", routeOf(r),
			"status", rec.status,
			"bytes", rec.bytes,
			"took", took,
			"ip", s.kit.ClientIP(r),
			"company_id", page.CompanyOfRequest(r),
			"request_id", page.RequestID(r))
	})
}

// tokenPrefixes are the routes whose next path segment is a secret.
var tokenPrefixes = []string{"/share/", "/invite/", "/connect/", "/verify/", "/reset/", "/calendar/feed/"}

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

// securityHeaders set the headers every response carries; under an https BASE_URL also HSTS, so a browser that
// has been here once never tries plain http again.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	https := strings.HasPrefix(s.cfg.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
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

// noStore keeps what a logged-in person sees, and invitation and reset pages (they name an email), out of every
// cache: a shared computer's back button or a proxy must not show it to the next person.
func (s *Server) noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if page.ViewerOf(r) != nil || strings.HasPrefix(r.URL.Path, "/invite/") || strings.HasPrefix(r.URL.Path, "/connect/") ||
			strings.HasPrefix(r.URL.Path, "/reset/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// Request body limits: a form is text a person typed; an upload carries one file of at most files.MaxSize.
const (
	maxFormBody   = 1 << 20
	maxUploadBody = files.MaxSize + 1<<20
)

// checkInput bounds every request body (small for forms, the upload limit for uploads) and refuses, in words,
// a query string or form holding what cannot be stored as text (a NUL, bytes that are not UTF-8, an invisible
// text-direction control): the one place input is checked before any handler reads it. Multipart forms are taken
// only by the upload routes (…/files, and the company's logo); their one text field is a checkbox, and file names
// are checked where they are read (files.Save; a logo's name is not kept).
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBody)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			// Only uploads take multipart forms: any other form sent so would slip its text past the checks below.
			if !strings.HasSuffix(r.URL.Path, "/files") && r.URL.Path != "/settings/logo" {
				s.refuseInput(w, r, http.StatusUnsupportedMediaType, "That form could not be read",
					"This page takes a plain form, not a file upload. Go back and try again.")
				return
			}
			limit = maxUploadBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		values, err := url.ParseQuery(r.URL.RawQuery)
		if err == nil && r.Method == http.MethodPost && limit == maxFormBody {
			if err = r.ParseForm(); err == nil {
				values = r.PostForm
			}
		}
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			s.refuseInput(w, r, http.StatusRequestEntityTooLarge, "The form is too large",
				"What was sent is larger than a form can be. Shorten the text and try again.")
			return
		case err != nil:
			s.refuseInput(w, r, http.StatusBadRequest, "That could not be read",
				"The address or form is malformed. Go back and try again.")
			return
		}
		for key, vs := range values {
			for _, v := range append(vs, key) {
				if problem := input.Problem(v); problem != "" {
					s.refuseInput(w, r, http.StatusBadRequest, "That text cannot be used",
						"Something typed here holds "+problem+", which fieldops does not store. Go back, remove it, and try again.")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) refuseInput(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	s.kit.Write(w, r, status, layout.Error(s.kit.Chrome(r, heading), layout.ErrorPage{Status: status, Heading: heading, Message: message}))
}
