// Package token mints the secrets of links sent by email (invitations, job dashboards, calendar feeds): 32 random
// bytes, base64url in the link, and only their sha256 in the database.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Token is a fresh secret: Raw goes into the link and nowhere else; Hash is what is stored.
type Token struct {
	Raw  string
	Hash []byte
}

// New mints a token.
func New() Token {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	raw := base64.RawURLEncoding.EncodeToString(b)
	return Token{Raw: raw, Hash: Hash(raw)}
}

// Hash is the stored form of a raw token from a link.
func Hash(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// Plausible reports whether raw could be a token at all, so a made-up link is answered without a query.
func Plausible(raw string) bool {
	if len(raw) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}
