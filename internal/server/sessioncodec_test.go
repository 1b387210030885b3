package server

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// The session codec gives what gob gives, each caller a map of its own, a changed session decoded afresh, and
// bounded memory.
func TestSessionCodec(t *testing.T) {
	c := newSessionCodec()
	deadline := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	values := map[string]any{"membership_id": int64(7), "memberships": 2, "notice": "Saved."}
	b, err := c.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		d, got, err := c.Decode(b)
		if err != nil || !d.Equal(deadline) || !maps.Equal(got, values) {
			t.Fatalf("decode = %v, %v, %v", d, got, err)
		}
		got["notice"] = "changed by a request" // scs changes its map; the next request must not see it
	}
	changed, _ := c.Encode(deadline, map[string]any{"membership_id": int64(8)})
	if _, got, _ := c.Decode(changed); got["membership_id"] != int64(8) {
		t.Errorf("a changed session decodes as %v", got)
	}
	if _, _, err := c.Decode([]byte("not gob")); err == nil {
		t.Error("bytes that are not a session decode without an error")
	}
	for i := range maxDecodedSessions + 10 {
		b, _ := c.Encode(deadline, map[string]any{"n": i})
		c.Decode(b)
	}
	if n := len(c.decoded); n > maxDecodedSessions {
		t.Errorf("%d sessions kept, bound %d", n, maxDecodedSessions)
	}
}

// BenchmarkSessionDecode compares gob's decode, which scs runs at every request, with the codec's.
func BenchmarkSessionDecode(b *testing.B) {
	values := map[string]any{"company_id": int64(1), "membership_id": int64(7), "session_version": int64(3),
		"last_seen": time.Now().Unix(), "account_id": int64(5), "account_epoch": int64(1), "memberships": 1}
	blob, _ := scs.GobCodec{}.Encode(time.Now().Add(time.Hour), values)
	for name, codec := range map[string]scs.Codec{"gob": scs.GobCodec{}, "cached": newSessionCodec()} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := codec.Decode(blob); err != nil {
					b.Fatal(fmt.Sprint(err))
				}
			}
		})
	}
}
