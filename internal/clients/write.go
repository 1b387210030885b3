package clients

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/identity"
)

// Limits on what people type; the database checks the same.
const (
	MaxPhoneLen   = 40
	MaxAddressLen = 1000
	MaxNotesLen   = 5000
	MaxNewSites   = 20
)

// Form is what the client form sends. Sites are only on the new-client form; a record adds them one at a time.
type Form struct {
	Name           string
	Email          string
	Phone          string
	BillingAddress string
	Notes          string
	Sites          []SiteForm
}

// SiteForm is one site as typed.
type SiteForm struct {
	Name    string
	Address string
}

// Normalize trims what was typed and drops site rows left wholly blank.
func (f *Form) Normalize() {
	f.Name = strings.TrimSpace(f.Name)
	f.Email = strings.TrimSpace(f.Email)
	f.Phone = strings.TrimSpace(f.Phone)
	f.BillingAddress = strings.TrimSpace(f.BillingAddress)
	f.Notes = strings.TrimSpace(f.Notes)
	sites := f.Sites[:0]
	for _, s := range f.Sites {
		s.Normalize()
		if s.Name != "" || s.Address != "" {
			sites = append(sites, s)
		}
	}
	f.Sites = sites
}

// Normalize trims what was typed.
func (s *SiteForm) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.Address = strings.TrimSpace(s.Address)
}

// Validate reports each field that is missing, malformed or too long. Site fields are named site_name_N and
// site_address_N, N counting from 0 over the rows kept by Normalize.
func (f Form) Validate() error {
	v := &apperr.ValidationError{}
	identity.CheckName(v, "name", "the client's name", f.Name)
	if f.Email != "" {
		identity.CheckEmail(v, "email", f.Email)
	}
	checkPhone(v, "phone", f.Phone)
	if utf8.RuneCountInString(f.BillingAddress) > MaxAddressLen {
		v.Add("billing_address", "Use at most 1000 characters.")
	}
	if utf8.RuneCountInString(f.Notes) > MaxNotesLen {
		v.Add("notes", "Use at most 5000 characters.")
	}
	if len(f.Sites) > MaxNewSites {
		v.Form = fmt.Sprintf("Add at most %d sites here; add more on the client's page.", MaxNewSites)
	}
	for i, s := range f.Sites {
		s.check(v, "_"+strconv.Itoa(i))
	}
	return v.Err()
}

// Validate reports a site without a name or an address.
func (s SiteForm) Validate() error {
	v := &apperr.ValidationError{}
	s.check(v, "")
	return v.Err()
}

func (s SiteForm) check(v *apperr.ValidationError, suffix string) {
	identity.CheckName(v, "site_name"+suffix, "a name for the site, like Head office", s.Name)
	switch {
	case s.Address == "":
		v.Add("site_address"+suffix, "Enter the site's address.")
	case utf8.RuneCountInString(s.Address) > MaxAddressLen:
		v.Add("site_address"+suffix, "Use at most 1000 characters.")
	}
}

func checkPhone(v *apperr.ValidationError, field, phone string) {
	switch {
	case utf8.RuneCountInString(phone) > MaxPhoneLen:
		v.Add(field, "Use at most 40 characters.")
	case strings.Trim(phone, "0123456789 +-().") != "":
		v.Add(field, "Use digits, spaces and + - ( ) only.")
	}
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Create adds a client and its sites in tx and returns the client's id. A ValidationError when anything typed is
// wrong; nothing is saved then.
func Create(ctx context.Context, tx pgx.Tx, companyID int64, f Form) (int64, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `
		insert into clients (company_id, name, email, phone, billing_address, notes, job_share)
		select $1, $2, $3, $4, $5, $6, co.job_share_default from companies co where co.id = $1
		returning id`,
		companyID, f.Name, nullIfEmpty(f.Email), nullIfEmpty(f.Phone), f.BillingAddress, f.Notes).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("clients: create: %w", err)
	}
	for _, s := range f.Sites {
		if _, err := tx.Exec(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, $3, $4)`,
			companyID, id, s.Name, s.Address); err != nil {
			return 0, fmt.Errorf("clients: create site: %w", err)
		}
	}
	return id, nil
}

// Update saves the client's details (not its sites). ErrNotFound when the client is not in scope.
func Update(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, id int64, f Form) error {
	f.Sites = nil
	f.Normalize()
	if err := f.Validate(); err != nil {
		return err
	}
	if err := Lock(ctx, tx, companyID, scope, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		update clients set name = $3, email = $4, phone = $5, billing_address = $6, notes = $7, updated_at = now()
		 where company_id = $1 and id = $2`,
		companyID, id, f.Name, nullIfEmpty(f.Email), nullIfEmpty(f.Phone), f.BillingAddress, f.Notes)
	if err != nil {
		return fmt.Errorf("clients: update: %w", err)
	}
	return nil
}

// AddSite adds a site to the client and returns its id. ErrNotFound when the client is not in scope.
func AddSite(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, clientID int64, s SiteForm) (int64, error) {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return 0, err
	}
	if err := Lock(ctx, tx, companyID, scope, clientID); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, `insert into sites (company_id, client_id, name, address) values ($1, $2, $3, $4) returning id`,
		companyID, clientID, s.Name, s.Address).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("clients: add site: %w", err)
	}
	return id, nil
}

// ErrSiteInUse answers removing a site that jobs still point at.
var ErrSiteInUse = &apperr.ValidationError{Form: "Jobs are booked at this site, so it stays. Edit its address instead."}

// RemoveSite deletes one of the client's sites. ErrNotFound when the client is not in scope or the site is not
// theirs.
func RemoveSite(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, clientID, siteID int64) error {
	if err := Lock(ctx, tx, companyID, scope, clientID); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `delete from sites where company_id = $1 and client_id = $2 and id = $3`, companyID, clientID, siteID)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return ErrSiteInUse
	}
	if err != nil {
		return fmt.Errorf("clients: remove site: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// Assign makes an active co-worker of the company serve the client (again is no change). ErrNotFound for a client
// or co-worker that is not the company's.
func Assign(ctx context.Context, tx pgx.Tx, companyID, clientID, membershipID int64) error {
	if err := Lock(ctx, tx, companyID, Everything, clientID); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `
		insert into client_coworkers (company_id, client_id, membership_id)
		select m.company_id, $2, m.id from memberships m
		 where m.company_id = $1 and m.id = $3 and m.role = 'co-worker' and m.active
		on conflict do nothing`, companyID, clientID, membershipID)
	if err != nil {
		return fmt.Errorf("clients: assign: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var assigned bool
		err := tx.QueryRow(ctx, `select exists (select from client_coworkers where company_id = $1 and client_id = $2 and membership_id = $3)`,
			companyID, clientID, membershipID).Scan(&assigned)
		if err != nil {
			return fmt.Errorf("clients: assign: %w", err)
		}
		if !assigned {
			return apperr.ErrNotFound
		}
	}
	return nil
}

// Unassign stops a co-worker serving the client. ErrNotFound when they did not.
func Unassign(ctx context.Context, tx pgx.Tx, companyID, clientID, membershipID int64) error {
	tag, err := tx.Exec(ctx, `delete from client_coworkers where company_id = $1 and client_id = $2 and membership_id = $3`,
		companyID, clientID, membershipID)
	if err != nil {
		return fmt.Errorf("clients: unassign: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// AddSiteFile stores an uploaded file on one of the client's sites. ErrNotFound when the client is not in scope
// or the site is not theirs; a ValidationError on field "file" for a refused file.
func AddSiteFile(ctx context.Context, tx pgx.Tx, store files.Storage, companyID int64, scope Scope, clientID, siteID, uploadedBy int64, u files.Upload) (files.File, error) {
	if err := Lock(ctx, tx, companyID, scope, clientID); err != nil {
		return files.File{}, err
	}
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select from sites where company_id = $1 and id = $2 and client_id = $3)`,
		companyID, siteID, clientID).Scan(&ok); err != nil || !ok {
		return files.File{}, errors.Join(err, apperr.ErrNotFound)
	}
	return files.Save(ctx, tx, store, companyID, files.Owner{SiteID: siteID}, uploadedBy, u)
}

// RemoveSiteFile deletes a file of one of the client's sites. ErrNotFound when it is not theirs.
func RemoveSiteFile(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, clientID, siteID, fileID int64) error {
	if err := Lock(ctx, tx, companyID, scope, clientID); err != nil {
		return err
	}
	_, err := files.Delete(ctx, tx, companyID, files.Owner{SiteID: siteID, ClientID: clientID}, fileID)
	return err
}

// SetJobShare turns Job Share on or off for the clients among ids that are in scope, and returns how many changed.
func SetJobShare(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, ids []int64, on bool) (int, error) {
	tag, err := tx.Exec(ctx, `
		update clients c set job_share = $4, updated_at = now()
		 where c.company_id = $1 and c.id = any($2) and c.job_share <> $4 and `+scopeSQL(3),
		companyID, ids, scope.param(), on)
	if err != nil {
		return 0, fmt.Errorf("clients: job share: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// SetChatGuests lets the guests of the client's users into its chat room, or keeps them out. ErrNotFound for a
// client not the company's.
func SetChatGuests(ctx context.Context, tx pgx.Tx, companyID, clientID int64, on bool) error {
	tag, err := tx.Exec(ctx, `update clients set chat_guests = $3, updated_at = now() where company_id = $1 and id = $2`, companyID, clientID, on)
	if err != nil {
		return fmt.Errorf("clients: chat guests: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// SetJobShareAll turns Job Share on for every client of the company (the Settings action), and returns how many
// changed.
func SetJobShareAll(ctx context.Context, tx pgx.Tx, companyID int64) (int, error) {
	tag, err := tx.Exec(ctx, `update clients set job_share = true, updated_at = now() where company_id = $1 and not job_share`, companyID)
	if err != nil {
		return 0, fmt.Errorf("clients: job share for all: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
