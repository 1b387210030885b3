package office

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/notify"
	"fieldops/internal/server/page"
)

// ClientPushOn saves the viewing admin's Push on for the client: the areas whose activity they are notified of.
func (h *Handlers) ClientPushOn(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return notify.SetPushOn(r.Context(), tx, v.CompanyID, v.MembershipID, notify.Target{ClientID: id}, page.AreasTicked(r, "push_"))
	})
	h.Done(w, r, err, clientPath(id), "Push on saved.")
}

// StaffNotifications saves a person's notification settings, as their admin.
func (h *Handlers) StaffNotifications(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return notify.SetDigests(r.Context(), tx, v.CompanyID, id, page.AreasTicked(r, "digest_"))
	})
	h.Done(w, r, err, "/staff/"+strconv.FormatInt(id, 10), "Notification settings saved.")
}
