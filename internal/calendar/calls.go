package calendar

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Call is one entry of a call reminder's "Call to": whom to call and their number, in E.164 ("+6421555123").
type Call struct {
	Name  string
	Phone string
}

// Display is the number as people read it: in the national format for a number of region (the company's country),
// in the international format otherwise.
func (c Call) Display(region string) string {
	n, err := phonenumbers.Parse(c.Phone, "")
	if err != nil {
		return c.Phone
	}
	if region != "" && phonenumbers.GetRegionCodeForNumber(n) == region {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// Limits of a typed call list.
const (
	MaxCalls   = 20
	MaxNameLen = 100
)

// CallListExample is what the ? control shows.
const CallListExample = "Ann Smith 021 555 0123; Bob Jones +64 9 555 0456"

// ParseCallList reads a call list typed as NAME NUMBER;NAME NUMBER… — a name, then the number (digits, spaces and
// + - ( ) .) — checking each number for region (the company's country, an ISO code like "NZ"; "" takes only
// numbers written with their country code). Empty entries (a trailing ";") are skipped. A bad entry is an error in
// words that names it: "“Ann”: no phone number". The list is not kept anywhere (not the phonebook): the caller
// stores it on the reminder.
func ParseCallList(raw, region string) ([]Call, error) {
	var calls []Call
	for _, entry := range strings.Split(raw, ";") {
		entry = strings.Join(strings.Fields(entry), " ")
		if entry == "" {
			continue
		}
		if len(calls) == MaxCalls {
			return nil, fmt.Errorf("Put at most %d people in one call list.", MaxCalls)
		}
		name, number := split(entry, region)
		switch {
		case !strings.ContainsFunc(number, unicode.IsDigit):
			return nil, fmt.Errorf("“%s”: no phone number. Write the name, then the number, like %s.", entry, CallListExample[:strings.Index(CallListExample, ";")])
		case name == "":
			return nil, fmt.Errorf("“%s”: no name. Write the name before the number.", entry)
		case utf8.RuneCountInString(name) > MaxNameLen:
			return nil, fmt.Errorf("“%.40s…”: use a name of at most %d characters.", name, MaxNameLen)
		}
		n, err := phonenumbers.Parse(number, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			if region == "" && !strings.HasPrefix(number, "+") {
				return nil, fmt.Errorf("“%s”: write %s with its country code (like +64 21 555 0123), or set the company's country in Settings.", entry, number)
			}
			return nil, fmt.Errorf("“%s”: %s is not a phone number.", entry, number)
		}
		calls = append(calls, Call{Name: name, Phone: phonenumbers.Format(n, phonenumbers.E164)})
	}
	return calls, nil
}

// split cuts an entry into the name and the number: the number is a tail of phone characters (digits, spaces,
// + - ( ) .) that starts a word — the longest one that is a valid number for region, so "Flat 2 021 555 0123" is
// Flat 2 at 021 555 0123; when none is valid, the longest tail, for the error to name.
func split(entry, region string) (name, number string) {
	var cuts []int // word starts from which the rest is all phone characters, longest tail first
	for i := len(entry) - 1; i >= 0; i-- {
		if !strings.ContainsRune("0123456789+-(). ", rune(entry[i])) {
			break
		}
		if i == 0 || entry[i-1] == ' ' {
			cuts = append([]int{i}, cuts...)
		}
	}
	if len(cuts) == 0 {
		return strings.TrimSpace(entry), ""
	}
	for _, cut := range cuts {
		tail := strings.TrimSpace(entry[cut:])
		if n, err := phonenumbers.Parse(tail, region); err == nil && phonenumbers.IsValidNumber(n) {
			return strings.TrimSpace(entry[:cut]), tail
		}
	}
	return strings.TrimSpace(entry[:cuts[0]]), strings.TrimSpace(entry[cuts[0]:])
}
