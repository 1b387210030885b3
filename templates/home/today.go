package home

import (
	"math"
	"sort"
	"strconv"
	"time"

	"fieldops/internal/calendar"
	"fieldops/internal/jobs"
	"fieldops/internal/tasks"
)

// Today is the home page of someone logged in: today's visits as a timeline, what needs attention, the workflow at
// a glance, and their tasks due — each part present when the role has it.
type Today struct {
	Welcome
	Now      time.Time
	Location *time.Location
	Day      jobs.Day
	Visits   []jobs.TodayVisit
	// Upcoming: a subcontractor's visits of the coming week.
	Upcoming []jobs.TodayVisit
	// Office: Needs attention and the workflow; FailedEmails for admins.
	Office       bool
	Attention    jobs.Attention
	Counts       map[jobs.View]int64
	FailedEmails int
	Tasks        []tasks.Row
	// Reminders are the viewer's own today: on their calendar, or with them among the people.
	Reminders []calendar.Reminder
	// SetUp: a company with no jobs yet sees its first steps (admins) first.
	SetUp bool
}

// Lane is one row of the timeline: a staff member's visits of the day, or the unassigned ones; visits that overlap
// stack in sub-rows, Rows of them.
type Lane struct {
	Name   string
	Visits []Placed
	Rows   int
	ends   []time.Time // each sub-row's last end, while placing
}

// Placed is a visit on the timeline: where its block starts and how wide it is, in percent of the window, and its
// sub-row in its lane.
type Placed struct {
	jobs.TodayVisit
	Left, Width float64
	Row         int
}

// place puts v in the first sub-row free at its start (visits come by start).
func (l *Lane) place(p Placed) {
	p.Row = len(l.ends)
	for i, end := range l.ends {
		if !end.After(*p.StartsAt) {
			p.Row = i
			break
		}
	}
	if p.Row == len(l.ends) {
		l.ends = append(l.ends, time.Time{})
	}
	l.ends[p.Row] = *p.EndsAt
	l.Rows = len(l.ends)
	l.Visits = append(l.Visits, p)
}

// Height is the lane's height in pixels, and Y a sub-row's top.
func (l Lane) Height() string { return strconv.Itoa(l.Rows*40 + 4) }

// Y is the top of the visit's block in its lane, in pixels.
func (p Placed) Y() string { return strconv.Itoa(3 + p.Row*40) }

// window is the hours the timeline spans: 07:00–19:00 on the company's clock, widened to whole hours that hold
// every visit of the day (a visit running over midnight widens it to the day's edge).
func (t Today) window() (from, to time.Time) {
	y, m, d := t.Day.Start.In(t.Location).Date()
	at := func(h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, t.Location) }
	from, to = at(7), at(19)
	for _, v := range t.Visits {
		switch {
		case v.StartsAt == nil:
			continue
		case v.StartsAt.Before(t.Day.Start):
			from = t.Day.Start
		case v.StartsAt.Before(from):
			from = at(v.StartsAt.In(t.Location).Hour())
		}
		switch end := v.EndsAt.In(t.Location); {
		case !v.EndsAt.Before(t.Day.End):
			to = t.Day.End
		case v.EndsAt.After(to) && end.Minute() == 0:
			to = at(end.Hour())
		case v.EndsAt.After(to):
			to = at(end.Hour() + 1)
		}
	}
	if from.Before(t.Day.Start) {
		from = t.Day.Start
	}
	if to.After(t.Day.End) {
		to = t.Day.End
	}
	return from, to
}

// Mark is an hour on the timeline's scale: "07", and its place in percent.
type Mark struct {
	Label string
	Left  float64
}

// Hours are the hour marks across the timeline, in the company's zone.
func (t Today) Hours() []Mark {
	from, to := t.window()
	var marks []Mark
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		marks = append(marks, Mark{Label: h.In(t.Location).Format("15"), Left: pct(h.Sub(from), to.Sub(from))})
	}
	return marks
}

// Lanes are the timeline's rows: each staff member with visits today, by name, then Unassigned.
func (t Today) Lanes() []Lane {
	from, to := t.window()
	span := to.Sub(from)
	byName := map[string]*Lane{}
	var unassigned *Lane
	for _, v := range t.Visits {
		start, end := *v.StartsAt, *v.EndsAt
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		p := Placed{TodayVisit: v, Left: pct(start.Sub(from), span), Width: math.Max(pct(end.Sub(start), span), 2)}
		key := v.AssigneeName + "\x00" + strconv.FormatInt(v.AssigneeID, 10)
		lane := byName[key]
		if v.AssigneeID == 0 {
			if unassigned == nil {
				unassigned = &Lane{Name: "Unassigned"}
			}
			lane = unassigned
		} else if lane == nil {
			lane = &Lane{Name: v.AssigneeName}
			byName[key] = lane
		}
		lane.place(p)
	}
	var lanes []Lane
	for _, l := range byName {
		lanes = append(lanes, *l)
	}
	sort.Slice(lanes, func(i, j int) bool { return lanes[i].Name < lanes[j].Name })
	if unassigned != nil {
		lanes = append(lanes, *unassigned)
	}
	return lanes
}

// UnassignedToday counts today's visits without a staff member.
func (t Today) UnassignedToday() int {
	n := 0
	for _, v := range t.Visits {
		if v.AssigneeID == 0 {
			n++
		}
	}
	return n
}

func pct(d, span time.Duration) float64 {
	if span <= 0 {
		return 0
	}
	return math.Round(float64(d)/float64(span)*1000) / 10
}

// Bar is one step of the workflow chart: its view, its count and its bar's length in percent of the longest.
type Bar struct {
	View  jobs.View
	Label string
	Count int64
	Width float64
}

// Workflow is the chart's bars, one per step of the workflow that the job list has a view of (every step but
// Completed), and Deferred, in the list's order.
func (t Today) Workflow() []Bar {
	var bars []Bar
	var most int64
	for _, o := range jobs.Views {
		if s := jobs.Status(o.View); !s.InWorkflow() && s != jobs.StatusDeferred {
			continue
		}
		n := t.Counts[o.View]
		bars = append(bars, Bar{View: o.View, Label: o.Label, Count: n})
		most = max(most, n)
	}
	for i := range bars {
		if most > 0 {
			bars[i].Width = math.Max(float64(bars[i].Count)/float64(most)*100, 0.5)
		}
	}
	return bars
}

// NeedsAttention reports whether anything is listed under Needs attention.
func (t Today) NeedsAttention() bool {
	a := t.Attention
	return len(a.FromClients)+len(a.QualityCheck)+len(a.Stale)+len(a.Unscheduled)+t.UnassignedToday()+t.FailedEmails > 0
}
