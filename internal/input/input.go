// Package input owns the rules a typed value obeys whatever form it comes from: today, how long a search may be.
package input

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"fieldops/internal/apperr"
)

// MaxSearchLen bounds a search, so a pasted essay is answered in words rather than scanned.
const MaxSearchLen = 200

// CheckSearch adds to v, on field, the refusal of a search of more than max characters: MaxSearchLen for a list's
// search, or the longest value searched for (an email address's 254 characters for a recipient). Surrounding
// spaces do not count.
func CheckSearch(v *apperr.ValidationError, field, q string, max int) {
	if utf8.RuneCountInString(strings.TrimSpace(q)) > max {
		v.Add(field, fmt.Sprintf("Search with at most %d characters.", max))
	}
}
