package planned

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
)

// SupplierRow is a planned job another company shares with this one as its supplier.
type SupplierRow struct {
	OwnerID   int64
	ID        int64
	OwnerName string
	Title     string
	Type      string
	OrderDate *time.Time
	SharedAt  time.Time
}

// QueueSupplierList adds the planned jobs shared with the company of the batch as a supplier (the definer reads
// them from the sharing companies).
func QueueSupplierList(b *pgx.Batch, rows *[]SupplierRow) {
	b.Queue(`select owner_id, id, owner_name, title, type, order_date, shared_at from planned_shared_list()`).
		Query(func(r pgx.Rows) (err error) {
			*rows, err = pgx.CollectRows(r, pgx.RowToStructByName[SupplierRow])
			return err
		})
}

// QueueForSupplier adds owner's planned job id as its supplier (the company of the batch) sees it: the same shared
// fields as a client's, through planned_shared_job, the one allow-list for another company. ErrNotFound unless it is
// shared with this company now.
func QueueForSupplier(b *pgx.Batch, owner, id int64, j *SharedJob) {
	b.Queue(`select owner_name as owner, title, type, description, order_date, building, address, note from planned_shared_job($1, $2)`,
		owner, id).Query(func(rows pgx.Rows) error {
		var err error
		*j, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[SharedJob])
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		j.ID = id
		return err
	})
	b.Queue(`select kind, id, label, detail, at from planned_shared_items($1, $2)`, owner, id).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var kind, label, detail string
			var itemID int64
			var at *time.Time
			if err := rows.Scan(&kind, &itemID, &label, &detail, &at); err != nil {
				return err
			}
			switch kind {
			case "location":
				j.Locations = append(j.Locations, Location{ID: itemID, Name: label})
			case "intervention":
				j.Interventions = append(j.Interventions, Intervention{ID: itemID, AssetName: label, Task: detail})
			case "comment":
				j.Comments = append(j.Comments, Activity{Author: label, Kind: "comment", Body: detail, CreatedAt: *at})
			case "document":
				j.Documents = append(j.Documents, files.File{ID: itemID, Name: label, ContentType: detail, CreatedAt: *at, VisibleToClient: true})
			}
		}
		return rows.Err()
	})
}

// SupplierComment adds the supplier's comment (author: the person) on owner's planned job id, in tx (the
// supplier's company). ErrNotFound unless it is shared with the supplier now.
func SupplierComment(ctx context.Context, tx pgx.Tx, owner, id int64, author, body string) error {
	body, err := checkComment(body)
	if err != nil {
		return err
	}
	var ok bool
	if err := tx.QueryRow(ctx, `select planned_shared_comment($1, $2, $3, $4)`, owner, id, author, body).Scan(&ok); err != nil {
		return fmt.Errorf("planned: supplier comment: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	return nil
}

// SupplierDocument stores the supplier's document (checked as any upload) on owner's planned job id, in tx.
// ErrNotFound unless it is shared with the supplier now; a ValidationError on "file" for a refused file.
func SupplierDocument(ctx context.Context, tx pgx.Tx, owner, id int64, author string, u files.Upload) error {
	name, ct, err := files.Check(u)
	if err != nil {
		return err
	}
	var fileID *int64
	if err := tx.QueryRow(ctx, `select planned_shared_document($1, $2, $3, $4, $5, $6)`, owner, id, author, name, ct, u.Data).Scan(&fileID); err != nil {
		return fmt.Errorf("planned: supplier document: %w", err)
	}
	if fileID == nil {
		return apperr.ErrNotFound
	}
	return nil
}

// SupplierFile reads a shared document of owner's planned job id for its supplier; ErrNotFound otherwise.
func SupplierFile(ctx context.Context, tx pgx.Tx, owner, id, fileID int64) (files.File, []byte, error) {
	var f files.File
	var data []byte
	err := tx.QueryRow(ctx, `select name, content_type, data from planned_shared_file($1, $2, $3)`, owner, id, fileID).Scan(&f.Name, &f.ContentType, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil, apperr.ErrNotFound
	}
	if err != nil {
		return f, nil, fmt.Errorf("planned: supplier file: %w", err)
	}
	f.ID, f.Size = fileID, int64(len(data))
	return f, data, nil
}
