// Package cowork is the door every logged-in role shares: notifications now; tasks, calendar, phonebook and chat
// as they are built. Each store query narrows to the viewer's own.
package cowork

import "fieldops/internal/server/page"

// Handlers answers the co-working routes.
type Handlers struct{ *page.Kit }
