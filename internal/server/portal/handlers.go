// Package portal is the door of client users (Job Share Plus): their client's jobs, with the permissions the
// firm gave them.
package portal

import "fieldops/internal/server/page"

// Handlers answers the portal routes.
type Handlers struct{ *page.Kit }
