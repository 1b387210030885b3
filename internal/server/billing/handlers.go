// Package billing is the office's billing and customer communication: a job's invoices (issue, download, resend,
// dispatches), its text messages, and the outboxes of emails and texts (admins). Admins and co-workers, each within
// their scope of jobs.
package billing

import (
	"net/http"

	"fieldops/internal/server/page"
)

// Handlers answers the billing routes.
type Handlers struct {
	*page.Kit
	// JobChanged ends an action on job id as the job page does: a refusal in words shown on its tab, or else
	// notice on it (the office door's).
	JobChanged func(w http.ResponseWriter, r *http.Request, id int64, err error, tab, notice string)
}
