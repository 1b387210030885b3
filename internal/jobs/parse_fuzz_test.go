package jobs

import (
	"testing"
)

// FuzzParseDecimal: money and quantities. Whatever ParseDecimal accepts is non-negative, and a quantity it accepts
// reads back as itself once shown (FormatQuantity), so what is saved is what was typed.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1", "1.5", "1,234.50", "$12.50", "€0.001", "-1", "+1", "1e9", "NaN", ".5", "5.", "",
		"99999999999999999999", "1.2.3", "١٢٣", "0x10", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, places := range []int{2, 3} {
			n, ok := ParseDecimal(s, places)
			if !ok {
				continue
			}
			if n < 0 {
				t.Fatalf("ParseDecimal(%q, %d) = %d, a negative amount", s, places, n)
			}
			if places == 3 {
				if back, ok := ParseDecimal(FormatQuantity(n), 3); !ok || back != n {
					t.Fatalf("ParseDecimal(%q) = %d, shown as %q, which reads back as %d, %t", s, n, FormatQuantity(n), back, ok)
				}
			}
		}
	})
}

// FuzzParseRef: a job number as typed in a search. Never negative; a number it finds reads back through Ref.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"J-1001", "j1001", "1001", "J--1", "-5", "J-", "J-9223372036854775808", "J-0", "jj1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := ParseRef(s)
		if n < 0 {
			t.Fatalf("ParseRef(%q) = %d", s, n)
		}
		if n > 0 && ParseRef(Ref(n)) != n {
			t.Fatalf("ParseRef(%q) = %d, but Ref(%d) = %q reads back as %d", s, n, n, Ref(n), ParseRef(Ref(n)))
		}
	})
}

// FuzzParseView: the job list's view= parameter is put into SQL as a literal, so only a listed view may pass.
func FuzzParseView(f *testing.F) {
	for _, s := range []string{"", "in-progress", "completed-today", "x' or '1'='1", "IN-PROGRESS", "in-progress "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseView(s)
		if err != nil {
			return
		}
		for _, o := range Views {
			if o.View == v {
				return
			}
		}
		t.Fatalf("ParseView(%q) = %q, which is not a listed view", s, v)
	})
}
