// Package apperr holds the errors every domain package returns for the outcomes a user can cause. The server maps
// each to its HTTP status in one place (internal/server/page/render.go); users never see err.Error() of anything else.
package apperr

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

var (
	// ErrNotFound: the thing does not exist, or not for this viewer (never say which).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the viewer may see the thing but lacks the permission for this action.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the action clashes with the thing's current state.
	ErrConflict = errors.New("conflict")
	// ErrTooManyRequests: the caller is rate-limited; wrapped with a ValidationError saying for how long.
	ErrTooManyRequests = errors.New("too many requests")
	// ErrBusy: the server is at capacity for this work right now (password hashing); try again in a moment.
	ErrBusy = errors.New("busy")
)

// ValidationError carries a message in words for each field that was wrong; Form is for a problem with the form
// as a whole (a wrong password, a full plan).
type ValidationError struct {
	Fields map[string]string
	Form   string
}

// FieldError is a ValidationError with one message, msg, for field.
func FieldError(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Add records msg for field, keeping the first message a field gets.
func (v *ValidationError) Add(field, msg string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = msg
	}
}

// Err returns v when it holds any message, else nil, so a validator can end with `return v.Err()`.
func (v *ValidationError) Err() error {
	if len(v.Fields) == 0 && v.Form == "" {
		return nil
	}
	return v
}

// Field returns the message for field, or "".
func (v *ValidationError) Field(field string) string {
	if v == nil {
		return ""
	}
	return v.Fields[field]
}

func (v *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid:")
	for _, f := range slices.Sorted(maps.Keys(v.Fields)) {
		b.WriteString(" " + f + ": " + v.Fields[f] + ";")
	}
	if v.Form != "" {
		b.WriteString(" " + v.Form)
	}
	return b.String()
}

// AsValidation returns the ValidationError in err's chain, or nil.
func AsValidation(err error) *ValidationError {
	var v *ValidationError
	if errors.As(err, &v) {
		return v
	}
	return nil
}

// FormMessage returns the message for the form as a whole, or "" (also for a nil v).
func (v *ValidationError) FormMessage() string {
	if v == nil {
		return ""
	}
	return v.Form
}

// Messages are all its messages in words, the form's first, then the fields' in field order: for a page that
// has no form to show them next to.
func (v *ValidationError) Messages() []string {
	if v == nil {
		return nil
	}
	var ms []string
	if v.Form != "" {
		ms = append(ms, v.Form)
	}
	for _, f := range slices.Sorted(maps.Keys(v.Fields)) {
		ms = append(ms, v.Fields[f])
	}
	return ms
}

// Conflict is ErrConflict with its reason in words: what the thing's state forbids, for a request no form offers
// (a forged one). The server answers 409 with the reason.
func Conflict(reason string) error {
	return fmt.Errorf("%w: %w", ErrConflict, &ValidationError{Form: reason})
}
