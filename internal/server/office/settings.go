package office

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/clients"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	settingsview "fieldops/templates/settings"
)

// SettingsPage answers GET /settings.
func (h *Handlers) SettingsPage(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	p := settingsview.Page{Notice: h.Notice(r)}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) { settings.QueueGet(b, co, &p.Settings) })
	if p.Settings.ShareLinkDays != nil {
		p.LinkDays = strconv.Itoa(*p.Settings.ShareLinkDays)
	}
	h.Render(w, r, err, settingsview.Show(h.Chrome(r, "Settings"), p))
}

// SettingsSave answers POST /settings.
func (h *Handlers) SettingsSave(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	in := settings.Settings{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone"), Currency: r.PostFormValue("currency"),
		JobShareDefault: r.PostFormValue("job_share_default") != "", Portal: permissionsForm(r), StaffPick: r.PostFormValue("staff_pick"),
		Country: r.PostFormValue("country")}
	days := strings.TrimSpace(r.PostFormValue("share_link_days"))
	var err error
	if days != "" {
		n, perr := strconv.Atoi(days)
		if perr != nil {
			n = -1 // Validate says what is wrong
		}
		in.ShareLinkDays = &n
	}
	err = h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return settings.Update(r.Context(), tx, co, in) })
	if err != nil {
		in.Normalize()
		h.Render(w, r, err, settingsview.Show(h.Chrome(r, "Settings"), settingsview.Page{Settings: in, LinkDays: days, Errors: page.Validation(err)}))
		return
	}
	h.Done(w, r, nil, "/settings", "Settings saved.")
}

// permissionsForm reads the three Job Share Plus permission checkboxes.
func permissionsForm(r *http.Request) identity.Permissions {
	return identity.Permissions{AddEdit: r.PostFormValue("perm_add_edit") != "",
		ViewMessages: r.PostFormValue("perm_view_messages") != "", ViewPrices: r.PostFormValue("perm_view_prices") != ""}
}

// SettingsJobShareAll is the Settings action that turns Job Share on for every existing client.
func (h *Handlers) SettingsJobShareAll(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	var n int
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) (err error) {
		n, err = clients.SetJobShareAll(r.Context(), tx, co)
		return err
	})
	h.Done(w, r, err, "/settings", fmt.Sprintf("Job Share turned on for %d more clients.", n))
}
