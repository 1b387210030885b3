package planned

import (
	"errors"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
)

// Building is a client's site where planned jobs happen, with its client.
type Building struct {
	ID         int64
	Name       string
	Address    string
	ClientID   int64
	ClientName string
}

// Choice is an id and a name, for a select.
type Choice struct {
	ID   int64
	Name string
}

// ChoiceLimit is how many buildings or clients a select offers.
const ChoiceLimit = 1000

// QueueBuildings adds the company's buildings (every client's sites), by client and name, at most ChoiceLimit.
func QueueBuildings(b *pgx.Batch, companyID int64, bs *[]Building) {
	b.Queue(`select st.id, st.name, st.address, st.client_id, c.name as client_name
		  from sites st join clients c on c.company_id = st.company_id and c.id = st.client_id
		 where st.company_id = $1 order by c.name, st.name, st.id limit $2`, companyID, ChoiceLimit).Query(func(rows pgx.Rows) (err error) {
		*bs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Building])
		return err
	})
}

// QueueBuilding adds one building with its assets; ErrNotFound when the company has none.
func QueueBuilding(b *pgx.Batch, companyID, siteID int64, bl *Building, assets *[]Asset) {
	b.Queue(`select st.id, st.name, st.address, st.client_id, c.name as client_name
		  from sites st join clients c on c.company_id = st.company_id and c.id = st.client_id
		 where st.company_id = $1 and st.id = $2`, companyID, siteID).Query(func(rows pgx.Rows) (err error) {
		*bl, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Building])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
	QueueAssets(b, companyID, siteID, assets)
}

// QueueClientChoices adds the company's clients by name, at most ChoiceLimit: whom a building may belong to.
func QueueClientChoices(b *pgx.Batch, companyID int64, cs *[]Choice) {
	b.Queue(`select id, name from clients where company_id = $1 order by name, id limit $2`, companyID, ChoiceLimit).
		Query(func(rows pgx.Rows) (err error) {
			*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Choice])
			return err
		})
}

// QueueSuppliers adds the company's connected subcontractors, which may be a planned job's supplier.
func QueueSuppliers(b *pgx.Batch, companyID int64, cs *[]Choice) {
	b.Queue(`select id, name from connections where company_id = $1 and kind = 'subcontractor' and connected_at is not null
		 order by name, id`, companyID).Query(func(rows pgx.Rows) (err error) {
		*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Choice])
		return err
	})
}

// QueueStaff adds the company's active staff, who may be a planned job's assignees.
func QueueStaff(b *pgx.Batch, companyID int64, cs *[]Choice) {
	b.Queue(`select m.id, a.name from memberships m join accounts a on a.id = m.account_id
		 where m.company_id = $1 and m.active and m.role in ('admin', 'co-worker', 'subcontractor') order by a.name, m.id`, companyID).
		Query(func(rows pgx.Rows) (err error) {
			*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Choice])
			return err
		})
}
