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
