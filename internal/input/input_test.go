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
