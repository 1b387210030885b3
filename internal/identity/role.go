// Package identity owns who a person is and what door they use: accounts, memberships, roles, sessions and the
// areas of the app each role may use.
package identity

// Role is what a membership makes a person in one company.
type Role string

// The roles of DESIGN.md.
const (
	RoleAdmin         Role = "admin"
	RoleCoWorker      Role = "co-worker"
	RoleSubcontractor Role = "subcontractor"
	RoleClient        Role = "client"
	RoleGuest         Role = "guest"
)

// Area is a part of the app that appears in the nav.
type Area struct {
	Name string
	Path string
}

var (
	areaJobs       = Area{"Jobs", "/jobs"}
	areaPlanned    = Area{"Planned", "/planned"}
	areaPortalJobs = Area{"Jobs", "/portal/jobs"}
	areaSettings   = Area{"Settings", "/settings"}
	areaClients    = Area{"Clients", "/clients"}
	areaStaff      = Area{"Staff", "/staff"}
	areaConnect    = Area{"Connections", "/connections"}
	areaOutbox     = Area{"Outbox", "/outbox"}
	areaTasks      = Area{"Tasks", "/tasks"}
	areaBoard      = Area{"Board", "/calendar/board"}
	areaCalendar   = Area{"Calendar", "/calendar"}
	areaChat       = Area{"Chat", "/chat"}
	areaPhonebook  = Area{"Phonebook", "/phonebook"}
)

// Areas lists, in nav order, the areas a role may use; none for a visitor who is not logged in. An area joins
// the nav when it is built, so no link leads to a missing page. Subcontractors have no chat.
func (r Role) Areas() []Area {
	switch r {
	case RoleAdmin:
		return []Area{areaJobs, areaPlanned, areaBoard, areaCalendar, areaClients, areaStaff, areaConnect, areaTasks, areaChat, areaPhonebook, areaSettings, areaOutbox}
	case RoleCoWorker:
		return []Area{areaJobs, areaPlanned, areaBoard, areaCalendar, areaClients, areaTasks, areaChat, areaPhonebook}
	case RoleSubcontractor:
		return []Area{areaJobs, areaPlanned, areaCalendar, areaPhonebook}
	case RoleClient:
		return []Area{areaPortalJobs, areaTasks, areaCalendar, areaChat, areaPhonebook}
	case RoleGuest:
		return []Area{areaTasks, areaCalendar, areaChat, areaPhonebook}
	}
	return nil
}

// UsesSeat reports whether a membership of this role counts against the company's licence seats: every role but
// guest (DESIGN.md).
func (r Role) UsesSeat() bool { return r != RoleGuest }

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleCoWorker, RoleSubcontractor, RoleClient, RoleGuest}

// SeatRoles are the roles that use a seat, for SQL.
var SeatRoles = []string{string(RoleAdmin), string(RoleCoWorker), string(RoleSubcontractor), string(RoleClient)}

// Label is the role as the product names it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleCoWorker:
		return "Co-worker"
	case RoleSubcontractor:
		return "Subcontractor"
	case RoleClient:
		return "Job Share Plus"
	case RoleGuest:
		return "Guest"
	}
	return string(r)
}

// WithArticle is the role as a sentence says it: "an admin", "a co-worker".
func (r Role) WithArticle() string {
	switch r {
	case RoleAdmin:
		return "an admin"
	case RoleClient:
		return "a Job Share Plus client user"
	}
	return "a " + string(r)
}

// IsAdmin says the role has no restrictions in its company: it manages people, clients, settings and the outbox.
func (r Role) IsAdmin() bool { return r == RoleAdmin }

// IsOffice says the role works in the firm's office (admins and co-workers): it serves clients, sends Job
// Share links, and its opening a job raised in the portal counts as the office having seen it.
func (r Role) IsOffice() bool { return r == RoleAdmin || r == RoleCoWorker }

// SeesCosts says the role may see and set unit costs and margins; everyone else sees sale prices at most.
func (r Role) SeesCosts() bool { return r == RoleAdmin }

// UsesPortal says the role's home is the client portal (Job Share Plus client users), not the office.
func (r Role) UsesPortal() bool { return r == RoleClient }
