package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/identity"
	"fieldops/internal/settings"
	settingsview "fieldops/templates/settings"
)

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	co := viewerOf(r).CompanyID
	p := settingsview.Page{Notice: s.sessions.PopString(r.Context(), keyNotice)}
	err := s.db.Read(r.Context(), co, func(b *pgx.Batch) { settings.QueueGet(b, co, &p.Settings) })
	if p.Settings.ShareLinkDays != nil {
		p.LinkDays = strconv.Itoa(*p.Settings.ShareLinkDays)
	}
	s.render(w, r, err, settingsview.Show(s.chrome(r, "Settings"), p))
}

func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) {
	co := viewerOf(r).CompanyID
	in := settings.Settings{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone"), Currency: r.PostFormValue("currency"),
		JobShareDefault: r.PostFormValue("job_share_default") != "", Portal: permissionsForm(r)}
	days := strings.TrimSpace(r.PostFormValue("share_link_days"))
	var err error
	if days != "" {
		n, perr := strconv.Atoi(days)
		if perr != nil {
			n = -1 // Validate says what is wrong
		}
		in.ShareLinkDays = &n
	}
	err = s.db.InCompany(r.Context(), co, func(tx pgx.Tx) error { return settings.Update(r.Context(), tx, co, in) })
	if err != nil {
		in.Normalize()
		s.render(w, r, err, settingsview.Show(s.chrome(r, "Settings"), settingsview.Page{Settings: in, LinkDays: days, Errors: validation(err)}))
		return
	}
	s.sessions.Put(r.Context(), keyNotice, "Settings saved.")
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

// permissionsForm reads the three Job Share Plus permission checkboxes.
func permissionsForm(r *http.Request) identity.Permissions {
	return identity.Permissions{AddEdit: r.PostFormValue("perm_add_edit") != "",
		ViewMessages: r.PostFormValue("perm_view_messages") != "", ViewPrices: r.PostFormValue("perm_view_prices") != ""}
}
