// Package migrations holds the schema as numbered goose SQL files, embedded in the binary.
package migrations

import "embed"

// FS is every migration, in goose's file naming.
//
//go:embed *.sql
var FS embed.FS
