package input

import (
	"strings"
	"testing"

	"fieldops/internal/apperr"
)

func TestCheckSearch(t *testing.T) {
	cases := []struct {
		name, q string
		max     int
		want    string
	}{
		{"empty", "", MaxSearchLen, ""},
		{"at the limit", strings.Repeat("é", 200), MaxSearchLen, ""},
		{"spaces around do not count", "  " + strings.Repeat("x", 200) + "  ", MaxSearchLen, ""},
		{"over the limit", strings.Repeat("x", 201), MaxSearchLen, "Search with at most 200 characters."},
		{"an email's limit", strings.Repeat("x", 255), 254, "Search with at most 254 characters."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &apperr.ValidationError{}
			CheckSearch(v, "q", c.q, c.max)
			if got := v.Field("q"); got != c.want {
				t.Errorf("CheckSearch = %q, want %q", got, c.want)
			}
		})
	}
}

func TestProblem(t *testing.T) {
	cases := []struct {
		name, s string
		bad     bool
	}{
		{"plain", "Fix the hot water cylinder", false},
		{"lines and tabs", "Line one\r\n\tLine two", false},
		{"accents and emoji", "Café Māori 🔧", false},
		{"a right-to-left script", "שלום", false},
		{"NUL", "test\x00", true},
		{"invalid UTF-8", "\xc0", true},
		{"an overlong slash", "\xc0\xaf", true},
		{"escape", "\x1b[31m", true},
		{"a C1 control", "a\u0085b", true},
		{"right-to-left override", "invoice\u202efdp.exe", true},
		{"first strong isolate", "a\u2068b", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Problem(c.s); (got != "") != c.bad {
				t.Errorf("Problem(%q) = %q, want a problem: %v", c.s, got, c.bad)
			}
		})
	}
}
