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
	areaPortalJobs = Area{"Jobs", "/portal/jobs"}
	areaClients    = Area{"Clients", "/clients"}
	areaStaff      = Area{"Staff", "/staff"}
	areaTasks      = Area{"Tasks", "/tasks"}
	areaCalendar   = Area{"Calendar", "/calendar"}
	areaChat       = Area{"Chat", "/chat"}
	areaPhonebook  = Area{"Phonebook", "/phonebook"}
	areaSettings   = Area{"Settings", "/settings"}
	areaOutbox     = Area{"Outbox", "/outbox"}
)

// Areas lists, in nav order, the areas a role may use; none for a visitor who is not logged in.
func (r Role) Areas() []Area {
	switch r {
	case RoleAdmin:
		return []Area{areaJobs, areaClients, areaStaff, areaTasks, areaCalendar, areaChat, areaPhonebook, areaSettings, areaOutbox}
	case RoleCoWorker:
		return []Area{areaJobs, areaClients, areaTasks, areaCalendar, areaChat, areaPhonebook}
	case RoleSubcontractor:
		return []Area{areaJobs, areaTasks, areaCalendar, areaChat, areaPhonebook}
	case RoleClient:
		return []Area{areaPortalJobs, areaTasks, areaCalendar, areaChat, areaPhonebook}
	case RoleGuest:
		return []Area{areaTasks, areaCalendar}
	}
	return nil
}
