package jobs

import (
	"fieldops/internal/identity"
)

// MarksSeen says whether opening the job as role is the office seeing what the client sent — a job raised in the
// portal, or their reply on it: it then leaves From clients and the Jobs badge. Only admins and co-workers count; a client user opening their own job does not.
func (j Job) MarksSeen(role identity.Role) bool {
	return !j.Seen && role.IsOffice()
}

// ForClient is lines as a client user with perms may see them: never unit costs, and sale prices only with View
// sale price. It clears the fields rather than leaving it to the page, so what must not show never reaches it.
func ForClient(lines []Line, perms identity.Permissions) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.UnitCostCents = 0
		if !perms.ViewPrices {
			l.UnitPriceCents = 0
		}
		out[i] = l
	}
	return out
}
