package identity

import (
	"errors"
	"fieldops/internal/apperr"
	"fmt"
	"math"
	"net/netip"
	"strings"
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
	l.forgetExpired()
}

// forgetExpired drops keys whose failures have all expired once there are many, so memory stays bounded; l.mu is
// held.
func (l *FailureLimiter) forgetExpired() {
	if len(l.failures) > 10_000 {
		for k := range l.failures {
			if len(l.recent(k)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// Take counts an attempt for key before it is made, when key may try now, and returns 0; otherwise it counts
// nothing and returns how long key must wait. Counting first means parallel attempts cannot all slip past the
// limit before any of them fails; Forgive takes back an attempt that succeeded.
func (l *FailureLimiter) Take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key)
	if len(recent) >= l.max {
		return recent[len(recent)-l.max].Add(l.window).Sub(l.now())
	}
	l.failures[key] = append(recent, l.now())
	l.forgetExpired()
	return 0
}

// Forgive takes back key's latest attempt (it succeeded, or it was never made).
func (l *FailureLimiter) Forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if fs := l.recent(key); len(fs) > 0 {
		l.failures[key] = fs[:len(fs)-1]
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

// TooManyAttempts is the message for a limited caller (logins, token lookups), in whole minutes rounded up.
func TooManyAttempts(wait time.Duration) string {
	m := int(math.Ceil(wait.Minutes()))
	if m <= 1 {
		return "Too many attempts. Try again in 1 minute."
	}
	return fmt.Sprintf("Too many attempts. Try again in %d minutes.", m)
}

// LoginLimits bound password guesses, counted before the password is hashed: per client IP, per email from one
// network, and per email from anywhere — a much higher ceiling, so a stranger guessing from their own network
// cannot lock a person out of theirs. The counts live in this process (per instance).
type LoginLimits struct {
	PerIP, PerEmailNetwork, PerEmail *FailureLimiter
}

// NewLoginLimits: 20 attempts per IP, 5 per email and network, 100 per email, each in 15 minutes.
func NewLoginLimits() LoginLimits {
	return LoginLimits{
		PerIP:           NewFailureLimiter(20, 15*time.Minute),
		PerEmailNetwork: NewFailureLimiter(5, 15*time.Minute),
		PerEmail:        NewFailureLimiter(100, 15*time.Minute),
	}
}

// Take counts one attempt to log in as email from ip. When any limit is reached it counts nothing and returns
// how long to wait. Otherwise it returns 0 and done, to call with the check's outcome: nil (the password was
// right) takes the email's attempts back — the IP's stay counted, against spraying one password over many
// accounts; apperr.ErrBusy (no password was checked) takes this attempt back everywhere; any other error leaves it
// counted.
func (l LoginLimits) Take(ip netip.Addr, email string) (wait time.Duration, done func(error)) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []struct {
		lim *FailureLimiter
		key string
	}{{l.PerIP, ClientKey(ip)}, {l.PerEmailNetwork, email + " " + network(ip)}, {l.PerEmail, email}}
	for i, k := range keys {
		if wait = k.lim.Take(k.key); wait > 0 {
			for _, taken := range keys[:i] {
				taken.lim.Forgive(taken.key)
			}
			return wait, func(error) {}
		}
	}
	return 0, func(err error) {
		switch {
		case err == nil:
			l.PerEmailNetwork.Reset(keys[1].key)
			l.PerEmail.Forgive(email)
		case errors.Is(err, apperr.ErrBusy):
			for _, k := range keys {
				k.lim.Forgive(k.key)
			}
		}
	}
}

// ClientKey is what per-client limits count by: an IPv4 address, or an IPv6 address's /64 (one household or
// office gets a /64 or more, so counting single IPv6 addresses counts nothing).
func ClientKey(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// network is the client's network: a /24 for IPv4, a /56 for IPv6 (what one household or office is given).
func network(ip netip.Addr) string {
	bits := 24
	if ip.Is6() && !ip.Is4In6() {
		bits = 56
	}
	p, err := ip.Unmap().Prefix(bits)
	if err != nil {
		return ip.String()
	}
	return p.String()
}
