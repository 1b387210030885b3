package jobparts

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Pacific/Auckland without relying on the machine's zone files

	"github.com/a-h/templ"

	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/visits"
)

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func auckland(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t time.Time) *time.Time { return &t }

// Each audience sees the same lists; internal notes, visit notes, the office's markers and Remove buttons are
// drawn for the office only — even when the data handed in holds them and CanRemove is set.
func TestJobParts_ByAudience(t *testing.T) {
	loc := auckland(t)
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, loc)
	vs := []visits.Visit{
		{ID: 31, AssigneeName: "Cora Coworker", StartsAt: at(start), EndsAt: at(start.Add(2 * time.Hour)), Notes: "Gate code 9911"},
		{ID: 32},
		{ID: 33, RequestedBy: "Fran Facilities", RequestedStart: at(start.AddDate(0, 0, 6)), RequestedEnd: at(start.AddDate(0, 0, 6).Add(3 * time.Hour))},
	}
	fs := []files.File{
		{ID: 41, Name: "roof-photo.png", Size: 48 << 10, HasThumbnail: true, VisibleToClient: true},
		{ID: 42, Name: "internal-quote.pdf", Size: 512},
	}
	msgs := []jobs.Message{
		{ID: 51, AuthorName: "Ann", Body: "We will call before arriving", VisibleToClient: true, CreatedAt: start},
		{ID: 52, AuthorName: "Ann", Body: "Margin is thin", CreatedAt: start},
	}
	const jobURL = "/base/7"
	for _, c := range []struct {
		audience   Audience
		unassigned string
		when       string
		requested  string
		office     bool
	}{
		{Office, "Unassigned", "Wed 25 Nov 2026, 09:00–11:00", "Tue 1 Dec 2026, 09:00–12:00", true},
		{ClientUser, "To be assigned", "Wed 25 Nov 2026, 09:00–11:00", "Tue 1 Dec 2026, 09:00–12:00", false},
		{Dashboard, "Unassigned", "Wednesday 25 November 2026, 09:00–11:00", "Tuesday 1 December 2026, 09:00–12:00", false},
		{0, "Unassigned", "Wed 25 Nov 2026, 09:00–11:00", "Tue 1 Dec 2026, 09:00–12:00", false},
	} {
		t.Run(c.audience.String(), func(t *testing.T) {
			page := render(t, Visits(VisitList{Audience: c.audience, Location: loc, Visits: vs, JobURL: jobURL, CanRemove: true})) +
				render(t, Files(FileList{Audience: c.audience, Files: fs, JobURL: jobURL, CanRemove: true})) +
				render(t, Messages(MessageList{Audience: c.audience, Location: loc, Messages: msgs}))
			for _, want := range []string{c.when, c.requested, "Cora Coworker", "Unscheduled", c.unassigned, "roof-photo.png",
				`href="/base/7/files/41"`, "48 KB", "We will call before arriving", "25 Nov 2026 09:00"} {
				if !strings.Contains(page, want) {
					t.Errorf("lacks %q", want)
				}
			}
			for what, s := range map[string]string{
				"an internal message":          "Margin is thin",
				"the internal marker":          ">internal<",
				"the visible-to-client marker": "visible to client",
				"visit notes":                  "Gate code 9911",
				"a file not for the client":    "internal-quote.pdf",
				"the client-can-see marker":    "client can see",
				"a thumbnail":                  "/base/7/files/41/thumbnail",
				"a Remove button":              ">Remove<",
				"a visit's remove action":      "/base/7/visits/31/remove",
				"a visit's edit link":          "/base/7/visits/31/edit",
				"who requested a visit":        "requested by Fran Facilities (portal)",
				"the office's Requested badge": ">Requested<",
				"a file's remove action":       "/base/7/files/41/remove",
			} {
				if got := strings.Contains(page, s); got != c.office {
					t.Errorf("shows %s: %v, want %v", what, got, c.office)
				}
			}
		})
	}
}

// The office sees no Remove button when it may not remove.
func TestJobParts_CanRemove(t *testing.T) {
	page := render(t, Visits(VisitList{Audience: Office, Location: time.UTC, Visits: []visits.Visit{{ID: 1}}, JobURL: "/jobs/7"})) +
		render(t, Files(FileList{Audience: Office, Files: []files.File{{ID: 2, Name: "a.pdf"}}, JobURL: "/jobs/7"}))
	if strings.Contains(page, "Remove") {
		t.Errorf("Remove without CanRemove:\n%s", page)
	}
}

// Empty lists say so, in each audience's words; the dashboard's is what its tests look for.
func TestJobParts_Empty(t *testing.T) {
	for _, c := range []struct {
		audience                Audience
		visits, files, messages string
	}{
		{Office, "No visits yet.", "No files yet.", "No messages on this job yet."},
		{ClientUser, "No visit booked yet.", "No files shared yet.", "No messages yet."},
		{Dashboard, "No visit is booked yet. This page shows it as soon as one is.", "No files shared yet.", "No messages yet."},
	} {
		t.Run(c.audience.String(), func(t *testing.T) {
			for _, p := range []struct {
				c    templ.Component
				want string
			}{
				{Visits(VisitList{Audience: c.audience, Location: time.UTC}), c.visits},
				{Files(FileList{Audience: c.audience}), c.files},
				{Messages(MessageList{Audience: c.audience, Location: time.UTC}), c.messages},
			} {
				if got := render(t, p.c); !strings.Contains(got, p.want) {
					t.Errorf("%q lacks %q", got, p.want)
				}
			}
		})
	}
}

// Visit times are drawn in the company's zone, across the night New Zealand's clocks go forward
// (2026-09-27 02:00 NZST becomes 03:00 NZDT).
func TestJobParts_VisitWhen(t *testing.T) {
	nz := auckland(t)
	utc := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	for _, c := range []struct {
		name       string
		start, end *time.Time
		want       string
	}{
		{"unscheduled", nil, nil, "Unscheduled"},
		{"one day, standard time (+12)", utc("2026-09-25T21:00:00Z"), utc("2026-09-25T23:30:00Z"), "Sat 26 Sep 2026, 09:00–11:30"},
		{"one day, daylight time (+13)", utc("2026-09-26T21:00:00Z"), utc("2026-09-26T23:30:00Z"), "Sun 27 Sep 2026, 10:00–12:30"},
		{"across the change: 01:30 NZST to 04:00 NZDT is 90 minutes", utc("2026-09-26T13:30:00Z"), utc("2026-09-26T15:00:00Z"), "Sun 27 Sep 2026, 01:30–04:00"},
		{"across days", utc("2026-09-26T09:00:00Z"), utc("2026-09-26T20:00:00Z"), "Sat 26 Sep 2026 21:00 – Sun 27 Sep 2026 09:00"},
		{"start only", utc("2026-09-26T21:00:00Z"), nil, "Sun 27 Sep 2026, 10:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := VisitWhen(visits.Visit{StartsAt: c.start, EndsAt: c.end}, nz); got != c.want {
				t.Errorf("VisitWhen = %q, want %q", got, c.want)
			}
		})
	}
	// The dashboard spells the same formats out in full.
	v := visits.Visit{StartsAt: utc("2026-09-26T09:00:00Z"), EndsAt: utc("2026-09-26T20:00:00Z")}
	if got, want := visitWhen(v, nz, Dashboard.day()), "Saturday 26 September 2026 21:00 – Sunday 27 September 2026 09:00"; got != want {
		t.Errorf("dashboard across days = %q, want %q", got, want)
	}
}

func TestJobParts_Stamp(t *testing.T) {
	nz := auckland(t)
	if got := Stamp(time.Date(2026, 9, 26, 21, 5, 0, 0, time.UTC), nz); got != "27 Sep 2026 10:05" {
		t.Errorf("Stamp = %q", got)
	}
}
