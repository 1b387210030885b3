package token

import (
	"bytes"
	"testing"
)

func TestToken(t *testing.T) {
	a, b := New(), New()
	if a.Raw == b.Raw || bytes.Equal(a.Hash, b.Hash) {
		t.Fatal("two tokens are equal")
	}
	if !bytes.Equal(Hash(a.Raw), a.Hash) || len(a.Hash) != 32 {
		t.Error("Hash(Raw) is not the stored hash")
	}
	if !Plausible(a.Raw) {
		t.Errorf("a minted token %q is not plausible", a.Raw)
	}
	for _, bad := range []string{"", "abc", a.Raw + "x", a.Raw[:42] + "!"} {
		if Plausible(bad) {
			t.Errorf("Plausible(%q) = true", bad)
		}
	}
}
