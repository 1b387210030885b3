// Package connections owns the links between companies: a firm's subcontractors (firms it assigns jobs to, invited
// by email) and its customers that are themselves fieldops companies (firms that assign jobs to it, each standing
// in its client list); the Connections page's lists; and jobs assigned across a connection, with what each side may
// see of the other's. Nothing here reads another company's rows: what crosses goes through the owner's definer
// functions (migrations/00032_connections.sql), each copying a named list of fields.
package connections

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fieldops/internal/apperr"
)

// State is where a connection or an invitation stands, as the Connections page shows it.
type State string

// The states.
const (
	StateNone      State = "none"      // a customer nobody was invited for
	StatePending   State = "pending"   // invited, the link still works
	StateExpired   State = "expired"   // invited, the link is past its 7 days
	StateConnected State = "connected" // a fieldops company on the other side
	StatePortal    State = "portal"    // a customer with Job Share Plus (portal) users and no company
)

// Label is the state in words.
func (s State) Label() string {
	switch s {
	case StatePending:
		return "Invitation pending"
	case StateExpired:
		return "Invitation expired"
	case StateConnected:
		return "Connected"
	case StatePortal:
		return "Portal login"
	}
	return "Not invited"
}

// Subcontractor is a firm the company assigns jobs to, or has invited to be one.
type Subcontractor struct {
	ID          int64
	Name        string
	Email       string
	State       State
	ExpiresAt   *time.Time
	ConnectedAt *time.Time
}

// Customer is one of the company's clients as the Connections page lists it: connected as a company, with
// portal users, or with its latest Job Share Plus invitation's state.
type Customer struct {
	ClientID     int64
	Name         string
	Email        string
	State        State
	Firm         string // the connected company's name, when connected
	InvitationID int64  // the latest open invitation, for Resend
}

// Firm is a connected subcontractor, as the Assign to lists offer it.
type Firm struct {
	ID   int64
	Name string
}

// Errors the definer functions raise, by SQLSTATE: the caller maps them to words or a status.
var (
	// ErrAlreadyConnected: the two companies are connected that way already, or the client stands for another.
	ErrAlreadyConnected = errors.New("connections: already connected")
	// ErrNotAdmin: the account accepting does not run the company it named.
	ErrNotAdmin = errors.New("connections: not an admin of that company")
)

// sqlError turns what a definer function raised into the package's errors: 23505 already connected (or assigned),
// 42501 not the account's company, P0002 nothing to act on (ErrNotFound), FC001 a withdrawal of invoiced work.
func sqlError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.ErrNotFound
		}
		return err
	}
	switch pgErr.Code {
	case "23505":
		return ErrAlreadyConnected
	case "42501":
		return ErrNotAdmin
	case "P0002":
		return apperr.ErrNotFound
	case "FC001":
		return &apperr.ValidationError{Form: "The subcontractor has invoiced this job, so it stays with them: agree the change with them instead."}
	case "40P01":
		return apperr.ErrConflict // another change to the same jobs at the same moment: reload and try again
	case "22023":
		return &apperr.ValidationError{Form: "A company cannot connect to itself: choose another of yours, or sign up a new one."}
	}
	return err
}
