package planned

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/input"
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

// PickLimit is how many buildings or clients a search shows; More says there are others, and typing narrows them.
const PickLimit = 50

// QueueFindBuildings adds the company's buildings (every client's sites) whose name, address or client's name holds
// q (% and _ taken literally; all of them for ""), by client and name: at most PickLimit, more set when there are
// others. The caller has checked q's length (input.CheckSearch).
func QueueFindBuildings(b *pgx.Batch, companyID int64, q string, bs *[]Building, more *bool) {
	b.Queue(`select st.id, st.name, st.address, st.client_id, c.name as client_name
		  from sites st join clients c on c.company_id = st.company_id and c.id = st.client_id
		 where st.company_id = $1
		   and ($2 = '' or (st.name || ' ' || st.address || ' ' || c.name) ilike '%' || $2 || '%')
		 order by c.name, st.name, st.id limit $3`, companyID, input.EscapeLike(strings.TrimSpace(q)), PickLimit+1).
		Query(func(rows pgx.Rows) (err error) {
			*bs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Building])
			if *more = len(*bs) > PickLimit; *more {
				*bs = (*bs)[:PickLimit]
			}
			return err
		})
}

// QueueBuilding adds one building; ErrNotFound when the company has none.
func QueueBuilding(b *pgx.Batch, companyID, siteID int64, bl *Building) {
	b.Queue(`select st.id, st.name, st.address, st.client_id, c.name as client_name
		  from sites st join clients c on c.company_id = st.company_id and c.id = st.client_id
		 where st.company_id = $1 and st.id = $2`, companyID, siteID).Query(func(rows pgx.Rows) (err error) {
		*bl, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Building])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
}

// QueueClientChoices adds whom building site may belong to: its client first, then the company's clients whose
// name holds q, by name — at most PickLimit, more set when there are others.
func QueueClientChoices(b *pgx.Batch, companyID, siteID int64, q string, cs *[]Choice, more *bool) {
	b.Queue(`select c.id, c.name from clients c
		 where c.company_id = $1
		   and (c.id = (select client_id from sites where company_id = $1 and id = $2) or c.name ilike '%' || $3 || '%')
		 order by c.id = (select client_id from sites where company_id = $1 and id = $2) desc, c.name, c.id limit $4`,
		companyID, siteID, input.EscapeLike(strings.TrimSpace(q)), PickLimit+1).
		Query(func(rows pgx.Rows) (err error) {
			*cs, err = pgx.CollectRows(rows, pgx.RowToStructByName[Choice])
			if *more = len(*cs) > PickLimit; *more {
				*cs = (*cs)[:PickLimit]
			}
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
