package cowork

import (
	"strings"
	"testing"
	"time"

	"fieldops/internal/jobs"
	"fieldops/internal/visits"
)

// The board's rows: the staff by the order given, someone off the staff list who still has visits, and
// Unassigned last; each visit on the day it starts in the company's zone — also across a daylight-saving change —
// and the visits with no time in their assignee's last column.
func TestBoard_Rows(t *testing.T) {
	loc, _ := time.LoadLocation("Pacific/Auckland")
	start := time.Date(2026, 9, 21, 0, 0, 0, 0, loc) // the week NZ moves to summer time (Sun 27 Sep)
	at := func(d, h int) *time.Time { x := time.Date(2026, 9, d, h, 0, 0, 0, loc); return &x }
	visit := func(id, who int64, name string, from *time.Time) jobs.TodayVisit {
		v := jobs.TodayVisit{ID: id, AssigneeID: who, AssigneeName: name, StartsAt: from}
		if from != nil {
			end := from.Add(time.Hour)
			v.EndsAt = &end
		}
		return v
	}
	p := BoardPage{Period: Period{Location: loc, Start: start, Days: 7}, Staff: []visits.StaffMember{{MembershipID: 2, Name: "Cora"}, {MembershipID: 3, Name: "Sam"}},
		Visits: []jobs.TodayVisit{
			visit(1, 2, "Cora", at(21, 9)),
			visit(2, 0, "", at(27, 23)),       // Sunday evening, after the change
			visit(3, 9, "Old Bob", at(22, 8)), // no longer on the staff list
			visit(4, 2, "Cora", at(20, 23)),   // the Sunday before: not this week
		},
		Unscheduled: []jobs.TodayVisit{visit(5, 3, "Sam", nil), visit(6, 0, "", nil)},
	}
	rows := p.Rows()
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if len(rows) != 4 || names[0] != "Cora" || names[1] != "Sam" || names[2] != "Old Bob" || names[3] != "Unassigned" || !rows[3].Unassigned {
		t.Fatalf("rows %q", names)
	}
	if len(rows[0].Days[0]) != 1 || rows[0].Days[0][0].ID != 1 || len(rows[2].Days[1]) != 1 || len(rows[3].Days[6]) != 1 {
		t.Errorf("visits by day: Cora %v, Old Bob %v, Unassigned %v", rows[0].Days, rows[2].Days, rows[3].Days)
	}
	for _, d := range rows[0].Days[1:] {
		if len(d) != 0 {
			t.Errorf("Cora's other days: %v (the Sunday before belongs to last week)", rows[0].Days)
		}
	}
	if len(rows[1].Unscheduled) != 1 || rows[1].Unscheduled[0].ID != 5 || len(rows[3].Unscheduled) != 1 {
		t.Errorf("no time yet: Sam %v, Unassigned %v", rows[1].Unscheduled, rows[3].Unscheduled)
	}
	if got := p.DayStarts()[6].Format("Mon 2 Jan 15:04 MST"); got != "Sun 27 Sep 00:00 NZST" {
		t.Errorf("the last day starts %s", got)
	}
	if p.Title() != "Week of Mon 21 Sep 2026" || p.Next() != "/calendar/board?week=2026-09-28" || BoardURL(start, 1) != "/calendar/board?day=2026-09-21" {
		t.Errorf("title %q, next %q", p.Title(), p.Next())
	}
}

// Where the clocks skip midnight (Santiago, Sunday 8 September 2024), the week still has its seven days, Sunday
// starting at 01:00, and the span ends at the next Monday's start.
func TestBoard_DaysWhereMidnightIsSkipped(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	p := BoardPage{Period: Period{Location: loc, Start: jobs.StartOfDay(2024, 9, 2, loc), Days: 7}}
	var days []string
	for _, d := range p.DayStarts() {
		days = append(days, d.Format("Mon 2 15:04"))
	}
	if got := strings.Join(days, ", "); got != "Mon 2 00:00, Tue 3 00:00, Wed 4 00:00, Thu 5 00:00, Fri 6 00:00, Sat 7 00:00, Sun 8 01:00" {
		t.Errorf("the days: %s", got)
	}
	if end := p.Span().End.In(loc).Format("Mon 2 15:04"); end != "Mon 9 00:00" {
		t.Errorf("the span ends %s", end)
	}
}
