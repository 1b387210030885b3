// Package web holds the static assets (CSS, vendored htmx), embedded in the binary and served under /static/.
package web

import "embed"

// Static is the static/ folder.
//
//go:embed static
var Static embed.FS
