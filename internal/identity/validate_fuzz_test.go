package identity

import (
	"net/mail"
	"strings"
	"testing"

	"fieldops/internal/apperr"
)

// FuzzCheckEmail: whatever CheckEmail accepts is one plain address that is safe in an email header — no line
// breaks or other control characters to inject headers with, no display name, no second address — and reads back
// as itself.
func FuzzCheckEmail(f *testing.F) {
	for _, s := range []string{"ann@acme.example", "a@b.c", "\"a b\"@x.example", "a@b.c\r\nBcc: x@evil.example",
		"Ann <ann@acme.example>", "a@b.c, d@e.f", "a@[127.0.0.1]", "ann@acme.example\x00", "@x.y", "ä@ü.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := &apperr.ValidationError{}
		CheckEmail(v, "email", s)
		if v.Err() != nil {
			return
		}
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) || strings.ContainsAny(s, ",;<> ") {
			t.Fatalf("accepted %q, which could inject a header or a second address", s)
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			t.Fatalf("accepted %q, which reads back as %+v (%v)", s, a, err)
		}
	})
}
