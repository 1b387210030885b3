package cowork

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/notify"
	"fieldops/internal/server/page"
	coworkview "fieldops/templates/cowork"
	"fieldops/templates/layout"
)

// Notifications lists the viewer's notifications, newest first, 50 a page, unread marked.
func (h *Handlers) Notifications(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	p := coworkview.NotificationsPage{Notice: h.Notice(r), Location: v.Location(), Unread: v.Unread.Total()}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	var list notify.Page
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { notify.QueueList(b, v.CompanyID, v.MembershipID, before, &list) })
	p.Rows, p.More = list.Rows, list.More
	h.Render(w, r, err, coworkview.Notifications(h.Chrome(r, "Notifications"), p))
}

// OpenNotification marks one of the viewer's notifications read and goes to what it is about.
func (h *Handlers) OpenNotification(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var link string
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		link, err = notify.Open(r.Context(), tx, v.CompanyID, v.MembershipID, id)
		return err
	})
	h.Done(w, r, err, page.LocalPath(link), "")
}

// ReadAllNotifications marks every unread notification of the viewer read.
func (h *Handlers) ReadAllNotifications(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	var n int
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = notify.MarkAllRead(r.Context(), tx, v.CompanyID, v.MembershipID)
		return err
	})
	h.Done(w, r, err, "/notifications", strconv.Itoa(n)+" marked read.")
}

// NotificationCounts answers the nav's poll with the counter as an out-of-band swap. The counts come with the
// viewer, read for every request anyway: the poll costs no query of its own.
func (h *Handlers) NotificationCounts(w http.ResponseWriter, r *http.Request) {
	h.Write(w, r, http.StatusOK, layout.UnreadBadge(page.ViewerOf(r).Unread.Total(), true))
}
