// Package office is the door of the firm's staff: jobs, clients, staff, files, the outbox, settings, Job Share
// and Job Share Plus. Each store query narrows to what the viewer's role may see.
package office

import "fieldops/internal/server/page"

// Handlers answers the office routes.
type Handlers struct{ *page.Kit }
