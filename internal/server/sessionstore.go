package server

import (
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
)

// hashedStore keeps sessions under sha256 of their token, never the token itself: the sessions table is readable
// by the app role before any company is known, so a database read or a leaked backup must not yield a cookie
// that logs in. The cookie holds the token; only this store sees both.
//
// It also remembers what it read for a short while (ttl), written through on every change, so a person's
// requests do not each cost a round trip for a session that has not changed. This instance's own writes are seen
// at once; with several instances a change made on another — a logout — is seen here within ttl. The membership
// check that ends a deactivated or demoted person's sessions is not cached (loadViewer).
type hashedStore struct {
	rows *pgxstore.PostgresStore
	ttl  time.Duration

	mu     sync.Mutex
	recent map[string]cachedSession
	// changes counts Commits and Deletes: a Find caches what it read only when none happened while it read, so a
	// read that raced a logout cannot put the logged-out session back.
	changes uint64
}

type cachedSession struct {
	data   []byte
	found  bool
	expiry time.Time // the session's own
	until  time.Time // when this copy must be read again
}

// maxCachedSessions bounds the memory the cache takes; past it the cache starts afresh.
const maxCachedSessions = 50_000

var _ scs.Store = (*hashedStore)(nil)

func newHashedStore(rows *pgxstore.PostgresStore, ttl time.Duration) *hashedStore {
	return &hashedStore{rows: rows, ttl: ttl, recent: map[string]cachedSession{}}
}

func storedKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Find returns the session stored for token.
func (s *hashedStore) Find(token string) ([]byte, bool, error) {
	key := storedKey(token)
	now := time.Now()
	s.mu.Lock()
	c, ok := s.recent[key]
	s.mu.Unlock()
	if ok && now.Before(c.until) && (!c.found || now.Before(c.expiry)) {
		return c.data, c.found, nil
	}
	s.mu.Lock()
	before := s.changes
	s.mu.Unlock()
	data, found, err := s.rows.Find(key)
	if err == nil && s.ttl > 0 {
		s.mu.Lock()
		if s.changes == before {
			s.rememberLocked(key, cachedSession{data: data, found: found, until: now.Add(s.ttl), expiry: now.Add(s.ttl)})
		}
		s.mu.Unlock()
	}
	return data, found, err
}

// Commit stores the session of token until expiry.
func (s *hashedStore) Commit(token string, b []byte, expiry time.Time) error {
	key := storedKey(token)
	err := s.rows.Commit(key, b, expiry)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	delete(s.recent, key)
	if err == nil && s.ttl > 0 {
		s.rememberLocked(key, cachedSession{data: b, found: true, expiry: expiry, until: time.Now().Add(s.ttl)})
	}
	return err
}

// Delete removes the session of token.
func (s *hashedStore) Delete(token string) error {
	key := storedKey(token)
	err := s.rows.Delete(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	delete(s.recent, key)
	if err == nil && s.ttl > 0 {
		s.rememberLocked(key, cachedSession{found: false, until: time.Now().Add(s.ttl)}) // gone, also to racing reads
	}
	return err
}

// rememberLocked keeps c for key; s.mu is held.
func (s *hashedStore) rememberLocked(key string, c cachedSession) {
	if len(s.recent) >= maxCachedSessions {
		s.recent = map[string]cachedSession{}
	}
	s.recent[key] = c
}
