package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fieldops/internal/apperr"
	"fmt"
	"runtime"
	"strings"
	"time"

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
//
// Each hash takes its memory and a core's worth of time, so at most one runs per core: a burst of logins waits
// its turn briefly (HashWait), then is told the server is busy (apperr.ErrBusy) rather than exhausting memory.
type Hasher struct {
	params Argon2Params
	dummy  string
	slots  chan struct{}
}

// HashWait is how long a password check waits for a free core before answering busy.
const HashWait = 3 * time.Second

// NewHasher returns a Hasher with params (DefaultArgon2 when zero).
func NewHasher(params Argon2Params) *Hasher {
	if params == (Argon2Params{}) {
		params = DefaultArgon2
	}
	h := &Hasher{params: params, slots: make(chan struct{}, runtime.NumCPU())}
	h.dummy = h.Hash(rand.Text())
	return h
}

// acquire takes a hashing slot, waiting at most HashWait (or until ctx ends): apperr.ErrBusy when none came.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(HashWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, apperr.ErrBusy
	case <-ctx.Done():
		return nil, apperr.ErrBusy
	}
}

// HashCtx is Hash within the hashing slots: apperr.ErrBusy when none is free in time.
func (h *Hasher) HashCtx(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return h.hash(password), nil
}

// CheckCtx is Check within the hashing slots: apperr.ErrBusy when none is free in time.
func (h *Hasher) CheckCtx(ctx context.Context, encoded, password string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return h.Check(encoded, password), nil
}

// Hash returns the PHC-style encoding of password's argon2id hash with a fresh salt. It waits for a hashing slot
// as long as it takes (for the operator's commands and seeding; requests use HashCtx).
func (h *Hasher) Hash(password string) string {
	if h.slots != nil {
		h.slots <- struct{}{}
		defer func() { <-h.slots }()
	}
	return h.hash(password)
}

func (h *Hasher) hash(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Check reports whether password matches encoded, using the parameters stored in encoded. An empty encoded (an
// unknown account) is checked against the dummy hash and never matches. It takes no hashing slot: requests call
// CheckCtx.
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
