// Package page is what every door of the server needs to answer a request: the shared dependencies (Kit), the
// one way to render a page or fail, notices, the keyset pager, form helpers, path ids and the viewer from the
// context. The doors (public, office, portal, cowork) import it; it imports no door.
package page

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"

	"fieldops/internal/db"
	"fieldops/internal/files"
	"fieldops/internal/identity"
	"fieldops/internal/jobs"
	"fieldops/internal/mail"
	"fieldops/internal/share"
	"fieldops/internal/staff"
	"fieldops/internal/token"
	"fieldops/templates/email"
)

// Kit holds what the doors' handlers share. It is built once by the server and safe for concurrent use.
type Kit struct {
	// DB is the app role's pool: Read for a page's selects, InCompany for a change.
	DB *db.DB
	// Log is the server's logger; request ids go with every line.
	Log *slog.Logger
	// Sessions are the scs sessions (the viewer is loaded from them by the server's middleware).
	Sessions *scs.SessionManager
	// Files is where file bytes live; Thumbnails makes images' thumbnails after their upload.
	Files      files.Storage
	Thumbnails *files.Thumbnails
	// Letters makes the Job Share emails that adding a job or sending from the composer implies.
	Letters share.Letters
	// Opens counts dashboard opens, written every few seconds.
	Opens *share.Opens
	// Counts keeps the job list's view counts for a short while (see jobs.CountsCache).
	Counts *jobs.CountsCache
	// BaseURL is how users reach the app (links in emails).
	BaseURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed for the client's IP.
	TrustedProxies []netip.Prefix
	// Now is the clock; tests move it.
	Now func() time.Time
}

// InvitationEmail renders the invitation email, from the viewer, to join as role through the link holding tok;
// the staff domain addresses and queues it.
func (k *Kit) InvitationEmail(r *http.Request, role identity.Role, tok token.Token) (mail.Email, error) {
	v := ViewerOf(r)
	d := email.Invite{Company: v.CompanyName, InvitedBy: v.Name, Role: role.WithArticle(), Link: k.BaseURL + "/invite/" + tok.Raw}
	if role == identity.RoleClient {
		d.Note = "You will be able to raise jobs with " + v.CompanyName + " and follow them live. If your firm runs its own fieldops company, you can connect that company instead of making a login: open the link and choose it."
	}
	text, html, err := email.Render(r.Context(), "invite.txt", d, email.InviteHTML(d))
	return mail.Email{Subject: "Join " + v.CompanyName + " on fieldops", Text: text, HTML: html}, err
}

// Invite sends the viewer's invitation f: a fresh link, its email, and the invitation, in one transaction (see
// staff.Invite for what is refused). check, when given, runs first in that transaction (a task's, for a guest
// invited from it); its error refuses the invitation.
func (k *Kit) Invite(r *http.Request, f staff.InviteForm, check ...func(pgx.Tx) error) error {
	v := ViewerOf(r)
	tok := token.New()
	msg, err := k.InvitationEmail(r, f.Role, tok)
	if err != nil {
		return err
	}
	return k.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		for _, c := range check {
			if err := c(tx); err != nil {
				return err
			}
		}
		_, err := staff.Invite(r.Context(), tx, v.CompanyID, v.MembershipID, f, tok.Hash, msg)
		return err
	})
}
