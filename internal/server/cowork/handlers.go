// Package cowork is the door every logged-in role shares: notifications, tasks, calendar, phonebook and chat. Each
// store query narrows to the viewer's own.
package cowork

import (
	"fieldops/internal/chat"
	"fieldops/internal/server/page"
)

// Handlers answers the co-working routes.
type Handlers struct {
	*page.Kit
	// Hub carries news of chat messages to open chat pages.
	Hub *chat.Hub
}
