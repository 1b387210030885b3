package identity

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// FailureLimiter counts failed attempts per key in a sliding window: logins per client IP and per email, and
// token lookups (invitation and share links) per client IP. It lives in the
// process: with several instances each keeps its own count, so the limit is per instance (README says so).
type FailureLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewFailureLimiter allows max failures per key within window.
func NewFailureLimiter(max int, window time.Duration) *FailureLimiter {
	return &FailureLimiter{max: max, window: window, now: time.Now, failures: map[string][]time.Time{}}
}

// Wait returns how long key must wait before trying again; zero when it may try now.
func (l *FailureLimiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key)
	if len(recent) < l.max {
		return 0
	}
	return recent[len(recent)-l.max].Add(l.window).Sub(l.now())
}

// Fail records a failed attempt for key.
func (l *FailureLimiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.recent(key), l.now())
	if len(l.failures) > 10_000 { // forget keys whose failures have all expired, so memory stays bounded
		for k := range l.failures {
			if len(l.recent(k)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// Reset forgets key's failures (after a successful login).
func (l *FailureLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent trims key's failures to the window and returns them; l.mu is held.
func (l *FailureLimiter) recent(key string) []time.Time {
	cutoff := l.now().Add(-l.window)
	fs := l.failures[key]
	i := 0
	for i < len(fs) && !fs[i].After(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = fs
	return fs
}

// TooManyAttempts is the message for a limited login, in whole minutes rounded up.
func TooManyAttempts(wait time.Duration) string {
	m := int(math.Ceil(wait.Minutes()))
	if m <= 1 {
		return "Too many attempts. Try again in 1 minute."
	}
	return fmt.Sprintf("Too many attempts. Try again in %d minutes.", m)
}
