package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/visits"
)

var demoTitles = []string{
	"Replace hot water cylinder", "Blocked drain in kitchen", "Install heat pump", "Rewire switchboard",
	"Annual backflow test", "Leaking roof above stairwell", "Fit new vanity and taps", "Fault-find tripping RCD",
	"Service commercial dishwasher", "Install outdoor lighting", "Replace burst pipe", "Smoke alarm check",
}

var demoNotes = []string{
	"Gate code is 4821. Dog is friendly.", "Client asked for a call 30 minutes before arrival.",
	"Parts ordered from the supplier, due Thursday.", "Access through the loading dock only.",
}

// seedJobs gives the demo company about 60 jobs in every status, with visits around today (in Auckland), lines,
// notes, a photo or two, subjobs and a recall: through the jobs package, so History reads as it would in use.
func seedJobs(ctx context.Context, tx pgx.Tx, companyID int64, staff []int64) error {
	by := jobs.Actor{MembershipID: staff[0], Name: Logins[0].Name}
	all := jobs.Everything
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		return err
	}
	type place struct{ client, site int64 }
	rows, _ := tx.Query(ctx, `select c.id, coalesce(min(s.id), 0) from clients c left join sites s on s.company_id = c.company_id and s.client_id = c.id
		where c.company_id = $1 group by c.id order by c.id`, companyID)
	places, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (p place, err error) { return p, r.Scan(&p.client, &p.site) })
	if err != nil {
		return err
	}
	today := time.Now().In(loc)
	photo := demoPhoto()
	var first int64
	for i := range 60 {
		p := places[i%len(places)]
		id, _, err := jobs.Create(ctx, tx, companyID, all, by, jobs.Form{ClientID: p.client, SiteID: p.site,
			Title: demoTitles[i%len(demoTitles)], Description: "Seeded demo job."}, nil)
		if err != nil {
			return err
		}
		if first == 0 {
			first = id
		}
		for v := range 1 + i%3 {
			day := today.AddDate(0, 0, (i+v*2)%9-4)
			f := visits.Form{
				Start: time.Date(day.Year(), day.Month(), day.Day(), 8+(i+v)%8, 0, 0, 0, loc).Format(visits.LocalTimeLayout),
				End:   time.Date(day.Year(), day.Month(), day.Day(), 10+(i+v)%8, 0, 0, 0, loc).Format(visits.LocalTimeLayout),
			}
			if (i+v)%5 != 0 {
				f.AssigneeID = staff[1+(i+v)%(len(staff)-1)]
			}
			if i%11 == 0 && v == 0 {
				f.Start, f.End = "", "" // unscheduled
			}
			if _, err := visits.Add(ctx, tx, companyID, all, by, id, f, loc); err != nil {
				return err
			}
		}
		lines := []jobs.LineForm{
			{Description: "Labour", Quantity: fmt.Sprint(1 + i%4), UnitCost: "45", UnitPrice: "95"},
			{Description: "Call-out fee", Quantity: "1", UnitCost: "0", UnitPrice: "65"},
			{Description: "Parts and fittings", Quantity: fmt.Sprint(1 + i%3), UnitCost: "18.40", UnitPrice: "32.50"},
		}
		for _, l := range lines[:1+i%3] {
			if _, err := jobs.AddLine(ctx, tx, companyID, all, by, id, l, true); err != nil {
				return err
			}
		}
		if i%3 == 0 {
			if _, err := jobs.AddMessage(ctx, tx, companyID, all, by, id, demoNotes[i%len(demoNotes)], i%2 == 0); err != nil {
				return err
			}
		}
		if i%10 == 0 {
			u := files.Upload{Name: "before-work.png", Data: photo, VisibleToClient: true}
			if _, err := jobs.AddFile(ctx, tx, files.Postgres{}, companyID, all, by, id, u); err != nil {
				return err
			}
		}
		// Spread over the workflow; every seventh deferred.
		status := jobs.Workflow[i%len(jobs.Workflow)]
		if status != jobs.StatusOpenDispatch {
			if err := jobs.SetStatus(ctx, tx, companyID, all, by, id, status); err != nil {
				return err
			}
		}
		if i%7 == 6 {
			if err := jobs.Defer(ctx, tx, companyID, all, by, id); err != nil {
				return err
			}
		}
	}
	// Staged billing on the first job, and a warranty recall of it.
	for _, stage := range []string{"Stage 1 — 20 % on day 1", "Stage 2 — 20 % on day 3", "Stage 3 — 60 % on day 5"} {
		sub, _, err := jobs.CreateSubjob(ctx, tx, companyID, all, by, first, stage, nil)
		if err != nil {
			return err
		}
		if _, err := jobs.AddLine(ctx, tx, companyID, all, by, sub, jobs.LineForm{Description: stage, Quantity: "1", UnitPrice: "480"}, true); err != nil {
			return err
		}
	}
	_, err = jobs.LinkRecall(ctx, tx, companyID, all, by, first, "", nil)
	return err
}

// demoPhoto is a small striped PNG standing in for a site photo.
func demoPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 320))
	for y := range 320 {
		for x := range 480 {
			img.Set(x, y, color.RGBA{uint8(60 + y/4), uint8(110 + (x/40)%2*40), 170, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
