package plan

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/mail"
	"fieldops/internal/planned"
	"fieldops/internal/server/page"
	"fieldops/internal/settings"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	"fieldops/templates/email"
)

// AddLocation answers POST /planned/{id}/locations.
func (h *Handlers) AddLocation(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	h.inPlanned(w, r, state{}, "Location added.", func(tx pgx.Tx, co, id int64) error {
		return planned.AddLocation(r.Context(), tx, co, *v, id, r.PostFormValue("location"))
	})
}

// AddIntervention answers POST /planned/{id}/interventions.
func (h *Handlers) AddIntervention(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	asset, _ := strconv.ParseInt(r.PostFormValue("asset_id"), 10, 64)
	h.inPlanned(w, r, state{}, "Intervention added.", func(tx pgx.Tx, co, id int64) error {
		return planned.AddIntervention(r.Context(), tx, co, *v, id, asset, r.PostFormValue("task"))
	})
}

// RemoveLocation answers POST /planned/{id}/locations/{itemID}/remove.
func (h *Handlers) RemoveLocation(w http.ResponseWriter, r *http.Request) {
	h.removeItem(w, r, "location")
}

// RemoveIntervention answers POST /planned/{id}/interventions/{itemID}/remove.
func (h *Handlers) RemoveIntervention(w http.ResponseWriter, r *http.Request) {
	h.removeItem(w, r, "intervention")
}

func (h *Handlers) removeItem(w http.ResponseWriter, r *http.Request, kind string) {
	item, ok := h.PathID(w, r, "itemID")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	h.inPlanned(w, r, state{}, "Removed.", func(tx pgx.Tx, co, id int64) error {
		return planned.RemoveItem(r.Context(), tx, co, *v, id, kind, item)
	})
}

// Comment answers POST /planned/{id}/comments (the office's).
func (h *Handlers) Comment(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	body := r.PostFormValue("body")
	h.inPlanned(w, r, state{comment: body}, "Comment added.", func(tx pgx.Tx, co, id int64) error {
		if err := planned.Check(r.Context(), tx, co, id); err != nil {
			return err
		}
		return planned.Comment(r.Context(), tx, co, "office", v.Name, id, body)
	})
}

// Upload answers POST /planned/{id}/files: a document, shared unless unticked.
func (h *Handlers) Upload(w http.ResponseWriter, r *http.Request) {
	u, uerr := page.ReadUpload(w, r)
	u.Party = "office"
	v := page.ViewerOf(r)
	h.inPlanned(w, r, state{}, "Document added.", func(tx pgx.Tx, co, id int64) error {
		if uerr != nil {
			return documentRefused(uerr)
		}
		if err := planned.Check(r.Context(), tx, co, id); err != nil {
			return err
		}
		f, err := files.Save(r.Context(), tx, h.Files, co, files.Owner{PlannedJobID: id}, v.MembershipID, u)
		if err != nil {
			return documentRefused(err)
		}
		return planned.History(r.Context(), tx, co, id, "office", v.Name, "Added the document "+f.Name)
	})
}

// File answers GET /planned/{id}/files/{fileID}, for whoever may read the planned job.
func (h *Handlers) File(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	h.ServeFile(w, r, page.FileRequest{CompanyID: v.CompanyID, Owner: files.Owner{PlannedJobID: id}, Variant: files.Original,
		Check: func(b *pgx.Batch) { planned.QueueVisible(b, v.CompanyID, planned.ScopeFor(v), id) }})
}

// KindShared is the email telling a client's users or a supplier of a planned job shared with them.
const KindShared mail.Kind = "planned_share"

// Share answers POST /planned/{id}/share: with the building's client and/or the supplier, each told by email —
// the client's users with a link to their portal (a client without users gets a Job Share Plus invitation at its
// contact email), the supplier with a link in its own company. The emails are made from the shared fields only.
func (h *Handlers) Share(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	f := planned.ShareForm{Client: r.PostFormValue("client") != "", Supplier: r.PostFormValue("supplier") != "", Note: r.PostFormValue("note")}
	var told []string
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		co := v.CompanyID
		rc, err := planned.Share(r.Context(), tx, co, *v, id, f)
		if err != nil {
			return err
		}
		j, err := planned.ForEmail(r.Context(), tx, co, id) // the shared fields only
		if err != nil {
			return err
		}
		idPath := strconv.FormatInt(id, 10)
		to := rc.ClientUsers
		if rc.ClientContact != "" {
			to = []string{rc.ClientContact}
			if err := h.inviteContact(r, tx, rc); err != nil {
				return err
			}
		}
		for _, addr := range to {
			if err := h.tell(r, tx, co, addr, j, h.BaseURL+"/portal/planned/"+idPath); err != nil {
				return err
			}
		}
		told = append(told, to...)
		if rc.SupplierEmail != "" {
			told = append(told, rc.SupplierEmail)
			return h.tell(r, tx, co, rc.SupplierEmail, j, h.BaseURL+"/planned/shared/"+strconv.FormatInt(co, 10)+"/"+idPath)
		}
		return nil
	})
	notice := "Shared."
	if len(told) > 0 {
		notice = "Shared: a link is on its way to " + strings.Join(told, ", ") + "."
	}
	h.changed(w, r, id, err, state{note: f.Note}, notice)
}

// inviteContact invites the client's contact as a Job Share Plus user (the company's default permissions), in tx,
// so the emailed link opens for them. One already invited or already a user is left as they are; anything else
// refused (no seat left, sending limits) refuses the share, in words.
func (h *Handlers) inviteContact(r *http.Request, tx pgx.Tx, rc planned.Recipients) error {
	v := page.ViewerOf(r)
	perms, err := settings.PortalDefaults(r.Context(), tx, v.CompanyID)
	if err != nil {
		return err
	}
	tok := token.New()
	msg, err := h.InvitationEmail(r, identity.RoleClient, tok)
	if err != nil {
		return err
	}
	_, err = staff.Invite(r.Context(), tx, v.CompanyID, v.MembershipID, staff.InviteForm{Email: rc.ClientContact, Role: identity.RoleClient,
		ClientID: rc.ClientID, Perms: perms}, tok.Hash, msg)
	if ve := apperr.AsValidation(err); ve != nil && ve.Field("email") != "" {
		return nil // pending already, or one of the company's people: the email below reaches them
	}
	if ve := apperr.AsValidation(err); ve != nil {
		return &apperr.ValidationError{Form: "Not shared: the client's contact could not be invited. " + ve.FormMessage()}
	}
	return err
}

// tell queues the email of a shared planned job to addr, with link.
func (h *Handlers) tell(r *http.Request, tx pgx.Tx, co int64, addr string, j planned.SharedJob, link string) error {
	d := email.PlannedShare{Company: j.Owner, Title: j.Title, Type: j.Type, OrderDate: orderDate(j), Building: j.Building,
		Address: j.Address, Note: j.Note, Link: link}
	text, html, err := email.Render(r.Context(), "planned.txt", d, email.PlannedShareHTML(d))
	if err != nil {
		return err
	}
	_, err = mail.Enqueue(r.Context(), tx, co, mail.Email{Kind: KindShared, To: []string{addr}, Subject: j.Owner + " shared a planned job: " + j.Title,
		Text: text, HTML: html})
	return err
}

func orderDate(j planned.SharedJob) string {
	if j.OrderDate == nil {
		return "no set date"
	}
	return j.OrderDate.Format("Mon 2 Jan 2006")
}

// StopSharing answers POST /planned/{id}/stop-sharing (party=client or supplier): their access ends at once.
func (h *Handlers) StopSharing(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerOf(r)
	party := r.PostFormValue("party")
	h.inPlanned(w, r, state{}, "Stopped sharing with the "+party+": their access has ended.", func(tx pgx.Tx, co, id int64) error {
		if party != "client" && party != "supplier" {
			return apperr.ErrNotFound
		}
		return planned.StopSharing(r.Context(), tx, co, *v, id, party)
	})
}

// documentRefused puts a refused upload's reason at the top of the page, where the form's error shows.
func documentRefused(err error) error {
	if ve := apperr.AsValidation(err); ve != nil && ve.Field("file") != "" {
		return &apperr.ValidationError{Form: "The document was not added: " + ve.Field("file")}
	}
	return err
}
