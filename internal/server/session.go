package server

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
)

// loadViewer finds who is behind the request. A session idle for longer than sessionIdleTimeout, or whose
// membership was deactivated, or whose session version was bumped (a role change), is destroyed here, so it ends
// at its next request.
func (s *Server) loadViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		membershipID := s.kit.Sessions.GetInt64(ctx, page.KeyMembership)
		if membershipID == 0 {
			next.ServeHTTP(w, r)
			return
		}
		companyID := s.kit.Sessions.GetInt64(ctx, page.KeyCompany)
		var v identity.Viewer
		err := apperr.ErrNotFound
		idle := s.kit.Now().Sub(time.Unix(s.kit.Sessions.GetInt64(ctx, page.KeyLastSeen), 0))
		if idle < sessionIdleTimeout {
			err = s.kit.DB.Read(ctx, companyID, func(b *pgx.Batch) {
				identity.QueueViewer(b, companyID, membershipID, s.kit.Sessions.GetInt(ctx, page.KeySessionVersion), &v)
			})
		}
		if err == nil && idle > sessionTouchEvery {
			s.kit.Sessions.Put(ctx, page.KeyLastSeen, s.kit.Now().Unix())
		}
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			if err := s.kit.Sessions.Destroy(ctx); err != nil {
				s.kit.Fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		case err != nil:
			s.kit.Fail(w, r, err)
		default:
			if !s.kit.Sessions.Exists(ctx, page.KeyMemberships) {
				// A session from before the count was kept at login: count once, and keep it.
				ms, err := identity.Memberships(ctx, s.kit.DB.Pool, v.AccountID)
				if err != nil {
					s.kit.Fail(w, r, err)
					return
				}
				s.kit.Sessions.Put(ctx, page.KeyMemberships, len(ms))
			}
			v.Memberships = s.kit.Sessions.GetInt(ctx, page.KeyMemberships)
			next.ServeHTTP(w, r.WithContext(page.WithViewer(ctx, &v)))
		}
	})
}

// requireRoles guards a route group: a visitor is sent to log in (and brought back), and a logged-in person whose
// role is not one of roles gets 404, as if the route did not exist.
func (s *Server) requireRoles(roles ...identity.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := page.ViewerOf(r)
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
			s.kit.Fail(w, r, apperr.ErrNotFound)
		})
	}
}
