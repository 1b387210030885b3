package identity

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

var fastArgon2 = Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

func TestHasher_RealParameters(t *testing.T) {
	h := NewHasher(Argon2Params{}) // the production cost
	hash := h.Hash("correct horse battery")
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not use argon2id m=19456 t=2 p=1", hash)
	}
	if !h.Check(hash, "correct horse battery") {
		t.Error("the right password was refused")
	}
	if h.Check(hash, "correct horse batterY") {
		t.Error("a wrong password was accepted")
	}
}

func TestHasher_Check(t *testing.T) {
	h := NewHasher(fastArgon2)
	hash := h.Hash("s3cret-password")
	if h.Hash("s3cret-password") == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	cases := []struct {
		name, encoded, password string
		want                    bool
	}{
		{"right password", hash, "s3cret-password", true},
		{"wrong password", hash, "s3cret-passwore", false},
		{"unknown account (empty hash)", "", "s3cret-password", false},
		{"malformed hash", "$argon2id$v=19$garbage", "s3cret-password", false},
		{"another algorithm", "$2a$10$abcdefghijklmnopqrstuv", "s3cret-password", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h.Check(c.encoded, c.password); got != c.want {
				t.Errorf("Check = %v, want %v", got, c.want)
			}
		})
	}
}

func TestFailureLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	l := NewFailureLimiter(3, 15*time.Minute)
	l.now = func() time.Time { return now }
	for range 3 {
		if w := l.Wait("k"); w != 0 {
			t.Fatalf("limited after fewer than 3 failures: %v", w)
		}
		l.Fail("k")
		now = now.Add(time.Minute)
	}
	// Failures at 9:00, 9:01, 9:02; now 9:03: the oldest expires at 9:15.
	if w := l.Wait("k"); w != 12*time.Minute {
		t.Errorf("Wait = %v, want 12m", w)
	}
	if w := l.Wait("other"); w != 0 {
		t.Errorf("another key is limited: %v", w)
	}
	now = now.Add(12 * time.Minute)
	if w := l.Wait("k"); w != 0 {
		t.Errorf("still limited once the oldest failure left the window: %v", w)
	}
	l.Fail("k")
	l.Reset("k")
	if w := l.Wait("k"); w != 0 {
		t.Errorf("limited after Reset: %v", w)
	}
}

func TestTooManyAttempts(t *testing.T) {
	for wait, want := range map[time.Duration]string{
		10 * time.Second:               "Try again in 1 minute.",
		14*time.Minute + 1*time.Second: "Try again in 15 minutes.",
		2 * time.Minute:                "Try again in 2 minutes.",
	} {
		if got := TooManyAttempts(wait); !strings.HasSuffix(got, want) {
			t.Errorf("TooManyAttempts(%v) = %q, want …%q", wait, got, want)
		}
	}
}

func TestSignup_Validate(t *testing.T) {
	long := strings.Repeat("x", 201)
	ok := Signup{CompanyName: "Acme", Name: "Ann", Email: "ann@acme.example", Password: "0123456789"}
	cases := []struct {
		name   string
		change func(*Signup)
		field  string
		msg    string
	}{
		{"missing company", func(s *Signup) { s.CompanyName = "" }, "company_name", "Enter your company's name."},
		{"long company", func(s *Signup) { s.CompanyName = long }, "company_name", "Use at most 200 characters."},
		{"missing name", func(s *Signup) { s.Name = "" }, "name", "Enter your name."},
		{"long name", func(s *Signup) { s.Name = long }, "name", "Use at most 200 characters."},
		{"missing email", func(s *Signup) { s.Email = "" }, "email", "Enter an email address."},
		{"malformed email", func(s *Signup) { s.Email = "ann@" }, "email", "Enter an email address like name@example.com."},
		{"email with a display name", func(s *Signup) { s.Email = "Ann <ann@acme.example>" }, "email", "Enter an email address like name@example.com."},
		{"email without a domain dot", func(s *Signup) { s.Email = "ann@localhost" }, "email", "Enter an email address like name@example.com."},
		{"long email", func(s *Signup) { s.Email = strings.Repeat("a", 250) + "@x.io" }, "email", "Use at most 254 characters."},
		{"missing password", func(s *Signup) { s.Password = "" }, "password", "Choose a password."},
		{"short password", func(s *Signup) { s.Password = "123456789" }, "password", "Use at least 10 characters."},
		{"long password", func(s *Signup) { s.Password = strings.Repeat("p", 1001) }, "password", "Use at most 1000 characters."},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a good sign-up is refused: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.change(&in)
			err := in.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if got := err.(interface{ Field(string) string }).Field(c.field); got != c.msg {
				t.Errorf("%s: %q, want %q", c.field, got, c.msg)
			}
		})
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.5":               "203.0.113.5",
		"::ffff:203.0.113.5":        "203.0.113.5",
		"2001:db8:1:2:3:4:5:6":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:0:0:abc": "2001:db8:1:2::/64",
	} {
		if got := ClientKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("ClientKey(%s) = %s, want %s", in, got, want)
		}
	}
}
