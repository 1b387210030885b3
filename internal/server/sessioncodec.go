package server

import (
	"maps"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec is scs's gob codec, decoding each distinct stored session once. scs decodes the store's bytes at
// every request, and gob compiles its types for each new decoder: 9 % of the job page's CPU under load. The bytes
// are the key, so a changed session is decoded afresh. A session holds ids, counts and text (page.Key*), so a
// shallow copy of the decoded map is the caller's own to change.
type sessionCodec struct {
	scs.GobCodec

	mu      sync.Mutex
	decoded map[string]decodedSession
}

type decodedSession struct {
	deadline time.Time
	values   map[string]any
}

// maxDecodedSessions bounds the memory the codec keeps; past it, it starts afresh.
const maxDecodedSessions = 10_000

func newSessionCodec() *sessionCodec { return &sessionCodec{decoded: map[string]decodedSession{}} }

// Decode returns the session in b: decoded once, then copied.
func (c *sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	key := string(b)
	c.mu.Lock()
	d, ok := c.decoded[key]
	c.mu.Unlock()
	if ok {
		return d.deadline, maps.Clone(d.values), nil
	}
	deadline, values, err := c.GobCodec.Decode(b)
	if err != nil {
		return deadline, values, err
	}
	c.mu.Lock()
	if len(c.decoded) >= maxDecodedSessions {
		clear(c.decoded)
	}
	c.decoded[key] = decodedSession{deadline: deadline, values: maps.Clone(values)}
	c.mu.Unlock()
	return deadline, values, nil
}
