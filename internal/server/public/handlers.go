// Package public is the door anyone may use without a company session: the home page, sign-up, login, the
// company switcher, invitations, Job Share dashboards and the health probes.
package public

import (
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
)

// Handlers answers the public routes.
type Handlers struct {
	*page.Kit
	Hasher *identity.Hasher
	// Failed logins per client IP and per email, and failed token lookups (invitation and share links) per
	// client IP, counted in this process.
	LoginsPerIP, LoginsPerEmail, TokensPerIP *identity.FailureLimiter
}
