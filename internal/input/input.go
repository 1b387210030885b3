// Package input owns the rules a typed value obeys whatever form it comes from: which characters text may hold,
// how long a search may be, and what a date input sends.
package input

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fieldops/internal/apperr"
)

// MaxSearchLen bounds a search, so a pasted essay is answered in words rather than scanned.
const MaxSearchLen = 200

// CheckSearch adds to v, on field, the refusal of a search of more than limit characters: MaxSearchLen for a list's
// search, or the longest value searched for (an email address's 254 characters for a recipient). Surrounding
// spaces do not count.
func CheckSearch(v *apperr.ValidationError, field, q string, limit int) {
	if utf8.RuneCountInString(strings.TrimSpace(q)) > limit {
		v.Add(field, fmt.Sprintf("Search with at most %d characters.", limit))
	}
}

// Problem says what in s cannot be stored as text, in words for the person who typed it, or "" when s is fine.
// Text is UTF-8 with no NUL or other control character (tab, newline and carriage return are fine) and no
// invisible bidirectional control (U+202A–U+202E, U+2066–U+2069), which can make text read differently from
// what it holds.
func Problem(s string) string {
	if !utf8.ValidString(s) {
		return "bytes that are not text (not UTF-8)"
	}
	for _, r := range s {
		switch {
		case r == 0:
			return "a NUL character"
		case (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0):
			return fmt.Sprintf("an invisible control character (U+%04X)", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return fmt.Sprintf("an invisible text-direction control (U+%04X)", r)
		}
	}
	return ""
}

// EscapeLike makes s match itself literally inside a LIKE or ILIKE pattern (% _ and \ lose their meaning).
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ParseDate reads a date input's value ("2026-12-01") as that calendar date (at midnight UTC: a date, not yet a time
// anywhere); ok is false for anything else or a year outside 2000–2100.
func ParseDate(s string) (date time.Time, ok bool) {
	d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, false
	}
	return d, true
}
