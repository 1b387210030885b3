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
	// Hasher hashes and checks passwords (argon2id).
	Hasher *identity.Hasher
	// Password guesses, counted before hashing (identity.LoginLimits).
	Logins identity.LoginLimits
	// Failed token lookups (invitation, share, verification and reset links) per client IP; sign-ups per client
	// IP; password-reset requests per client IP and per email. All counted in this process.
	TokensPerIP, SignupsPerIP, ResetsPerIP, ResetsPerEmail *identity.FailureLimiter
	// Resent verification emails per account.
	VerifiesPerAccount *identity.FailureLimiter
	// SMSWebhookSecret checks the SMS provider's signature on inbound texts; empty turns the webhook off.
	SMSWebhookSecret string
}
