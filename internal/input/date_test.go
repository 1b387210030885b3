package input

import "testing"

// A date input's value is a calendar date between 2000 and 2100; anything else is no date ("").
func TestParseDate(t *testing.T) {
	for s, want := range map[string]string{"2026-12-01": "2026-12-01", " 2026-02-28 ": "2026-02-28", "2026-02-30": "",
		"1999-12-31": "", "2101-01-01": "", "12/01/2026": "", "": "", "2026-12-01T09:00": ""} {
		got := ""
		if d, ok := ParseDate(s); ok {
			got = d.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("ParseDate(%q) = %q, want %q", s, got, want)
		}
	}
}
