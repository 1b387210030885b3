package clients

import (
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/input"
)

// PageSize is how many clients a page of the list shows.
const PageSize = 50

// ListFilter is a page of the client list: a search, and a keyset cursor (a client id) to page after or before.
type ListFilter struct {
	Q      string
	After  int64
	Before int64
}

// Validate reports a search that is too long.
func (f ListFilter) Validate() error {
	v := &apperr.ValidationError{}
	input.CheckSearch(v, "q", f.Q, input.MaxSearchLen)
	return v.Err()
}

// ListRow is one client of the list.
type ListRow struct {
	ID       int64
	Name     string
	Email    string
	Phone    string
	Sites    int
	JobShare bool
}

// ListPage is one page of the list, in display order (by name).
type ListPage struct {
	Rows []ListRow
	// More says there are clients beyond this page in the direction of travel (after it, or before it when the
	// page was asked for with Before).
	More bool
}

// QueueList adds a page of the client list, by name. Search matches name, email or phone, case-insensitively, with
// % and _ taken literally. A cursor naming no visible client gives an empty page.
func QueueList(b *pgx.Batch, companyID int64, scope Scope, f ListFilter, page *ListPage) {
	cursor, cmp, order := f.After, ">", "asc"
	if f.Before != 0 {
		cursor, cmp, order = f.Before, "<", "desc"
	}
	b.Queue(`
		select c.id, c.name, coalesce(c.email::text, '') as email, coalesce(c.phone, '') as phone,
		       (select count(*) from sites s where s.company_id = c.company_id and s.client_id = c.id)::int as sites,
		       c.job_share
		  from clients c
		 where c.company_id = $1 and `+scopeSQL(2)+`
		   and ($3 = '' or (c.name || ' ' || coalesce(c.email::text, '') || ' ' || coalesce(c.phone, '')) ilike '%' || $3 || '%')
		   and ($4::bigint = 0 or (c.name, c.id) `+cmp+` (select k.name, k.id from clients k where k.company_id = $1 and k.id = $4))
		 order by c.name `+order+`, c.id `+order+`
		 limit $5`,
		companyID, scope.param(), input.EscapeLike(strings.TrimSpace(f.Q)), cursor, PageSize+1).Query(func(r pgx.Rows) (err error) {
		rows, err := pgx.CollectRows(r, pgx.RowToStructByName[ListRow])
		if page.More = len(rows) > PageSize; page.More {
			rows = rows[:PageSize]
		}
		if f.Before != 0 {
			slices.Reverse(rows)
		}
		page.Rows = rows
		return err
	})
}
