package office

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/connections"
	"fieldops/internal/jobs"
)

// JobAssign gives the job to a connected subcontractor (Assign to subcontractor): it appears in their company at
// once; a refusal is shown on the Details tab with the form as typed.
func (h *Handlers) JobAssign(w http.ResponseWriter, r *http.Request) {
	f := connections.AssignForm{Agreed: r.PostFormValue("agreed")}
	f.ConnectionID, _ = strconv.ParseInt(r.PostFormValue("connection_id"), 10, 64)
	h.inJob(w, r, jobState{assign: f}, "Assigned: the job is in the subcontractor's list now.",
		func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
			return connections.Assign(r.Context(), tx, co, scope, by, id, f)
		})
}

// JobWithdraw takes the job back from its subcontractor: it is gone from their company at once.
func (h *Handlers) JobWithdraw(w http.ResponseWriter, r *http.Request) {
	h.inJob(w, r, jobState{}, "Withdrawn: the subcontractor no longer has the job.",
		func(tx pgx.Tx, co int64, scope jobs.Scope, by jobs.Actor, id int64) error {
			return connections.Withdraw(r.Context(), tx, co, scope, by, id)
		})
}
