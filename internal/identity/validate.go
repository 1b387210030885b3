package identity

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"fieldops/internal/apperr"

	"github.com/jackc/pgx/v5"
)

// Limits on what people type; the database checks the same.
const (
	MaxNameLen     = 200
	MaxEmailLen    = 254
	MinPasswordLen = 10
	MaxPasswordLen = 1000
)

// CheckName adds a message ("Enter <label>.") when a required name-like field is empty or too long.
func CheckName(v *apperr.ValidationError, field, label, value string) {
	switch {
	case value == "":
		v.Add(field, "Enter "+label+".")
	case utf8.RuneCountInString(value) > MaxNameLen:
		v.Add(field, "Use at most 200 characters.")
	}
}

// CheckEmail adds a message when value is not a plain email address (name@example.com), or is empty.
func CheckEmail(v *apperr.ValidationError, field, value string) {
	switch {
	case value == "":
		v.Add(field, "Enter an email address.")
	case len(value) > MaxEmailLen:
		v.Add(field, "Use at most 254 characters.")
	case !validEmail(value):
		v.Add(field, "Enter an email address like name@example.com.")
	}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " <>")
}

// CheckNewPassword adds a message when a new password is too short or too long.
func CheckNewPassword(v *apperr.ValidationError, field, value string) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		v.Add(field, "Choose a password.")
	case n < MinPasswordLen:
		v.Add(field, "Use at least 10 characters.")
	case n > MaxPasswordLen:
		v.Add(field, "Use at most 1000 characters.")
	}
}

// Rename sets the account's own name (the person's, everywhere they work), in tx.
func Rename(ctx context.Context, tx pgx.Tx, accountID int64, name string) error {
	name = strings.TrimSpace(name)
	v := &apperr.ValidationError{}
	CheckName(v, "name", "your name", name)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `update accounts set name = $2 where id = $1`, accountID, name); err != nil {
		return fmt.Errorf("identity: rename: %w", err)
	}
	return nil
}
