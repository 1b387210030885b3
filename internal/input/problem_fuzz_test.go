package input

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fieldops/internal/apperr"
)

// FuzzProblem: every text a form or query string carries passes Problem before a handler reads it. It refuses
// exactly what cannot be stored or shown safely — bytes that are not UTF-8, NUL and other control characters,
// invisible text-direction controls — and nothing else.
func FuzzProblem(f *testing.F) {
	for _, s := range []string{"Ann", "line\nbreak\ttab\r", "nul\x00", "\xff", "bell\a", "rtl\u202eexe", "isolate\u2066",
		"C1\u0085", "emoji 🙂", "Zoë's café"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bad := !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
			return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		})
		if got := Problem(s); (got != "") != bad {
			t.Fatalf("Problem(%q) = %q, want a problem: %t", s, got, bad)
		}
	})
}

// FuzzCheckSearch: a search is refused in words when, and only when, it is longer than the limit once trimmed.
func FuzzCheckSearch(f *testing.F) {
	for _, s := range []string{"hot water", "", strings.Repeat("a", 201), "  padded  ", strings.Repeat("é", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v := &apperr.ValidationError{}
		CheckSearch(v, "q", q, MaxSearchLen)
		if tooLong := utf8.RuneCountInString(strings.TrimSpace(q)) > MaxSearchLen; tooLong != (v.Field("q") != "") {
			t.Fatalf("CheckSearch(%d characters) = %q", utf8.RuneCountInString(q), v.Field("q"))
		}
	})
}
