package calendar

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCallList(t *testing.T) {
	for _, c := range []struct {
		raw, region string
		want        []Call
		err         string
	}{
		{"Ann Smith 021 555 0123; Bob Jones +61 2 9374 4000", "NZ",
			[]Call{{"Ann Smith", "+64215550123"}, {"Bob Jones", "+61293744000"}}, ""},
		{" Ann  021-555-0123 ;;  ", "NZ", []Call{{"Ann", "+64215550123"}}, ""},
		{"Unit 4 caretaker (09) 555 0456", "NZ", []Call{{"Unit 4 caretaker", "+6495550456"}}, ""},
		{"Flat 2 021 555 0123; Room 12 09 555 0456", "NZ", []Call{{"Flat 2", "+64215550123"}, {"Room 12", "+6495550456"}}, ""},
		{"", "NZ", nil, ""},
		{"Ann", "NZ", nil, "“Ann”: no phone number"},
		{"Ann 021 555 0123; Bob", "NZ", nil, "“Bob”: no phone number"},
		{"021 555 0123", "NZ", nil, "“021 555 0123”: no name"},
		{"Ann 12", "NZ", nil, "“Ann 12”: 12 is not a phone number."},
		{"Ann 021 555 0123", "", nil, "write 021 555 0123 with its country code"},
		{"Ann +64 21 555 0123", "", []Call{{"Ann", "+64215550123"}}, ""},
		{strings.Repeat("Ann 021 555 0123;", 21), "NZ", nil, "at most 20 people"},
	} {
		got, err := ParseCallList(c.raw, c.region)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.raw, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.raw, err)
		case c.err == "" && !equal(got, c.want):
			t.Errorf("%q = %+v, want %+v", c.raw, got, c.want)
		}
	}
	if d := (Call{Phone: "+64215550123"}).Display("NZ"); d != "021 555 0123" {
		t.Errorf("national display = %q", d)
	}
	if d := (Call{Phone: "+61293744000"}).Display("NZ"); d != "+61 2 9374 4000" {
		t.Errorf("international display = %q", d)
	}
}

func equal(a, b []Call) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzParseCallList: whatever is typed, the list is refused in words or every entry has a name and a number in
// E.164 that parses back.
func FuzzParseCallList(f *testing.F) {
	for _, s := range []string{"Ann Smith 021 555 0123; Bob +61 2 9374 4000", "Ann", ";;", "021", "Ann 12", "Ann ++--()", "Zoë 0800 123 456;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		calls, err := ParseCallList(raw, "NZ")
		if err != nil {
			if err.Error() == "" || !utf8.ValidString(err.Error()) && utf8.ValidString(raw) {
				t.Fatalf("%q: an error without words", raw)
			}
			return
		}
		if len(calls) > MaxCalls {
			t.Fatalf("%q: %d calls", raw, len(calls))
		}
		for _, c := range calls {
			if c.Name == "" || !strings.HasPrefix(c.Phone, "+") || strings.Contains(c.Name, ";") {
				t.Fatalf("%q: accepted %+v", raw, c)
			}
			again, err := ParseCallList("X "+c.Phone, "")
			if err != nil || again[0].Phone != c.Phone {
				t.Fatalf("%q: %s does not read back (%v)", raw, c.Phone, err)
			}
		}
	})
}
