package plan

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/input"
	"fieldops/internal/planned"
	"fieldops/internal/server/page"
	plannedview "fieldops/templates/planned"
)

// Building answers GET /settings/buildings/{siteID}: the building's client (?q= finds another), and its assets.
func (h *Handlers) Building(w http.ResponseWriter, r *http.Request) { h.showBuilding(w, r, nil) }

func (h *Handlers) showBuilding(w http.ResponseWriter, r *http.Request, formErr error) {
	site, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := plannedview.BuildingPage{Q: r.URL.Query().Get("q"), Errors: page.Validation(formErr)}
	q, ve := p.Q, &apperr.ValidationError{}
	if input.CheckSearch(ve, "q", q, input.MaxSearchLen); ve.Err() != nil {
		q, p.Errors, formErr = "", ve, ve // the search's refusal, next to it; the list as if none was typed
	}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		planned.QueueBuilding(b, v.CompanyID, site, &p.Building)
		planned.QueueAssets(b, v.CompanyID, site, &p.Assets)
		planned.QueueClientChoices(b, v.CompanyID, site, q, &p.Clients, &p.More)
	})
	if formErr == nil {
		p.Notice = h.Notice(r)
	} else if err == nil {
		err = formErr
	}
	h.Render(w, r, err, plannedview.Building(h.Chrome(r, p.Building.Name), p))
}

func (h *Handlers) building(w http.ResponseWriter, r *http.Request, notice string, change func(tx pgx.Tx, co, site int64) error) {
	site, ok := h.PathID(w, r, "siteID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error { return change(tx, v.CompanyID, site) })
	if page.RefusedInWords(err) {
		h.showBuilding(w, r, err)
		return
	}
	h.Done(w, r, err, "/settings/buildings/"+strconv.FormatInt(site, 10), notice)
}

// SetBuildingClient answers POST /settings/buildings/{siteID}: the client the building belongs to.
func (h *Handlers) SetBuildingClient(w http.ResponseWriter, r *http.Request) {
	client, err := strconv.ParseInt(r.PostFormValue("client_id"), 10, 64)
	h.building(w, r, "Saved: the building's planned jobs are shared with this client from now on.", func(tx pgx.Tx, co, site int64) error {
		if err != nil || client <= 0 {
			return apperr.FieldError("client_id", "Choose the client.")
		}
		return planned.SetBuildingClient(r.Context(), tx, co, site, client)
	})
}

// AddAsset answers POST /settings/buildings/{siteID}/assets.
func (h *Handlers) AddAsset(w http.ResponseWriter, r *http.Request) {
	h.building(w, r, "Asset added.", func(tx pgx.Tx, co, site int64) error {
		return planned.AddAsset(r.Context(), tx, co, site, r.PostFormValue("asset"))
	})
}
