package home

import (
	"context"
	"strings"
	"testing"
	"time"

	"fieldops/internal/jobs"
)

// Visits of one person that overlap stack in sub-rows; the next one after them takes the first row again; the
// unassigned lane comes last.
func TestToday_Lanes(t *testing.T) {
	loc := time.UTC
	day := jobs.Today(time.Date(2026, 11, 25, 12, 0, 0, 0, loc), loc)
	at := func(h, m int) *time.Time { x := time.Date(2026, 11, 25, h, m, 0, 0, loc); return &x }
	visit := func(who int64, name string, from, to *time.Time) jobs.TodayVisit {
		return jobs.TodayVisit{AssigneeID: who, AssigneeName: name, StartsAt: from, EndsAt: to}
	}
	today := Today{Location: loc, Day: day, Visits: []jobs.TodayVisit{
		visit(0, "", at(6, 0), at(7, 0)),
		visit(2, "Cora", at(8, 0), at(10, 0)),
		visit(2, "Cora", at(9, 0), at(11, 0)),
		visit(2, "Cora", at(10, 0), at(12, 0)),
	}}
	lanes := today.Lanes()
	if len(lanes) != 2 || lanes[0].Name != "Cora" || lanes[1].Name != "Unassigned" {
		t.Fatalf("lanes %+v", lanes)
	}
	var rows []int
	for _, v := range lanes[0].Visits {
		rows = append(rows, v.Row)
	}
	if lanes[0].Rows != 2 || rows[0] != 0 || rows[1] != 1 || rows[2] != 0 {
		t.Errorf("Cora's rows = %v in %d, want [0 1 0] in 2", rows, lanes[0].Rows)
	}
	// The window opens at 06:00 for the early visit; it starts the scale.
	if h := today.Hours(); h[0].Label != "06" || h[0].Left != 0 || lanes[1].Visits[0].Left != 0 {
		t.Errorf("the scale starts at %+v, the early visit at %.1f%%", h[0], lanes[1].Visits[0].Left)
	}
}

// The workflow's bars: every step with a view of the job list, the longest full width.
func TestToday_Workflow(t *testing.T) {
	bars := Today{Counts: map[jobs.View]int64{jobs.View(jobs.StatusInProgress): 10, jobs.View(jobs.StatusDeferred): 5}}.Workflow()
	if len(bars) != 6 {
		t.Fatalf("%d bars, want 6 (five steps and Deferred)", len(bars))
	}
	for _, b := range bars {
		switch b.View {
		case jobs.View(jobs.StatusInProgress):
			if b.Width != 100 {
				t.Errorf("In progress = %.1f%%, want 100", b.Width)
			}
		case jobs.View(jobs.StatusDeferred):
			if b.Width != 50 {
				t.Errorf("Deferred = %.1f%%, want 50", b.Width)
			}
		}
	}
}

// In a zone half an hour off UTC the scale still marks whole hours of the company's clock.
func TestToday_HoursOnTheCompanysClock(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip(err)
	}
	day := jobs.Today(time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC), loc)
	start := time.Date(2026, 11, 25, 6, 30, 0, 0, loc)
	end := start.Add(time.Hour)
	hours := Today{Location: loc, Day: day, Visits: []jobs.TodayVisit{{StartsAt: &start, EndsAt: &end}}}.Hours()
	if len(hours) != 13 || hours[0].Label != "06" || hours[1].Label != "07" || hours[1].Left != 7.7 {
		t.Errorf("scale %+v, want 06 to 18 in 13 marks", hours)
	}
}

// A visit a client requested in the portal is marked Requested, with the window they asked for, among the visits
// with no time yet.
func TestToday_RequestedVisit(t *testing.T) {
	loc, _ := time.LoadLocation("Pacific/Auckland")
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	to := from.Add(3 * time.Hour)
	today := Today{Location: loc, Office: true, Attention: jobs.Attention{Unscheduled: []jobs.TodayVisit{
		{JobID: 7, JobNumber: 1042, JobTitle: "Leaking tap", ClientName: "Harbour View", RequestedStart: &from, RequestedEnd: &to},
		{JobID: 8, JobNumber: 1043, JobTitle: "Gutters", ClientName: "Harbour View"},
	}}}
	var b strings.Builder
	if err := attention(today).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Count(page, ">Requested<") != 1 || !strings.Contains(page, "Tue 1 Dec, 09:00–12:00") || !strings.Contains(page, "Gutters") {
		t.Errorf("the visits with no time yet: %s", page)
	}
}
