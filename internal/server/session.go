package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
)

// Session keys. A full session names a membership; a session with only an account is a login that still has
// to pick its company on /switch.
const (
	keyAccount        = "account_id"
	keyCompany        = "company_id"
	keyMembership     = "membership_id"
	keySessionVersion = "session_version"
	keyLastSeen       = "last_seen"
	keyNotice         = "notice" // a one-time confirmation for the next page
)

const viewerKey ctxKey = iota + 100

// loadViewer finds who is behind the request. A session idle for longer than sessionIdleTimeout, or whose
// membership was deactivated, or whose session version was bumped (a role change), is destroyed here, so it ends
// at its next request.
func (s *Server) loadViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		membershipID := s.sessions.GetInt64(ctx, keyMembership)
		if membershipID == 0 {
			next.ServeHTTP(w, r)
			return
		}
		companyID := s.sessions.GetInt64(ctx, keyCompany)
		var v identity.Viewer
		err := apperr.ErrNotFound
		idle := s.now().Sub(time.Unix(s.sessions.GetInt64(ctx, keyLastSeen), 0))
		if idle < sessionIdleTimeout {
			err = s.db.Read(ctx, companyID, func(b *pgx.Batch) {
				identity.QueueViewer(b, companyID, membershipID, s.sessions.GetInt(ctx, keySessionVersion), &v)
			})
		}
		if err == nil && idle > sessionTouchEvery {
			s.sessions.Put(ctx, keyLastSeen, s.now().Unix())
		}
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			if err := s.sessions.Destroy(ctx); err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		case err != nil:
			s.fail(w, r, err)
		default:
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, viewerKey, &v)))
		}
	})
}

// viewerOf is the logged-in person, or nil for a visitor.
func viewerOf(r *http.Request) *identity.Viewer {
	v, _ := r.Context().Value(viewerKey).(*identity.Viewer)
	return v
}

// requireRoles guards a route group: a visitor is sent to log in (and brought back), and a logged-in person whose
// role is not one of roles gets 404, as if the route did not exist.
func (s *Server) requireRoles(roles ...identity.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := viewerOf(r)
			if v == nil {
				target := "/login"
				if r.Method == http.MethodGet {
					target += "?next=" + url.QueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			for _, role := range roles {
				if v.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			s.fail(w, r, apperr.ErrNotFound)
		})
	}
}

// startSession logs the request in as membership m of account: a new session token (so a token planted before
// login is worth nothing), then the membership and its session version.
func (s *Server) startSession(ctx context.Context, accountID int64, m identity.Membership) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, keyAccount, accountID)
	s.sessions.Put(ctx, keyCompany, m.CompanyID)
	s.sessions.Put(ctx, keyMembership, m.ID)
	s.sessions.Put(ctx, keySessionVersion, m.SessionVersion)
	s.sessions.Put(ctx, keyLastSeen, s.now().Unix())
	return nil
}

// localPath returns next when it is a path on this site, else "/": a login link must not send people elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
