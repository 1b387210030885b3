package server

import (
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
)

// hashedStore keeps sessions under sha256 of their token, never the token itself: the sessions table is readable
// by the app role before any company is known, so a database read or a leaked backup must not yield a cookie
// that logs in. The cookie holds the token; only this store sees both.
type hashedStore struct{ rows *pgxstore.PostgresStore }

var _ scs.Store = hashedStore{}

func storedKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Find returns the session stored for token.
func (s hashedStore) Find(token string) ([]byte, bool, error) { return s.rows.Find(storedKey(token)) }

// Commit stores the session of token until expiry.
func (s hashedStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.rows.Commit(storedKey(token), b, expiry)
}

// Delete removes the session of token.
func (s hashedStore) Delete(token string) error { return s.rows.Delete(storedKey(token)) }
