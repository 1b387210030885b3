package layout

import "testing"

func TestOptionsOf(t *testing.T) {
	type item struct {
		id   int64
		name string
	}
	got := OptionsOf([]Option{{Value: "", Label: "No one"}}, []item{{7, "Ann"}, {9, "Bo"}},
		func(i item) int64 { return i.id }, func(i item) string { return i.name })
	want := []Option{{"", "No one"}, {"7", "Ann"}, {"9", "Bo"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("OptionsOf = %+v, want %+v", got, want)
	}
}
