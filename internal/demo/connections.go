package demo

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/identity"
)

// SubcontractorName is the demo company's connected subcontractor, a fieldops company of its own.
const SubcontractorName = "Kauri Sparks Ltd"

// SubcontractorLogin is its admin.
var SubcontractorLogin = Login{Email: "kai@kaurisparks.example", Name: "Kai Tane", Role: identity.RoleAdmin}

// seedConnections connects the demo company to its subcontractor firm (with Kai as that firm's admin) and assigns it
// one open job for an agreed price, with a visit booked on the firm's side — through the same definer functions
// the app uses, so what the firm got is exactly what an assignment copies.
func seedConnections(ctx context.Context, tx pgx.Tx, companyID int64, hash string) error {
	var firm int64
	if err := tx.QueryRow(ctx, `insert into companies (name, seats, time_zone, currency, verified_at)
		values ($1, 5, 'Pacific/Auckland', 'NZD', now()) returning id`, SubcontractorName).Scan(&firm); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		with a as (insert into accounts (email, name, password_hash) values ($1, $2, $3)
		           on conflict (email) do update set name = excluded.name returning id)
		insert into memberships (company_id, account_id, role) select $4, a.id, 'admin' from a`,
		SubcontractorLogin.Email, SubcontractorLogin.Name, hash, firm); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `select connect_pair($1, null, $2, null, $3)`, companyID, firm, Logins[0].Email); err != nil {
		return err
	}
	// assign_job acts only for the company of the transaction, as it does for the app.
	if _, err := tx.Exec(ctx, `select set_config('app.company_id', $1, true)`, strconv.FormatInt(companyID, 10)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		select assign_job($1, j.id, k.id, 45000)
		  from (select id from jobs where company_id = $1 and status = 'open-dispatch' and parent_id is null order by id limit 1) j,
		       connections k
		 where k.company_id = $1 and k.peer_company_id = $2`, companyID, firm); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		insert into visits (company_id, job_id, starts_at, ends_at)
		select $1, j.id, date_trunc('day', now() at time zone 'Pacific/Auckland') at time zone 'Pacific/Auckland' + interval '1 day 9 hours',
		       date_trunc('day', now() at time zone 'Pacific/Auckland') at time zone 'Pacific/Auckland' + interval '1 day 11 hours'
		  from jobs j where j.company_id = $1`, firm)
	return err
}

// seedPlanned adds a planned maintenance order in Harbour View's first building — two assets, a location, two
// interventions, the office's own fields filled in — shared with Harbour View (Fran sees it in the portal) and with
// Kauri Sparks as its supplier, with a comment from each.
func seedPlanned(ctx context.Context, tx pgx.Tx, companyID, admin int64) error {
	var id int64
	err := tx.QueryRow(ctx, `
		with st as (select s.id from sites s join clients c on c.company_id = s.company_id and c.id = s.client_id
		             where s.company_id = $1 and c.name = $2 order by s.id limit 1),
		     a as (insert into assets (company_id, site_id, name) select $1, st.id, n from st, unnest(array['Boiler 1', 'Hot water cylinder B']) n returning id, name)
		insert into planned_jobs (company_id, site_id, title, type, description, order_date, cost_centre, internal_notifications,
		                          internal_sla, gatekeeper, customer_satisfaction, supplier_id, created_by)
		select $1, st.id, 'Annual boiler service', 'Preventive', 'Service the boiler and check the hot water cylinders before winter.',
		       current_date + 14, 'CC-410 Harbour', 'Alex, Cora', 'Done within 5 working days', 'Building manager signs off', 'Not rated yet',
		       (select id from connections where company_id = $1 and kind = 'subcontractor' limit 1), $3
		  from st returning id`, companyID, demoClients[0].Name, admin).Scan(&id)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		with l as (insert into planned_locations (company_id, planned_job_id, name) values ($1, $2, 'Plant room, basement')),
		     i as (insert into planned_interventions (company_id, planned_job_id, asset_id, task)
		           select $1, $2, a.id, case a.name when 'Boiler 1' then 'Annual service and flue test' else 'Check the anode and thermostat' end
		             from assets a join planned_jobs p on p.company_id = a.company_id and p.site_id = a.site_id where p.company_id = $1 and p.id = $2),
		     s as (insert into planned_shares (company_id, planned_job_id, party, connection_id, note, shared_by)
		           select $1::bigint, $2::bigint, 'client', null::bigint, 'We will need access to the plant room for most of the day.', $3::bigint
		           union all
		           select $1, $2, 'supplier', p.supplier_id, '', $3::bigint from planned_jobs p where p.company_id = $1 and p.id = $2 and p.supplier_id is not null)
		insert into planned_activity (company_id, planned_job_id, party, author_name, kind, body)
		values ($1, $2, 'office', 'Alex Admin', 'history', 'Shared with the client and the supplier'),
		       ($1, $2, 'client', $4 || ' (' || $5 || ')', 'comment', 'The caretaker can open the plant room from 7am.'),
		       ($1, $2, 'supplier', $6 || ' (' || $7 || ')', 'comment', 'Parts for the flue test are ordered.')`,
		companyID, id, admin, PortalLogin.Name, demoClients[0].Name, SubcontractorLogin.Name, SubcontractorName)
	return err
}
