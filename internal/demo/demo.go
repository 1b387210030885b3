// Package demo seeds the demo company that `make run` shows on a new machine: once, as the owner role, sending
// no email.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/identity"
)

// CompanyName marks the demo company; Seed does nothing when it exists.
const CompanyName = "Demo Plumbing & Electrical"

// Password is every demo login's password.
const Password = "fieldops-demo"

// Login is one demo person.
type Login struct {
	Email string
	Name  string
	Role  identity.Role
}

// Logins are the demo people, admin first.
var Logins = []Login{
	{Email: "admin@demo.example", Name: "Alex Admin", Role: identity.RoleAdmin},
	{Email: "cora@demo.example", Name: "Cora Coworker", Role: identity.RoleCoWorker},
	{Email: "sam@demo.example", Name: "Sam Sparks", Role: identity.RoleCoWorker},
	{Email: "pip@demo.example", Name: "Pip Plumber", Role: identity.RoleCoWorker},
}

// PortalLogin is the demo's Job Share Plus client user (Harbour View Apartments).
var PortalLogin = Login{Email: "fran@harbourview.example", Name: "Fran Facilities", Role: identity.RoleClient}

// GuestLogin is the demo's guest: Fran's caretaker, who uses no seat.
var GuestLogin = Login{Email: "gus@harbourview.example", Name: "Gus Caretaker", Role: identity.RoleGuest}

// demoClient is one client of the demo company with its sites ("name|address").
type demoClient struct {
	Name, Email, Phone, Billing string
	Sites                       []string
}

var demoClients = []demoClient{
	{"Harbour View Apartments", "manager@harbourview.example", "021 555 0101", "PO Box 101, Auckland", []string{"Block A|12 Quay St, Auckland", "Block B|14 Quay St, Auckland"}},
	{"Greenlane Medical Centre", "facilities@greenlane.example", "09 555 0102", "200 Great South Rd, Greenlane", []string{"Main building|200 Great South Rd, Greenlane"}},
	{"Ponsonby Bakery", "hello@ponsonbybakery.example", "09 555 0103", "88 Ponsonby Rd, Ponsonby", []string{"Shop|88 Ponsonby Rd, Ponsonby", "Kitchen|2 Scotland St, Ponsonby"}},
	{"Northshore Schools Trust", "property@nsschools.example", "09 555 0104", "1 Trust Way, Takapuna", []string{"Takapuna Primary|5 School Rd, Takapuna", "Devonport Primary|9 Kings Rd, Devonport", "Milford Intermediate|17 Shakespeare Rd, Milford"}},
	{"Mt Eden Motors", "service@mtedenmotors.example", "09 555 0105", "310 Dominion Rd, Mt Eden", []string{"Workshop|310 Dominion Rd, Mt Eden"}},
	{"Kauri Lodge Rest Home", "admin@kaurilodge.example", "09 555 0106", "45 Kauri Rd, Titirangi", []string{"Lodge|45 Kauri Rd, Titirangi"}},
	{"Remuera Dental", "reception@remueradental.example", "09 555 0107", "402 Remuera Rd, Remuera", []string{"Surgery|402 Remuera Rd, Remuera"}},
	{"Pacific Freight Ltd", "ops@pacificfreight.example", "09 555 0108", "PO Box 7788, Penrose", []string{"Head office|12 Station Rd, Penrose", "Warehouse 2|30 Church St, Penrose"}},
	{"Jane Whitfield", "jane.whitfield@mail.example", "021 555 0109", "7 Rata St, Grey Lynn", []string{"Home|7 Rata St, Grey Lynn"}},
	{"Tamaki Community Hall", "bookings@tamakihall.example", "09 555 0110", "1 Hall Rd, Glen Innes", []string{"Hall|1 Hall Rd, Glen Innes"}},
	{"Onehunga Fish Market", "", "09 555 0111", "3 Wharf Rd, Onehunga", []string{"Market|3 Wharf Rd, Onehunga"}},
	{"Bayview Body Corporate", "secretary@bayviewbc.example", "09 555 0112", "PO Box 55, Mission Bay", []string{"Tower 1|60 Tamaki Dr, Mission Bay", "Tower 2|62 Tamaki Dr, Mission Bay"}},
}

// Seed creates the demo company and its people unless the company exists; it reports whether it created them.
func Seed(ctx context.Context, owner *pgxpool.Pool, h *identity.Hasher) (bool, error) {
	created := false
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		// One seeder at a time, and only once.
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(7215002)`); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `select exists (select from companies where name = $1)`, CompanyName).Scan(&exists); err != nil || exists {
			return err
		}
		var companyID int64
		if err := tx.QueryRow(ctx, `insert into companies (name, seats, time_zone, currency, verified_at) values ($1, 25, 'Pacific/Auckland', 'NZD', now()) returning id`, CompanyName).Scan(&companyID); err != nil {
			return err
		}
		hash := h.Hash(Password)
		var coworkers, staff []int64
		for _, l := range Logins {
			var accountID int64
			err := tx.QueryRow(ctx, `
				insert into accounts (email, name, password_hash) values ($1, $2, $3)
				on conflict (email) do update set name = excluded.name
				returning id`, l.Email, l.Name, hash).Scan(&accountID)
			if err != nil {
				return err
			}
			var membershipID int64
			if err := tx.QueryRow(ctx, `insert into memberships (company_id, account_id, role) values ($1, $2, $3) returning id`,
				companyID, accountID, l.Role).Scan(&membershipID); err != nil {
				return err
			}
			if l.Role == identity.RoleCoWorker {
				coworkers = append(coworkers, membershipID)
			}
			staff = append(staff, membershipID)
		}
		for i, c := range demoClients {
			if err := seedClient(ctx, tx, companyID, c, coworkers[i%len(coworkers)]); err != nil {
				return err
			}
		}
		if err := seedJobs(ctx, tx, companyID, staff); err != nil {
			return err
		}
		// Job Share is on for a few clients after their jobs are seeded, so seeding sends nothing but the next job
		// added for them in the app emails a dashboard link.
		if _, err := tx.Exec(ctx, `update clients set job_share = true where company_id = $1 and name in ($2, $3, $4)`,
			companyID, demoClients[0].Name, demoClients[1].Name, demoClients[3].Name); err != nil {
			return err
		}
		// A Job Share Plus user for the first client, who may add and edit jobs and see messages.
		var accountID int64
		if err := tx.QueryRow(ctx, `
			insert into accounts (email, name, password_hash) values ($1, $2, $3)
			on conflict (email) do update set name = excluded.name returning id`, PortalLogin.Email, PortalLogin.Name, hash).Scan(&accountID); err != nil {
			return err
		}
		var fran int64
		if err := tx.QueryRow(ctx, `
			insert into memberships (company_id, account_id, role, client_id, perm_add_edit, perm_view_messages)
			select $1, $2, 'client', c.id, true, true from clients c where c.company_id = $1 and c.name = $3 returning id`,
			companyID, accountID, demoClients[0].Name).Scan(&fran); err != nil {
			return err
		}
		if err := seedCowork(ctx, tx, companyID, hash, staff[0], coworkers[0], fran); err != nil {
			return err
		}
		var harbour int64
		if err := tx.QueryRow(ctx, `select client_id from memberships where company_id = $1 and id = $2`, companyID, fran).Scan(&harbour); err != nil {
			return err
		}
		if err := seedChat(ctx, tx, companyID, harbour, staff[0], coworkers[0], coworkers[1], fran); err != nil {
			return err
		}
		if err := seedInvoices(ctx, tx, companyID, staff[0]); err != nil {
			return err
		}
		if err := seedConnections(ctx, tx, companyID, hash); err != nil {
			return err
		}
		if err := seedPlanned(ctx, tx, companyID, staff[0]); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("demo: seed: %w", err)
	}
	return created, nil
}

// seedClient adds a demo client with its sites, served by one co-worker.
func seedClient(ctx context.Context, tx pgx.Tx, companyID int64, c demoClient, coworker int64) error {
	var email *string
	if c.Email != "" {
		email = &c.Email
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		insert into clients (company_id, name, email, phone, billing_address) values ($1, $2, $3, $4, $5) returning id`,
		companyID, c.Name, email, c.Phone, c.Billing).Scan(&id); err != nil {
		return err
	}
	for _, s := range c.Sites {
		name, address, _ := strings.Cut(s, "|")
		if _, err := tx.Exec(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, $3, $4)`,
			companyID, id, name, address); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `insert into client_coworkers (company_id, client_id, membership_id) values ($1, $2, $3)`,
		companyID, id, coworker)
	return err
}

// KeepCurrent moves the demo company's diary to today: its visits (and tasks' due dates) shift by whole days, in
// Auckland wall time, so that their middle day is today — Today and the calendar look lived-in whenever the demo is
// run, however long ago it was seeded. The demo is the company of that name whose admin is the demo admin — never a
// customer who chose the same name. It returns the days moved (0 when already current or when there is no demo).
func KeepCurrent(ctx context.Context, owner *pgxpool.Pool, now time.Time) (int, error) {
	var days int
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(7215002)`); err != nil {
			return err
		}
		// Day arithmetic in the demo's zone keeps 09:00 at 09:00 across a daylight-saving change.
		if _, err := tx.Exec(ctx, `set local time zone 'Pacific/Auckland'`); err != nil {
			return err
		}
		var companyID int64
		err := tx.QueryRow(ctx, `
			select c.id, coalesce(($2::timestamptz)::date - (min(v.starts_at)::date + (max(v.starts_at)::date - min(v.starts_at)::date) / 2), 0)
			  from companies c left join visits v on v.company_id = c.id and v.starts_at is not null
			 where c.name = $1 and exists (select from memberships m join accounts a on a.id = m.account_id
			                                where m.company_id = c.id and a.email = $3 and m.role = 'admin')
			 group by c.id`, CompanyName, now, Logins[0].Email).Scan(&companyID, &days)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && days == 0) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			update visits set starts_at = starts_at + make_interval(days => $2), ends_at = ends_at + make_interval(days => $2),
			       requested_start = requested_start + make_interval(days => $2), requested_end = requested_end + make_interval(days => $2)
			 where company_id = $1 and (starts_at is not null or requested_start is not null)`, companyID, days); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `update reminders set starts_at = starts_at + make_interval(days => $2), ends_at = ends_at + make_interval(days => $2)
			 where company_id = $1`, companyID, days); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `update tasks set due_on = due_on + $2::int where company_id = $1 and due_on is not null`, companyID, days)
		return err
	})
	return days, err
}
