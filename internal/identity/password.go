package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost of a password hash. Production uses DefaultArgon2 (OWASP's minimum for argon2id);
// tests pass lighter ones so hundreds of logins stay fast.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is m=19456 KiB, t=2, p=1.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19456, Time: 2, Threads: 1}

// Hasher hashes and checks passwords. Its dummy hash is checked when an email is unknown, so a login costs the
// same time whether or not the account exists.
type Hasher struct {
	params Argon2Params
	dummy  string
}

// NewHasher returns a Hasher with params (DefaultArgon2 when zero).
func NewHasher(params Argon2Params) *Hasher {
	if params == (Argon2Params{}) {
		params = DefaultArgon2
	}
	h := &Hasher{params: params}
	h.dummy = h.Hash(rand.Text())
	return h
}

// Hash returns the PHC-style encoding of password's argon2id hash with a fresh salt.
func (h *Hasher) Hash(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Check reports whether password matches encoded, using the parameters stored in encoded. An empty encoded (an
// unknown account) is checked against the dummy hash and never matches.
func (h *Hasher) Check(encoded, password string) bool {
	if encoded == "" {
		h.check(h.dummy, password)
		return false
	}
	return h.check(encoded, password)
}

func (h *Hasher) check(encoded, password string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

var errBadHash = errors.New("identity: malformed password hash")

func decodeHash(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
