package page

import (
	"context"
	"net/http"

	"fieldops/internal/identity"
)

// Session keys. A full session names a membership; a session with only an account is a login that still has
// to pick its company on /switch.
const (
	KeyAccount        = "account_id"
	KeyCompany        = "company_id"
	KeyMembership     = "membership_id"
	KeySessionVersion = "session_version"
	KeyLastSeen       = "last_seen"
	keyNotice         = "notice" // a one-time confirmation for the next page
)

// StartSession logs the request in as membership m of account: a new session token (so a token planted before
// login is worth nothing), then the membership and its session version.
func (k *Kit) StartSession(ctx context.Context, accountID int64, m identity.Membership) error {
	if err := k.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	k.Sessions.Put(ctx, KeyAccount, accountID)
	k.Sessions.Put(ctx, KeyCompany, m.CompanyID)
	k.Sessions.Put(ctx, KeyMembership, m.ID)
	k.Sessions.Put(ctx, KeySessionVersion, m.SessionVersion)
	k.Sessions.Put(ctx, KeyLastSeen, k.Now().Unix())
	return nil
}

// Notice takes the one-time confirmation a change left for this page ("" when none).
func (k *Kit) Notice(r *http.Request) string {
	return k.Sessions.PopString(r.Context(), keyNotice)
}

type ctxKey int

const (
	viewerKey ctxKey = iota
	requestIDKey
)

// WithViewer is ctx carrying the logged-in person, for ViewerOf.
func WithViewer(ctx context.Context, v *identity.Viewer) context.Context {
	return context.WithValue(ctx, viewerKey, v)
}

// ViewerOf is the logged-in person, or nil for a visitor.
func ViewerOf(r *http.Request) *identity.Viewer {
	v, _ := r.Context().Value(viewerKey).(*identity.Viewer)
	return v
}

// WithRequestID is ctx carrying the request's id, for RequestID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID is the id the server gave the request (echoed in X-Request-Id and in every log line about it).
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}
