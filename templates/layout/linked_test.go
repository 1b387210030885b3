package layout

import (
	"context"
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	cases := []struct {
		in   string
		want []Segment
	}{
		{"no links here", []Segment{{Text: "no links here"}}},
		{"see https://example.com/a.", []Segment{{Text: "see "}, {Text: "https://example.com/a", Link: true}, {Text: "."}}},
		{"(http://x.example/b?c=1) then", []Segment{{Text: "("}, {Text: "http://x.example/b?c=1", Link: true}, {Text: ") then"}}},
		{"https:// alone", []Segment{{Text: "https:// alone"}}},
		{"javascript:alert(1) ftp://x", []Segment{{Text: "javascript:alert(1) ftp://x"}}},
	}
	for _, c := range cases {
		got := Segments(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Segments(%q) = %+v, want %+v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Segments(%q)[%d] = %+v, want %+v", c.in, i, got[i], c.want[i])
			}
		}
	}
}

// A comment is plain text: its markup is shown as text, and only its web addresses become links.
func TestLinked_NeverHTML(t *testing.T) {
	var b strings.Builder
	if err := Linked(`<b>hi</b> https://example.com/x"onmouseover=alert(1) <script>`).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, bad := range []string{"<b>", "<script>", `"onmouseover`} {
		if strings.Contains(got, bad) {
			t.Errorf("Linked rendered %q: %s", bad, got)
		}
	}
	if !strings.Contains(got, `<a href="https://example.com/x" rel="nofollow noopener noreferrer ugc">https://example.com/x</a>`) {
		t.Errorf("no link in %s", got)
	}
}
