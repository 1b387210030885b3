package planned

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/identity"
)

// SharedJob is what a client or a supplier sees of a planned job: the seed's shared list — locations, interventions
// (assets and tasks), type and description, order date — with its title, building, the share's note, and the
// comments and shared documents. Never cost centre, assignees, internal notifications, internal SLA, gatekeeper or
// customer satisfaction: they are not fields here, so no page, email or file made from it can show them.
type SharedJob struct {
	ID            int64
	Owner         string // the company that shares it
	Title         string
	Type          string
	Description   string
	OrderDate     *time.Time
	Building      string
	Address       string
	Note          string
	Locations     []Location
	Interventions []Intervention
	Comments      []Activity
	Documents     []files.File
}

// ShareForm is what Share sends: with whom, and the note for the client.
type ShareForm struct {
	Client   bool
	Supplier bool
	Note     string
}

// Recipients are whom a share tells: the client's active users (who open it in their portal), or the client's
// contact email when it has none (an invitation goes there), and the supplier's email (who opens it in their company).
type Recipients struct {
	ClientID      int64
	ClientUsers   []string
	ClientContact string
	SupplierEmail string
	Supplier      string
}

// Share shares the planned job with the building's client and/or its supplier, in tx, and returns whom to tell.
// Refused in words when neither is chosen, when the supplier is chosen but the job has none (or it has not
// accepted), or when the note is long; ErrNotFound for another company's planned job. Sharing again with a party
// renews the share (and its note).
func Share(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id int64, f ShareForm) (Recipients, error) {
	var rc Recipients
	f.Note = strings.TrimSpace(f.Note)
	v := &apperr.ValidationError{}
	if !f.Client && !f.Supplier {
		v.Add("share_with", "Choose the client, the supplier, or both.")
	}
	if len([]rune(f.Note)) > 2000 {
		v.Add("note", "Use at most 2,000 characters.")
	}
	if err := v.Err(); err != nil {
		return rc, err
	}
	old, _, err := lock(ctx, tx, companyID, id)
	if err != nil {
		return rc, err
	}
	if err := tx.QueryRow(ctx, `
		select st.client_id, coalesce(c.email::text, ''),
		       coalesce((select array_agg(a.email::text order by a.email) from memberships m join accounts a on a.id = m.account_id
		                  where m.company_id = st.company_id and m.client_id = st.client_id and m.role = 'client' and m.active), '{}'),
		       coalesce((select k.email::text from connections k where k.company_id = $1 and k.id = $3 and k.connected_at is not null), ''),
		       coalesce((select k.name from connections k where k.company_id = $1 and k.id = $3 and k.connected_at is not null), '')
		  from sites st join clients c on c.company_id = st.company_id and c.id = st.client_id
		 where st.company_id = $1 and st.id = $2
		   for share of st`, companyID, old.SiteID, old.SupplierID).Scan(
		&rc.ClientID, &rc.ClientContact, &rc.ClientUsers, &rc.SupplierEmail, &rc.Supplier); err != nil {
		return rc, fmt.Errorf("planned: share: %w", err)
	}
	if f.Supplier && rc.Supplier == "" {
		return rc, apperr.FieldError("share_with", "Choose a connected supplier on the planned job first (Edit), then share it with them.")
	}
	if f.Client && len(rc.ClientUsers) == 0 && rc.ClientContact == "" {
		return rc, apperr.FieldError("share_with", "The building's client has no portal users and no contact email: add one on its record first.")
	}
	parties := map[string]bool{"client": f.Client, "supplier": f.Supplier}
	for _, party := range []string{"client", "supplier"} {
		if !parties[party] {
			continue
		}
		var conn *int64
		if party == "supplier" {
			conn = &old.SupplierID
		}
		if _, err := tx.Exec(ctx, `
			insert into planned_shares (company_id, planned_job_id, party, connection_id, note, shared_by)
			values ($1, $2, $3, $4, $5, $6)
			on conflict (company_id, planned_job_id, party) do update
			   set connection_id = excluded.connection_id, note = excluded.note, shared_by = excluded.shared_by,
			       shared_at = now(), stopped_at = null`, companyID, id, party, conn, f.Note, by.MembershipID); err != nil {
			return rc, fmt.Errorf("planned: share: %w", err)
		}
		if err := record(ctx, tx, companyID, id, "office", by.Name, "history", "Shared with the "+party); err != nil {
			return rc, err
		}
	}
	if !f.Client {
		rc.ClientUsers, rc.ClientContact = nil, ""
	} else if len(rc.ClientUsers) > 0 {
		rc.ClientContact = ""
	}
	if !f.Supplier {
		rc.SupplierEmail, rc.Supplier = "", ""
	}
	return rc, nil
}

// StopSharing ends one party's access at once ("client" or "supplier"); ErrNotFound when it has none.
func StopSharing(ctx context.Context, tx pgx.Tx, companyID int64, by identity.Viewer, id int64, party string) error {
	tag, err := tx.Exec(ctx, `update planned_shares set stopped_at = now()
		 where company_id = $1 and planned_job_id = $2 and party = $3 and stopped_at is null`, companyID, id, party)
	if err != nil {
		return fmt.Errorf("planned: stop sharing: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return record(ctx, tx, companyID, id, "office", by.Name, "history", "Stopped sharing with the "+party)
}

// Comment adds a comment by the office ("office") or the client ("client") on planned job id of the company. The
// caller has checked the job is the company's, and for a client that it is shared with them now (CheckClient).
func Comment(ctx context.Context, tx pgx.Tx, companyID int64, party, author string, id int64, body string) error {
	body, err := checkComment(body)
	if err != nil {
		return err
	}
	return record(ctx, tx, companyID, id, party, author, "comment", body)
}

// checkComment trims a comment (of the office, the client or the supplier) and refuses it empty or past 4,000
// characters.
func checkComment(body string) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return "", apperr.FieldError("body", "Write the comment first.")
	case len([]rune(body)) > 4000:
		return "", apperr.FieldError("body", "Use at most 4,000 characters.")
	}
	return body, nil
}

// History adds a History line to planned job id by party's author (a document added, say).
func History(ctx context.Context, tx pgx.Tx, companyID, id int64, party, author, body string) error {
	return record(ctx, tx, companyID, id, party, author, "history", body)
}

// CheckClient holds nothing but says whether planned job id is shared, live, with clientID's users; ErrNotFound
// otherwise (another client's, not shared, stopped).
func CheckClient(ctx context.Context, tx pgx.Tx, companyID, clientID, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (`+clientShared+`)`, companyID, clientID, id).Scan(&ok); err != nil {
		return fmt.Errorf("planned: client: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	return nil
}

// clientShared matches planned job $3 of company $1 while it is shared with client $2 (its building's client).
const clientShared = `select from planned_jobs p join sites st on st.company_id = p.company_id and st.id = p.site_id
	join planned_shares s on s.company_id = p.company_id and s.planned_job_id = p.id and s.party = 'client' and s.stopped_at is null
	where p.company_id = $1 and st.client_id = $2 and p.id = $3`

// QueueForClient adds the planned job as the client's users see it (the shared fields only); ErrNotFound unless it
// is shared with clientID now.
func QueueForClient(b *pgx.Batch, companyID, clientID, id int64, j *SharedJob) {
	b.Queue(`select p.id, co.name as owner, p.title, p.type, p.description, p.order_date, st.name as building, st.address, s.note
		  from planned_jobs p
		  join companies co on co.id = p.company_id
		  join sites st on st.company_id = p.company_id and st.id = p.site_id
		  join planned_shares s on s.company_id = p.company_id and s.planned_job_id = p.id and s.party = 'client' and s.stopped_at is null
		 where p.company_id = $1 and st.client_id = $2 and p.id = $3`, companyID, clientID, id).Query(func(rows pgx.Rows) error {
		// The items below arrive after this row, so the whole struct may be set here.
		var err error
		*j, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[SharedJob])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	})
	queueItems(b, companyID, id, &j.Locations, &j.Interventions)
	b.Queue(`select party, author_name as author, kind, body, created_at from planned_activity
		 where company_id = $1 and planned_job_id = $2 and kind = 'comment' order by id`, companyID, id).Query(func(rows pgx.Rows) (err error) {
		j.Comments, err = pgx.CollectRows(rows, pgx.RowToStructByName[Activity])
		return err
	})
	files.QueueList(b, companyID, files.Owner{PlannedJobID: id}, true, &j.Documents)
}

// ClientRow is a planned job shared with a client, for its portal list.
type ClientRow struct {
	ID        int64
	Title     string
	Building  string
	OrderDate *time.Time
}

// QueueClientList adds the planned jobs shared with clientID now, newest share first (at most 100).
func QueueClientList(b *pgx.Batch, companyID, clientID int64, rows *[]ClientRow) {
	b.Queue(`select p.id, p.title, st.name as building, p.order_date
		  from planned_shares s
		  join planned_jobs p on p.company_id = s.company_id and p.id = s.planned_job_id
		  join sites st on st.company_id = p.company_id and st.id = p.site_id
		 where s.company_id = $1 and s.party = 'client' and s.stopped_at is null and st.client_id = $2
		 order by s.shared_at desc limit 100`, companyID, clientID).Query(func(r pgx.Rows) (err error) {
		*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[ClientRow])
		return err
	})
}

// ForEmail reads, in tx, the shared fields of planned job id that a share's email tells (title, type, order date,
// building and the newest share's note): the same allow-list as SharedJob.
func ForEmail(ctx context.Context, tx pgx.Tx, companyID, id int64) (SharedJob, error) {
	j := SharedJob{ID: id}
	err := tx.QueryRow(ctx, `
		select co.name, p.title, p.type, p.order_date, st.name, st.address,
		       coalesce((select s.note from planned_shares s where s.company_id = p.company_id and s.planned_job_id = p.id
		                  order by s.shared_at desc limit 1), '')
		  from planned_jobs p join companies co on co.id = p.company_id
		  join sites st on st.company_id = p.company_id and st.id = p.site_id
		 where p.company_id = $1 and p.id = $2`, companyID, id).Scan(&j.Owner, &j.Title, &j.Type, &j.OrderDate, &j.Building, &j.Address, &j.Note)
	if errors.Is(err, pgx.ErrNoRows) {
		return j, apperr.ErrNotFound
	}
	if err != nil {
		return j, fmt.Errorf("planned: email: %w", err)
	}
	return j, nil
}
