package planned

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
	"fieldops/internal/identity"
)

// Form is what the planned job form sends.
type Form struct {
	SiteID                int64
	Title                 string
	Type                  string
	Description           string
	OrderDate             string // YYYY-MM-DD, or ""
	CostCentre            string
	InternalNotifications string
	InternalSLA           string
	Gatekeeper            string
	CustomerSatisfaction  string
	SupplierID            int64
	Assignees             []int64
}

// FormOf is the form filled in with p and its assignees.
func FormOf(p PlannedJob, assignees []Assignee) Form {
	f := Form{SiteID: p.SiteID, Title: p.Title, Type: p.Type, Description: p.Description, CostCentre: p.CostCentre,
		InternalNotifications: p.InternalNotifications, InternalSLA: p.InternalSLA, Gatekeeper: p.Gatekeeper,
		CustomerSatisfaction: p.CustomerSatisfaction, SupplierID: p.SupplierID}
	if p.OrderDate != nil {
		f.OrderDate = p.OrderDate.Format(time.DateOnly)
	}
	for _, a := range assignees {
		f.Assignees = append(f.Assignees, a.ID)
	}
	return f
}

// Normalize trims the text fields.
func (f *Form) Normalize() {
	for _, s := range []*string{&f.Title, &f.Type, &f.Description, &f.OrderDate, &f.CostCentre, &f.InternalNotifications,
		&f.InternalSLA, &f.Gatekeeper, &f.CustomerSatisfaction} {
		*s = strings.TrimSpace(*s)
	}
}

func (f Form) orderDate() (*time.Time, bool) {
	if f.OrderDate == "" {
		return nil, true
	}
	d, err := time.Parse(time.DateOnly, f.OrderDate)
	return &d, err == nil
}

// Validate reports a missing title or building, a long field or a date that is not one.
func (f Form) Validate() error {
	v := &apperr.ValidationError{}
	identity.CheckName(v, "title", "a title", f.Title)
	if f.SiteID <= 0 {
		v.Add("site_id", "Choose the building.")
	}
	for _, c := range []struct {
		field, value string
		max          int
	}{{"type", f.Type, 100}, {"description", f.Description, 10000}, {"cost_centre", f.CostCentre, 100},
		{"internal_notifications", f.InternalNotifications, 1000}, {"internal_sla", f.InternalSLA, 200},
		{"gatekeeper", f.Gatekeeper, 200}, {"customer_satisfaction", f.CustomerSatisfaction, 200}} {
		if len([]rune(c.value)) > c.max {
			v.Add(c.field, fmt.Sprintf("Use at most %d characters.", c.max))
		}
	}
	if _, ok := f.orderDate(); !ok {
		v.Add("order_date", "Enter the order date as a date, like 2026-12-01.")
	}
	return v.Err()
}

// Create adds a planned job in tx and returns its id. ErrNotFound for a building, supplier or assignee that is not
// the company's; a ValidationError for what was typed.
func Create(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, f Form) (int64, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return 0, err
	}
	if err := checkRefs(ctx, tx, companyID, f); err != nil {
		return 0, err
	}
	date, _ := f.orderDate()
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into planned_jobs (company_id, site_id, title, type, description, order_date, cost_centre, internal_notifications,
		                          internal_sla, gatekeeper, customer_satisfaction, supplier_id, created_by)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
		companyID, f.SiteID, f.Title, f.Type, f.Description, date, f.CostCentre, f.InternalNotifications, f.InternalSLA,
		f.Gatekeeper, f.CustomerSatisfaction, db.NullID(f.SupplierID), db.NullID(by.MembershipID)).Scan(&id); err != nil {
		return 0, fmt.Errorf("planned: create: %w", err)
	}
	if err := setAssignees(ctx, tx, companyID, id, f.Assignees); err != nil {
		return 0, err
	}
	return id, record(ctx, tx, companyID, id, "office", by.Name, "history", "Planned job created")
}

// checkRefs refuses a building, supplier or assignee that is not the company's (ErrNotFound: a forged id), and a
// supplier that has not accepted (in words).
func checkRefs(ctx context.Context, tx pgx.Tx, companyID int64, f Form) error {
	var site, assignees int
	var supplier *bool
	err := tx.QueryRow(ctx, `
		select (select count(*) from sites where company_id = $1 and id = $2),
		       (select count(*) from memberships where company_id = $1 and id = any($3) and active and role in ('admin', 'co-worker', 'subcontractor')),
		       (select connected_at is not null from connections where company_id = $1 and id = $4 and kind = 'subcontractor')`,
		companyID, f.SiteID, f.Assignees, f.SupplierID).Scan(&site, &assignees, &supplier)
	switch {
	case err != nil:
		return fmt.Errorf("planned: check: %w", err)
	case site != 1 || assignees != len(slices.Compact(slices.Sorted(slices.Values(f.Assignees)))) || (f.SupplierID != 0 && supplier == nil):
		return apperr.ErrNotFound
	case supplier != nil && !*supplier:
		return apperr.FieldError("supplier_id", "This supplier has not accepted your invitation yet: choose them once they have.")
	}
	return nil
}

func setAssignees(ctx context.Context, tx pgx.Tx, companyID, id int64, members []int64) error {
	if _, err := tx.Exec(ctx, `delete from planned_assignees where company_id = $1 and planned_job_id = $2 and not membership_id = any($3)`,
		companyID, id, members); err != nil {
		return fmt.Errorf("planned: assignees: %w", err)
	}
	if _, err := tx.Exec(ctx, `insert into planned_assignees (company_id, planned_job_id, membership_id)
		select $1, $2, unnest($3::bigint[]) on conflict do nothing`, companyID, id, members); err != nil {
		return fmt.Errorf("planned: assignees: %w", err)
	}
	return nil
}

func record(ctx context.Context, tx pgx.Tx, companyID, id int64, party, author, kind, body string) error {
	if _, err := tx.Exec(ctx, `insert into planned_activity (company_id, planned_job_id, party, author_name, kind, body)
		values ($1, $2, $3, left($4, 200), $5, left($6, 4000))`, companyID, id, party, author, kind, body); err != nil {
		return fmt.Errorf("planned: record: %w", err)
	}
	return nil
}

// Check reports, in tx, whether planned job id is the company's (ErrNotFound otherwise), holding nothing.
func Check(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select from planned_jobs where company_id = $1 and id = $2)`, companyID, id).Scan(&ok); err != nil {
		return fmt.Errorf("planned: check: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	return nil
}

// lock holds the planned job in tx and reports whether it is shared; ErrNotFound when the company has none.
func lock(ctx context.Context, tx pgx.Tx, companyID, id int64) (old PlannedJob, shared bool, err error) {
	err = tx.QueryRow(ctx, `
		select p.site_id, p.title, p.type, p.description, p.order_date, p.cost_centre, p.internal_notifications, p.internal_sla,
		       p.gatekeeper, p.customer_satisfaction, coalesce(p.supplier_id, 0)
		  from planned_jobs p where p.company_id = $1 and p.id = $2 for update`, companyID, id).Scan(
		&old.SiteID, &old.Title, &old.Type, &old.Description, &old.OrderDate, &old.CostCentre, &old.InternalNotifications,
		&old.InternalSLA, &old.Gatekeeper, &old.CustomerSatisfaction, &old.SupplierID)
	if errors.Is(err, pgx.ErrNoRows) {
		return old, false, apperr.ErrNotFound
	}
	if err != nil {
		return old, false, fmt.Errorf("planned: lock: %w", err)
	}
	// A statement of its own, after the lock: its snapshot sees a share committed while this one waited for the row.
	if err := tx.QueryRow(ctx, `select exists (select from planned_shares s where s.company_id = $1 and s.planned_job_id = $2 and s.stopped_at is null)`,
		companyID, id).Scan(&shared); err != nil {
		return old, false, fmt.Errorf("planned: lock: %w", err)
	}
	return old, shared, nil
}

// Editable are the fields that may change while the planned job is shared (the seed's list; documents too).
var Editable = []string{"title", "description", "supplier_id", "cost_centre", "assignees"}

// errShared refuses a change to a locked field of a shared planned job (409, in words).
func errShared(what string) error {
	return apperr.Conflict(sharedRefusal(what))
}

func sharedRefusal(what string) string {
	return "This planned job is shared, so its " + what + " cannot change: Stop sharing to edit it, then share it again."
}

// Update saves the form, all but its building (Move changes that: a form opened before a move must not move the
// job back). While the planned job is shared only title, description, supplier, cost centre and assignees may
// change: any other field that differs is refused (409, naming it) and nothing is saved.
func Update(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id int64, f Form) error {
	f.Normalize()
	old, shared, err := lock(ctx, tx, companyID, id)
	if err != nil {
		return err
	}
	f.SiteID = old.SiteID
	if err := f.Validate(); err != nil {
		return err
	}
	if err := checkRefs(ctx, tx, companyID, f); err != nil {
		return err
	}
	date, _ := f.orderDate()
	if shared {
		sameDate := (date == nil) == (old.OrderDate == nil) && (date == nil || date.Equal(*old.OrderDate))
		for _, c := range []struct {
			what    string
			changed bool
		}{{"type", f.Type != old.Type}, {"order date", !sameDate},
			{"internal notifications", f.InternalNotifications != old.InternalNotifications}, {"internal SLA", f.InternalSLA != old.InternalSLA},
			{"gatekeeper", f.Gatekeeper != old.Gatekeeper}, {"customer satisfaction", f.CustomerSatisfaction != old.CustomerSatisfaction}} {
			if c.changed {
				return errShared(c.what)
			}
		}
	}
	if _, err := tx.Exec(ctx, `
		update planned_jobs set title = $3, type = $4, description = $5, order_date = $6, cost_centre = $7,
		       internal_notifications = $8, internal_sla = $9, gatekeeper = $10, customer_satisfaction = $11, supplier_id = $12,
		       updated_at = now()
		 where company_id = $1 and id = $2`, companyID, id, f.Title, f.Type, f.Description, date, f.CostCentre,
		f.InternalNotifications, f.InternalSLA, f.Gatekeeper, f.CustomerSatisfaction, db.NullID(f.SupplierID)); err != nil {
		return fmt.Errorf("planned: update: %w", err)
	}
	if err := setAssignees(ctx, tx, companyID, id, f.Assignees); err != nil {
		return err
	}
	// Another supplier: the old one's access ends now; sharing with the new one is the office's own step.
	if f.SupplierID != old.SupplierID {
		tag, err := tx.Exec(ctx, `update planned_shares set stopped_at = now()
			 where company_id = $1 and planned_job_id = $2 and party = 'supplier' and stopped_at is null`, companyID, id)
		if err != nil {
			return fmt.Errorf("planned: update: %w", err)
		}
		if tag.RowsAffected() > 0 {
			if err := record(ctx, tx, companyID, id, "office", by.Name, "history", "Stopped sharing with the supplier: the supplier changed"); err != nil {
				return err
			}
		}
	}
	return record(ctx, tx, companyID, id, "office", by.Name, "history", "Planned job edited")
}

// Move puts planned job id in another of the company's buildings (siteID), and reports whether it moved (not when
// it is there already). Refused while MoveRefusal says so (409, in words); ErrNotFound for a building that is not
// the company's.
func Move(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id, siteID int64) (moved bool, err error) {
	old, shared, err := lock(ctx, tx, companyID, id)
	if err != nil || siteID == old.SiteID {
		return false, err
	}
	var items bool
	if err := tx.QueryRow(ctx, `select exists (select from planned_locations where company_id = $1 and planned_job_id = $2)
		or exists (select from planned_interventions where company_id = $1 and planned_job_id = $2)`, companyID, id).Scan(&items); err != nil {
		return false, fmt.Errorf("planned: move: %w", err)
	}
	if why := MoveRefusal(shared, items); why != "" {
		return false, apperr.Conflict(why)
	}
	var building string
	err = tx.QueryRow(ctx, `
		update planned_jobs p set site_id = st.id, updated_at = now() from sites st
		 where p.company_id = $1 and p.id = $2 and st.company_id = $1 and st.id = $3 returning st.name`, companyID, id, siteID).Scan(&building)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, apperr.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("planned: move: %w", err)
	}
	return true, record(ctx, tx, companyID, id, "office", by.Name, "history", "Moved to the building "+building)
}

// MoveRefusal says why a planned job cannot move to another building now, or "" when it can: not while it is shared
// (its building is), nor while it has locations or interventions (they are in the building it is in, and on its
// assets).
func MoveRefusal(shared, items bool) string {
	switch {
	case shared:
		return sharedRefusal("building")
	case items:
		return "Its locations and interventions are in the building it is in: remove them first, then move it."
	}
	return ""
}

// AddLocation adds a location within the building; refused while shared (409) or when empty or long (422).
func AddLocation(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id int64, name string) error {
	name = strings.TrimSpace(name)
	v := &apperr.ValidationError{}
	identity.CheckName(v, "location", "the location", name)
	if err := v.Err(); err != nil {
		return err
	}
	if _, shared, err := lock(ctx, tx, companyID, id); err != nil {
		return err
	} else if shared {
		return errShared("locations")
	}
	if _, err := tx.Exec(ctx, `insert into planned_locations (company_id, planned_job_id, name) values ($1, $2, $3)`, companyID, id, name); err != nil {
		return fmt.Errorf("planned: location: %w", err)
	}
	return record(ctx, tx, companyID, id, "office", by.Name, "history", "Location added: "+name)
}

// AddIntervention adds a task on one of the building's assets; refused while shared (409), for an asset of another
// building (ErrNotFound) or an empty task (422).
func AddIntervention(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id, assetID int64, task string) error {
	task = strings.TrimSpace(task)
	v := &apperr.ValidationError{}
	switch {
	case task == "":
		v.Add("task", "Say what is to be done.")
	case len([]rune(task)) > 500:
		v.Add("task", "Use at most 500 characters.")
	}
	if assetID <= 0 {
		v.Add("asset_id", "Choose the asset.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, shared, err := lock(ctx, tx, companyID, id); err != nil {
		return err
	} else if shared {
		return errShared("interventions")
	}
	tag, err := tx.Exec(ctx, `
		insert into planned_interventions (company_id, planned_job_id, asset_id, task)
		select $1, $2, a.id, $4 from assets a join planned_jobs p on p.company_id = a.company_id and p.site_id = a.site_id
		 where a.company_id = $1 and p.id = $2 and a.id = $3`, companyID, id, assetID, task)
	if err != nil {
		return fmt.Errorf("planned: intervention: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return record(ctx, tx, companyID, id, "office", by.Name, "history", "Intervention added: "+task)
}

// RemoveItem removes a location or an intervention ("location", "intervention"); refused while shared.
func RemoveItem(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id int64, kind string, itemID int64) error {
	table := map[string]string{"location": "planned_locations", "intervention": "planned_interventions"}[kind]
	if table == "" {
		return apperr.ErrNotFound
	}
	if _, shared, err := lock(ctx, tx, companyID, id); err != nil {
		return err
	} else if shared {
		return errShared(kind + "s")
	}
	tag, err := tx.Exec(ctx, `delete from `+table+` where company_id = $1 and planned_job_id = $2 and id = $3`, companyID, id, itemID)
	if err != nil {
		return fmt.Errorf("planned: remove: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return record(ctx, tx, companyID, id, "office", by.Name, "history", "A "+kind+" removed")
}

// AddAsset adds an asset to a building (a site); ErrNotFound for another company's.
func AddAsset(ctx context.Context, tx pgx.Tx, companyID, siteID int64, name string) error {
	name = strings.TrimSpace(name)
	v := &apperr.ValidationError{}
	identity.CheckName(v, "asset", "the asset's name", name)
	if err := v.Err(); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `insert into assets (company_id, site_id, name) select $1, id, $3 from sites where company_id = $1 and id = $2`,
		companyID, siteID, name)
	if err != nil {
		return fmt.Errorf("planned: asset: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// SetBuildingClient moves a building (a site) to another client of the company: its planned jobs are then shared
// with that client. Refused while one of its planned jobs is shared with the old client (409).
func SetBuildingClient(ctx context.Context, tx pgx.Tx, companyID, siteID, clientID int64) error {
	// The site is held first, so a Share (which reads it for share) cannot slip in between the check and the move.
	if _, err := tx.Exec(ctx, `select from sites where company_id = $1 and id = $2 for update`, companyID, siteID); err != nil {
		return fmt.Errorf("planned: building: %w", err)
	}
	var shared bool
	err := tx.QueryRow(ctx, `select exists (select from planned_shares s join planned_jobs p on p.company_id = s.company_id and p.id = s.planned_job_id
		 where s.company_id = $1 and p.site_id = $2 and s.party = 'client' and s.stopped_at is null)`, companyID, siteID).Scan(&shared)
	if err != nil {
		return fmt.Errorf("planned: building: %w", err)
	}
	if shared {
		return fmt.Errorf("%w: %w", apperr.ErrConflict, &apperr.ValidationError{
			Form: "A planned job in this building is shared with its client: stop sharing it before moving the building to another client."})
	}
	tag, err := tx.Exec(ctx, `update sites set client_id = c.id from clients c
		 where sites.company_id = $1 and sites.id = $2 and c.company_id = $1 and c.id = $3`, companyID, siteID, clientID)
	if err != nil {
		return fmt.Errorf("planned: building: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
