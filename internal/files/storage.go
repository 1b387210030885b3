package files

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
)

// Variant is which bytes of a file: the original or its thumbnail.
type Variant string

// The variants of a file.
const (
	Original  Variant = "original"
	Thumbnail Variant = "thumbnail"
)

// Storage keeps the bytes of files. Put runs inside the transaction that records the file, so a file is stored
// with its record or not at all; an object store would instead write first and delete on rollback.
type Storage interface {
	Put(ctx context.Context, tx pgx.Tx, companyID, fileID int64, v Variant, data []byte) error
	Get(ctx context.Context, companyID, fileID int64, v Variant) ([]byte, error)
}

// Postgres stores bytes in the file_blobs table, under the same Row-Level Security as everything else.
type Postgres struct{ DB *db.DB }

// Put stores data.
func (p Postgres) Put(ctx context.Context, tx pgx.Tx, companyID, fileID int64, v Variant, data []byte) error {
	if _, err := tx.Exec(ctx, `insert into file_blobs (company_id, file_id, variant, data) values ($1, $2, $3, $4)`,
		companyID, fileID, v, data); err != nil {
		return fmt.Errorf("files: store: %w", err)
	}
	return nil
}

// Get reads data; ErrNotFound when there is none.
func (p Postgres) Get(ctx context.Context, companyID, fileID int64, v Variant) ([]byte, error) {
	var data []byte
	err := p.DB.Read(ctx, companyID, func(b *pgx.Batch) {
		b.Queue(`select data from file_blobs where company_id = $1 and file_id = $2 and variant = $3`, companyID, fileID, v).
			QueryRow(func(row pgx.Row) error { return row.Scan(&data) })
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	return data, err
}
