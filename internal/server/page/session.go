package page

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"fieldops/internal/apperr"
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
	KeyAccountEpoch   = "account_epoch" // the account's session epoch at login (identity.SessionEpoch)
	KeyMemberships    = "memberships"   // how many companies the login had then (the switcher shows for more than one)
	keyNotice         = "notice"        // a one-time confirmation for the next page
)

// StartSession logs the request in as membership m of account: a new session token (so a token planted before
// login is worth nothing), then the membership and its session version. epoch is as StartLogin's.
func (k *Kit) StartSession(ctx context.Context, accountID int64, epoch int, m identity.Membership) error {
	if err := k.StartLogin(ctx, accountID, epoch); err != nil {
		return err
	}
	k.Sessions.Put(ctx, KeyCompany, m.CompanyID)
	k.Sessions.Put(ctx, KeyMembership, m.ID)
	k.Sessions.Put(ctx, KeySessionVersion, m.SessionVersion)
	k.Sessions.Put(ctx, KeyLastSeen, k.Now().Unix())
	return nil
}

// StartLogin logs the request in as account, not yet in a company (/switch asks which): a new session token,
// the account and its session epoch, so a password reset or change since then ends this login (SessionAccount).
// epoch is the one read with the password hash that was checked (identity.AuthenticateAt), or 0 when no password
// was checked; a login whose epoch moved on meanwhile — a reset landed during the check — is ErrWrongLogin.
func (k *Kit) StartLogin(ctx context.Context, accountID int64, epoch int) error {
	current, err := identity.SessionEpoch(ctx, k.DB.Pool, accountID)
	if err != nil {
		return err
	}
	if epoch != 0 && epoch != current {
		return identity.ErrWrongLogin
	}
	epoch = current
	ms, err := identity.Memberships(ctx, k.DB.Pool, accountID)
	if err != nil {
		return err
	}
	if err := k.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("session: renew token: %w", err)
	}
	k.Sessions.Put(ctx, KeyAccount, accountID)
	k.Sessions.Put(ctx, KeyAccountEpoch, epoch)
	k.Sessions.Put(ctx, KeyMemberships, len(ms))
	k.Sessions.Put(ctx, KeyLastSeen, k.Now().Unix())
	return nil
}

// SessionAccount is the account this session logged in (0 when none). A login from before the account's password was
// reset or changed has ended: its session is destroyed and 0 comes back.
func (k *Kit) SessionAccount(r *http.Request) (int64, error) {
	ctx := r.Context()
	accountID := k.Sessions.GetInt64(ctx, KeyAccount)
	if accountID == 0 {
		return 0, nil
	}
	epoch, err := identity.SessionEpoch(ctx, k.DB.Pool, accountID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return 0, err
	}
	if err != nil || epoch != k.Sessions.GetInt(ctx, KeyAccountEpoch) {
		return 0, k.Sessions.Destroy(ctx)
	}
	return accountID, nil
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

// WithViewer is ctx carrying the logged-in person, for ViewerOf; the request's log line learns their company.
func WithViewer(ctx context.Context, v *identity.Viewer) context.Context {
	if info, _ := ctx.Value(requestIDKey).(*requestInfo); info != nil && v != nil {
		info.companyID = v.CompanyID
	}
	return context.WithValue(ctx, viewerKey, v)
}

// ViewerOf is the logged-in person, or nil for a visitor.
func ViewerOf(r *http.Request) *identity.Viewer {
	v, _ := r.Context().Value(viewerKey).(*identity.Viewer)
	return v
}

// requestInfo is what the request's log line says of it beyond the URL: its id, and the company of whoever made it
// once known (set by WithViewer, further down the same request).
type requestInfo struct {
	id        string
	companyID int64
}

// WithRequestID is ctx carrying the request's id, for RequestID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, &requestInfo{id: id})
}

// RequestID is the id the server gave the request (echoed in X-Request-Id, in every log line about it, and on the
// error page, for a user to quote).
func RequestID(r *http.Request) string {
	info, _ := r.Context().Value(requestIDKey).(*requestInfo)
	if info == nil {
		return ""
	}
	return info.id
}

// CompanyOfRequest is the company of whoever made the request, for its log line; 0 for a visitor.
func CompanyOfRequest(r *http.Request) int64 {
	info, _ := r.Context().Value(requestIDKey).(*requestInfo)
	if info == nil {
		return 0
	}
	return info.companyID
}
