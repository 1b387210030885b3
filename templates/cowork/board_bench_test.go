package cowork

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"fieldops/internal/jobs"
	"fieldops/internal/visits"
	"fieldops/templates/layout"
)

// BenchmarkBoardRender draws a busy week — 50 staff, 3,000 visits — without the database: the board's own share of
// a request.
func BenchmarkBoardRender(b *testing.B) {
	loc := time.UTC
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	p := BoardPage{Period: Period{Location: loc, Start: start, Days: 7, Now: start}}
	for i := range 50 {
		p.Staff = append(p.Staff, visits.StaffMember{MembershipID: int64(i + 1), Name: "Staff member " + strconv.Itoa(i)})
	}
	for i := range 3000 {
		s := start.Add(time.Duration(i%7)*24*time.Hour + time.Duration(8+i%9)*time.Hour)
		e := s.Add(time.Hour)
		p.Visits = append(p.Visits, jobs.TodayVisit{ID: int64(i), JobID: int64(i), JobNumber: int64(100000 + i), JobTitle: "Replace the hot water cylinder",
			ClientName: "Harbour View Apartments", JobStatus: jobs.StatusInProgress, AssigneeID: int64(i%50 + 1), StartsAt: &s, EndsAt: &e})
	}
	var size int
	for b.Loop() {
		w := &countWriter{}
		if err := Board(layout.Chrome{Title: "Board"}, p).Render(context.Background(), w); err != nil {
			b.Fatal(err)
		}
		size = w.n
	}
	b.ReportMetric(float64(size), "bytes")
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
