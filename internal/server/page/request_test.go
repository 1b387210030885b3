package page

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestKit_ClientIP(t *testing.T) {
	k := &Kit{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	cases := []struct {
		name, remote, xff, want string
	}{
		{"direct peer", "203.0.113.5:1234", "", "203.0.113.5"},
		{"untrusted peer's header is ignored", "203.0.113.5:1234", "198.51.100.1", "203.0.113.5"},
		{"trusted proxy", "10.0.0.2:1234", "198.51.100.1", "198.51.100.1"},
		{"forged left-most hop is skipped", "10.0.0.2:1234", "1.2.3.4, 198.51.100.1, 10.0.0.3", "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := k.ClientIP(r).String(); got != c.want {
				t.Errorf("clientIP = %s, want %s", got, c.want)
			}
		})
	}
}
