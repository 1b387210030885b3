package cowork

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"fieldops/internal/jobs"
	"fieldops/internal/visits"
)

// BoardPage is the dispatch board: a week (or, on a phone, a day) of visits, a row per staff member and one for
// the unassigned, with a column of the visits that have no time yet.
type BoardPage struct {
	Period // a week (7 days from a Monday) or one day
	Staff  []visits.StaffMember
	// Visits overlap the days shown; Unscheduled have no time yet (open jobs only).
	Visits      []jobs.TodayVisit
	Unscheduled []jobs.TodayVisit
	// Full: the board reached its limit of visits, and says so.
	Full   bool
	Notice string
}

// BoardLimit is the most visits a board shows at once.
const BoardLimit = 5000

// UnscheduledLimit is the most visits with no time yet a board lists.
const UnscheduledLimit = 200

// BoardRow is one row of the board: a staff member's visits (none: Unassigned) per day, and their unscheduled ones.
type BoardRow struct {
	Name        string
	Unassigned  bool
	Days        [][]jobs.TodayVisit
	Unscheduled []jobs.TodayVisit
}

// Period is the days a page draws, in the company's zone: Start is the first one's first moment.
type Period struct {
	Location *time.Location
	Start    time.Time
	Days     int
	Now      time.Time
}

// DayStarts are the first moments of the days drawn.
func (p Period) DayStarts() []time.Time { return dayStarts(p.Start, p.Days, p.Location) }

// Span is the time drawn.
func (p Period) Span() jobs.Day {
	return jobs.Day{Start: p.Start, End: dayStarts(p.Start, p.Days+1, p.Location)[p.Days]}
}

// isToday reports whether day d holds now.
func (p Period) isToday(d time.Time) bool {
	return !p.Now.Before(d) && p.Now.Before(nextDay(d, p.Location))
}

// dayStarts are the first moments of n days from start's in loc — midnights, but where the clocks skip one.
func dayStarts(start time.Time, n int, loc *time.Location) []time.Time {
	y, m, d := start.In(loc).Date()
	days := make([]time.Time, n)
	for i := range days {
		days[i] = jobs.StartOfDay(y, m, d+i, loc)
	}
	return days
}

// nextDay is the first moment of the day after d's in loc.
func nextDay(d time.Time, loc *time.Location) time.Time {
	y, m, dd := d.In(loc).Date()
	return jobs.StartOfDay(y, m, dd+1, loc)
}

// day is the index of the day a visit starts on, in Location; -1 outside the board (one that began the day before).
func (p BoardPage) day(v jobs.TodayVisit) int {
	if v.StartsAt == nil {
		return -1
	}
	for i, d := range p.DayStarts() {
		if !v.StartsAt.Before(d) && v.StartsAt.Before(nextDay(d, p.Location)) {
			return i
		}
	}
	return -1
}

// Rows is the board's rows: every staff member by name — and anyone no longer on the staff list who still has
// visits here — then Unassigned.
func (p BoardPage) Rows() []BoardRow {
	index := map[int64]int{}
	var rows []BoardRow
	row := func(id int64, name string) *BoardRow {
		i, ok := index[id]
		if id == 0 {
			name = "Unassigned"
		}
		if !ok {
			i = len(rows)
			index[id] = i
			rows = append(rows, BoardRow{Name: name, Unassigned: id == 0, Days: make([][]jobs.TodayVisit, p.Days)})
		}
		return &rows[i]
	}
	for _, s := range p.Staff {
		row(s.MembershipID, s.Name)
	}
	for _, v := range p.Visits {
		if d := p.day(v); d >= 0 {
			r := row(v.AssigneeID, v.AssigneeName)
			r.Days[d] = append(r.Days[d], v)
		}
	}
	for _, v := range p.Unscheduled {
		r := row(v.AssigneeID, v.AssigneeName)
		r.Unscheduled = append(r.Unscheduled, v)
	}
	row(0, "") // always there, and last
	unassigned := rows[index[0]]
	rows = slices.DeleteFunc(rows, func(r BoardRow) bool { return r.Unassigned })
	return append(rows, unassigned)
}

// URL is the board of the week (days 7) or the day (days 1) that starts at start.
func BoardURL(start time.Time, days int) string {
	q := url.Values{}
	if days == 1 {
		q.Set("day", start.Format("2006-01-02"))
	} else {
		q.Set("week", start.Format("2006-01-02"))
	}
	return "/calendar/board?" + q.Encode()
}

// Here is this board's own address, where a change made from it returns.
func (p BoardPage) Here() string { return BoardURL(p.Start, p.Days) }

// Prev and Next are the board of the week (or day) before and after.
func (p BoardPage) Prev() string { return BoardURL(p.Start.AddDate(0, 0, -p.Days), p.Days) }
func (p BoardPage) Next() string { return BoardURL(p.Start.AddDate(0, 0, p.Days), p.Days) }

// Title names what the board shows: "Week of Mon 23 Nov 2026", or "Thu 26 Nov 2026".
func (p BoardPage) Title() string {
	if p.Days == 1 {
		return p.Start.Format("Mon 2 Jan 2006")
	}
	return "Week of " + p.Start.Format("Mon 2 Jan 2006")
}

// moveURL is a visit's edit form, returning to ret (the board's address, escaped for a query) when saved.
func moveURL(v jobs.TodayVisit, ret string) string {
	return "/jobs/" + strconv.FormatInt(v.JobID, 10) + "/visits/" + strconv.FormatInt(v.ID, 10) + "/edit?return=" + ret
}

// span is a visit's time on the board, in Location: "09:00–11:00".
func (p BoardPage) span(v jobs.TodayVisit) string {
	if v.StartsAt == nil || v.EndsAt == nil {
		return ""
	}
	return v.StartsAt.In(p.Location).Format("15:04") + "–" + v.EndsAt.In(p.Location).Format("15:04")
}
