package office

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/clients"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	settingsview "fieldops/templates/settings"
)

// SettingsPage answers GET /settings.
func (h *Handlers) SettingsPage(w http.ResponseWriter, r *http.Request) {
	h.showSettings(w, r, nil)
}

// showSettings shows the saved settings, with a refused logo's error (formErr) when there is one.
func (h *Handlers) showSettings(w http.ResponseWriter, r *http.Request, formErr error) {
	co := page.ViewerOf(r).CompanyID
	p := settingsview.Page{Errors: page.Validation(formErr)}
	if formErr == nil {
		p.Notice = h.Notice(r)
	}
	err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) {
		settings.QueueGet(b, co, &p.Settings)
		settings.QueueHasLogo(b, co, &p.HasLogo)
	})
	if p.Settings.ShareLinkDays != nil {
		p.LinkDays = strconv.Itoa(*p.Settings.ShareLinkDays)
	}
	p.TaxRate, p.TermsDays = settings.Percent(p.Settings.Billing.TaxRateBP), strconv.Itoa(p.Settings.Billing.TermsDays)
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, settingsview.Show(h.Chrome(r, "Settings"), p))
}

// SettingsSave answers POST /settings.
func (h *Handlers) SettingsSave(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	in := settings.Settings{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone"), Currency: r.PostFormValue("currency"),
		JobShareDefault: r.PostFormValue("job_share_default") != "", Portal: permissionsForm(r), StaffPick: r.PostFormValue("staff_pick"),
		Country: r.PostFormValue("country"), ShowCustomerToSubcontractors: r.PostFormValue("show_customer") != "",
		Billing: settings.Billing{Address: r.PostFormValue("address"), TaxNumber: r.PostFormValue("tax_number"), TaxName: r.PostFormValue("tax_name"),
			TaxInclusive: r.PostFormValue("tax_inclusive") != "", Paper: r.PostFormValue("paper")}}
	// Empty is none: no tax, due on issue. Anything else unreadable is -1, which Validate words.
	rate, terms := strings.TrimSpace(r.PostFormValue("tax_rate")), strings.TrimSpace(r.PostFormValue("terms_days"))
	var ok bool
	if in.Billing.TaxRateBP, ok = settings.ParsePercent(rate); !ok && rate != "" {
		in.Billing.TaxRateBP = -1
	}
	if n, err := strconv.Atoi(terms); err == nil {
		in.Billing.TermsDays = n
	} else if terms != "" {
		in.Billing.TermsDays = -1
	}
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
		h.Render(w, r, err, settingsview.Show(h.Chrome(r, "Settings"), settingsview.Page{Settings: in, LinkDays: days, TaxRate: rate, TermsDays: terms,
			Errors: page.Validation(err)}))
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

// SettingsLogo answers POST /settings/logo: the logo invoices print, a PNG or JPEG of at most 512 KB; refused in
// words on the Settings page.
func (h *Handlers) SettingsLogo(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	r.Body = http.MaxBytesReader(w, r.Body, settings.MaxLogo+64<<10)
	var data []byte
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		if f, _, err := r.FormFile("file"); err == nil {
			data, _ = io.ReadAll(io.LimitReader(f, settings.MaxLogo+1))
			f.Close()
		}
	} else if errors.As(err, new(*http.MaxBytesError)) {
		data = make([]byte, settings.MaxLogo+1) // CheckLogo says it is too large
	}
	logoType, err := settings.CheckLogo(data)
	if err == nil {
		err = h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return settings.SetLogo(r.Context(), tx, co, data, logoType) })
	}
	if page.RefusedInWords(err) {
		h.showSettings(w, r, err)
		return
	}
	h.Done(w, r, err, "/settings#logo", "Logo saved: it prints on invoices issued from now on.")
}

// SettingsLogoRemove answers POST /settings/logo/remove.
func (h *Handlers) SettingsLogoRemove(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	err := h.DB.InCompany(r.Context(), co, func(tx pgx.Tx) error { return settings.SetLogo(r.Context(), tx, co, nil, "") })
	h.Done(w, r, err, "/settings#logo", "Logo removed: invoices issued from now on print none.")
}

// SettingsLogoImage answers GET /settings/logo: the logo, to show on the Settings page.
func (h *Handlers) SettingsLogoImage(w http.ResponseWriter, r *http.Request) {
	co := page.ViewerOf(r).CompanyID
	var logo settings.Logo
	if err := h.DB.Read(r.Context(), co, func(b *pgx.Batch) { settings.QueueLogo(b, co, &logo) }); err != nil {
		h.Fail(w, r, err)
		return
	}
	page.WriteFile(w, files.File{Name: "logo", ContentType: logo.ContentType()}, logo.Data)
}
