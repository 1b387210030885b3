// Package jobparts is the pieces of a job drawn for every audience — its visits, files and messages — one set of
// components for the office's job page, the client portal and the public Job Share dashboard. What the viewer
// may see was filtered by the store; the audience decides the presentation, and, as a second lock, never shows a
// client what only the office may see (internal notes, files not marked for the client). What the viewer may do
// and the time it is now come in on the props.
package jobparts

import (
	"strconv"
	"time"

	"fieldops/internal/visits"
)

// Audience is who a job's parts are drawn for. Internal notes, visit notes, files not marked for the client and
// office actions are drawn for the office only — also when the data handed in holds them by mistake.
type Audience uint8

// The zero Audience is no one in particular and is drawn like a client audience: it never shows office bits.
const (
	// Office is the firm's staff on the job page.
	Office Audience = iota + 1
	// ClientUser is a Job Share Plus client user in the portal.
	ClientUser
	// Dashboard is whoever opened a Job Share link: no account, phone first.
	Dashboard
)

// String names the audience, for test names and logs.
func (a Audience) String() string {
	switch a {
	case Office:
		return "office"
	case ClientUser:
		return "client user"
	case Dashboard:
		return "dashboard"
	}
	return "audience(" + strconv.Itoa(int(a)) + ")"
}

func (a Audience) office() bool { return a == Office }

// The day of a visit: short on the office page and in the portal; spelled out on the dashboard, which a client
// reads once, from an email, with room to spare.
const (
	dayShort = "Mon 2 Jan 2006"
	dayLong  = "Monday 2 January 2006"
)

func (a Audience) day() string {
	if a == Dashboard {
		return dayLong
	}
	return dayShort
}

// VisitWhen is when the visit is, in the company's zone loc: "Wed 25 Nov 2026, 09:00–11:00" within one day,
// "Wed 25 Nov 2026 22:00 – Thu 26 Nov 2026 02:00" across days, and "Unscheduled" without a start.
func VisitWhen(v visits.Visit, loc *time.Location) string { return visitWhen(v, loc, dayShort) }

func visitWhen(v visits.Visit, loc *time.Location, day string) string {
	if v.StartsAt == nil {
		return "Unscheduled"
	}
	s := v.StartsAt.In(loc)
	if v.EndsAt == nil {
		return s.Format(day + ", 15:04")
	}
	e := v.EndsAt.In(loc)
	if sameDay(s, e) {
		return s.Format(day+", 15:04") + "–" + e.Format("15:04")
	}
	return s.Format(day+" 15:04") + " – " + e.Format(day+" 15:04")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// Stamp is when something happened — a message written, a link sent — in the company's zone loc:
// "25 Nov 2026 09:30".
func Stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format("2 Jan 2006 15:04") }

// SizeText is a file's size for people: "512 bytes", "48 KB", "2.4 MB".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func id(n int64) string { return strconv.FormatInt(n, 10) }
