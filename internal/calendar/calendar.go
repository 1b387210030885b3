// Package calendar owns reminders — appointment, call and plain ones, on a person's, a client's or the company's
// calendar — the call lists they carry, and which calendars a viewer may see.
package calendar
