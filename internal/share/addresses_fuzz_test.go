package share

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplitAddresses: the composer's "other addresses" box splits into pieces that are never empty and hold no
// separator or line break, and that together are all the non-separator text typed, in order.
func FuzzSplitAddresses(f *testing.F) {
	for _, s := range []string{"a@x.example, b@x.example", "a@x.example;b@x.example\nc@x.example", " , ;", "",
		"a@x.example\r\nBcc: evil@x.example", "ä@ü.example\tb@x.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // refused before any handler reads it (input.Problem)
		}
		parts := splitAddresses(s)
		for _, p := range parts {
			if p == "" || strings.ContainsAny(p, ",; \n\t\r") {
				t.Fatalf("splitAddresses(%q) gave the piece %q", s, p)
			}
		}
		keep := strings.Map(func(r rune) rune {
			if strings.ContainsRune(",; \n\t\r", r) {
				return -1
			}
			return r
		}, s)
		if strings.Join(parts, "") != keep {
			t.Fatalf("splitAddresses(%q) = %q lost or reordered text", s, parts)
		}
	})
}
