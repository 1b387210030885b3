package page

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

func TestIsLocalPath(t *testing.T) {
	cases := []struct {
		raw  string // as it arrives in the query string, still encoded
		want bool
	}{
		{"%2F", true},
		{"%2Fjobs%3Fview%3Dall", true},
		{"%2Fjobs%2F12%2Fedit", true},
		{"", false},
		{"jobs", false},
		{"%2F%2Fevil.example", false},                 // //evil.example
		{"%2F%5Cevil.example", false},                 // /\evil.example
		{"%2F%09%2Fevil.example", false},              // /<tab>/evil.example: browsers drop the tab
		{"%2F%0A%2Fevil.example", false},              // newline likewise
		{"%2F%0D%2Fevil.example", false},              // carriage return
		{"%2F%00", false},                             // NUL
		{"https%3Aevil.example", false},               // https:evil.example
		{"https%3A%2F%2Fevil.example", false},         // https://evil.example
		{"%5C%5Cevil.example", false},                 // \\evil.example
		{"javascript%3Aalert(1)", false},              // javascript:
		{"%20%2F%2Fevil.example", false},              // a leading space
		{"%2F%C0%AF", false},                          // not UTF-8
		{"%2F%252F%252Fevil.example", true},           // /%2F%2Fevil.example: a path on this site, never decoded again
		{"%2Fjobs%3Fback%3D%2F%2Fevil.example", true}, // the query of a local path is the page's business
		{"%2F.%2F%5Cevil.example", false},             // /./\evil.example: http.Redirect cleans it to /\evil.example
		{"%2Fx%2F..%2F%5Cevil.example", false},        // /x/../\evil.example
		{"%2Fx%2F..%2F%2Fevil.example", false},        // /x/..//evil.example
		{"%2Fjobs%5Cx", false},                        // a backslash anywhere
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			q, err := url.ParseQuery("next=" + c.raw)
			if err != nil {
				t.Fatal(err)
			}
			next := q.Get("next")
			if got := IsLocalPath(next); got != c.want {
				t.Errorf("IsLocalPath(%q) = %v, want %v", next, got, c.want)
			}
			if want := map[bool]string{true: next, false: "/"}[c.want]; LocalPath(next) != want {
				t.Errorf("LocalPath(%q) = %q, want %q", next, LocalPath(next), want)
			}
		})
	}
}

// FuzzIsLocalPath: whatever is accepted stays on this site once a browser has cleaned it up (dropping tabs and
// newlines, turning "\" into "/") and resolved it against our origin.
func FuzzIsLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/jobs?x=1", "//x", "/\\x", "/\t/x", "https:x", "/%2F", "\\\\x", "/\u202e", "/./\\x", "/a/../\\x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://fieldops.example/login")
	f.Fuzz(func(t *testing.T, p string) {
		if !IsLocalPath(p) {
			return
		}
		// What the browser receives is what http.Redirect writes, after it cleans the path.
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest("GET", "/login", nil), p, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		cleaned := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
		u, err := url.Parse(cleaned)
		if err != nil {
			return // the browser would not follow it either
		}
		if got := base.ResolveReference(u); got.Host != base.Host || got.Scheme != base.Scheme {
			t.Errorf("IsLocalPath(%q) accepted a path that redirects (Location %q) to %s://%s", p, loc, got.Scheme, got.Host)
		}
	})
}

// FuzzTickedIDs: the ids a bulk action sends are numbers, at most 1000 of them, whatever the form holds.
func FuzzTickedIDs(f *testing.F) {
	for _, s := range []string{"ids=1&ids=2", "ids=abc&ids=-1", "ids=99999999999999999999", "ids=%00", strings.Repeat("ids=1&", 1200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/clients/job-share", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ids := TickedIDs(r, "ids")
		if len(ids) > 1000 {
			t.Fatalf("%d ids, want at most 1000", len(ids))
		}
		for _, id := range ids {
			if !slices.ContainsFunc(r.PostForm["ids"], func(raw string) bool {
				n, err := strconv.ParseInt(raw, 10, 64)
				return err == nil && n == id
			}) {
				t.Fatalf("id %d is not one the form sent: %q", id, r.PostForm["ids"])
			}
		}
	})
}
