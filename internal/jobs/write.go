package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db"
)

// Limits on what people type; the database checks the same.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 10000
	MaxAddressLen     = 1000
)

// FirstNumber is the number of a company's first job.
const FirstNumber = 1001

// Form is what the new-job and edit-job forms send. A job is at a site of its client, or at a free address.
type Form struct {
	ClientID        int64
	BillingClientID int64 // 0: the client pays
	SiteID          int64 // 0: no site; Address says where
	Address         string
	Title           string
	Description     string
	// Source says where the job came from: "office" (default) or "portal".
	Source string
}

// Normalize trims what was typed.
func (f *Form) Normalize() {
	f.Title = strings.TrimSpace(f.Title)
	f.Description = strings.TrimSpace(f.Description)
	f.Address = strings.TrimSpace(f.Address)
	if f.SiteID != 0 {
		f.Address = ""
	}
}

// Validate reports a missing title or client and over-long text.
func (f Form) Validate() error {
	v := &apperr.ValidationError{}
	switch {
	case f.Title == "":
		v.Add("title", "Enter a title, like “Replace hot water cylinder”.")
	case utf8.RuneCountInString(f.Title) > MaxTitleLen:
		v.Add("title", "Use at most 200 characters.")
	}
	if utf8.RuneCountInString(f.Description) > MaxDescriptionLen {
		v.Add("description", "Use at most 10000 characters.")
	}
	if utf8.RuneCountInString(f.Address) > MaxAddressLen {
		v.Add("address", "Use at most 1000 characters.")
	}
	if f.ClientID <= 0 {
		v.Add("client_id", "Choose the client this job is for.")
	}
	return v.Err()
}

// nextNumber takes the company's next job number inside tx; concurrent transactions queue on the counter row.
func nextNumber(ctx context.Context, tx pgx.Tx, companyID int64) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `
		insert into job_numbers (company_id, next_number) values ($1, $2)
		on conflict (company_id) do update set next_number = job_numbers.next_number + 1
		returning next_number`, companyID, FirstNumber).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("jobs: number: %w", err)
	}
	return n, nil
}

// checkClients checks that the client (and billing client) are the company's and the viewer's, and that the site
// belongs to the client. ErrNotFound otherwise.
func checkClients(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, f Form) error {
	var n int
	err := tx.QueryRow(ctx, `select count(*) from clients c where c.company_id = $1 and c.id = any($2) and `+clientScopeSQL(3),
		append([]any{companyID, []int64{f.ClientID, f.BillingClientID}}, scope.args()...)...).Scan(&n)
	if err != nil {
		return fmt.Errorf("jobs: check client: %w", err)
	}
	want := 2
	if f.ClientID == f.BillingClientID {
		want = 1
	}
	if n != want {
		return apperr.ErrNotFound
	}
	return nil
}

// checkSite refuses (ErrNotFound) a site that is not the job's client's, or, for a client user (scope.Client),
// not their own client's: a job they see as its billing client is another client's, whose sites are not theirs.
func checkSite(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, f Form) error {
	if f.SiteID == 0 {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `
		select exists (select from sites where company_id = $1 and id = $2 and client_id = $3 and ($4::bigint = 0 or client_id = $4))`,
		companyID, f.SiteID, f.ClientID, scope.Client).Scan(&ok); err != nil {
		return fmt.Errorf("jobs: check site: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound // the form offers only these sites: anything else is forged
	}
	return nil
}

// Announcer is told of every job added for real — New job, the portal, a subjob, a new recall job — inside the
// transaction that added it, so what a new job implies (the Job Share email) happens with the job or not at all.
// Seeding and bench data pass nil.
type Announcer interface {
	JobAdded(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, jobID int64) error
}

func announce(ctx context.Context, tx pgx.Tx, a Announcer, companyID int64, by Actor, jobID int64) error {
	if a == nil {
		return nil
	}
	return a.JobAdded(ctx, tx, companyID, by, jobID)
}

// Create adds a job with the next number and its History line, in tx, tells a of it, and returns its id and
// number. ErrNotFound when the client is not one the viewer may add jobs for; a ValidationError for what was typed.
func Create(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, f Form, a Announcer) (id, number int64, err error) {
	f.Normalize()
	if f.BillingClientID == 0 {
		f.BillingClientID = f.ClientID
	}
	if f.Source == "" {
		f.Source = "office"
	}
	if err := f.Validate(); err != nil {
		return 0, 0, err
	}
	if err := checkClients(ctx, tx, companyID, scope, f); err != nil {
		return 0, 0, err
	}
	if err := checkSite(ctx, tx, companyID, scope, f); err != nil {
		return 0, 0, err
	}
	if id, number, err = insert(ctx, tx, companyID, by, f, nil, nil); err != nil {
		return 0, 0, err
	}
	return id, number, announce(ctx, tx, a, companyID, by, id)
}

func insert(ctx context.Context, tx pgx.Tx, companyID int64, by Actor, f Form, parent, recallOf *int64) (id, number int64, err error) {
	if number, err = nextNumber(ctx, tx, companyID); err != nil {
		return 0, 0, err
	}
	err = tx.QueryRow(ctx, `
		insert into jobs (company_id, number, client_id, billing_client_id, site_id, address, title, description,
		                  parent_id, recall_of, source, created_by, seen_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, case when $11 = 'portal' then null else now() end) returning id`,
		companyID, number, f.ClientID, f.BillingClientID, db.NullID(f.SiteID), f.Address, f.Title, f.Description,
		parent, recallOf, f.Source, db.NullID(by.MembershipID)).Scan(&id)
	if err != nil {
		return 0, 0, fmt.Errorf("jobs: create: %w", err)
	}
	what := "Job created"
	if f.Source == "portal" {
		what = "Added by " + by.Name + " (portal)"
	}
	return id, number, Record(ctx, tx, companyID, id, by, what)
}

// lock reads the job's status inside tx, holding the row, after checking scope. ErrNotFound otherwise.
func lock(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, id int64) (current, error) {
	var c current
	err := tx.QueryRow(ctx, `
		select j.number, j.client_id, j.title, j.status, j.deferred_from from jobs j
		 where j.company_id = $1 and j.id = $2 and `+scopeSQL(3)+` for update`,
		append([]any{companyID, id}, scope.args()...)...).Scan(&c.Number, &c.ClientID, &c.Title, &c.Status, &c.DeferredFrom)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("jobs: lock: %w", err)
	}
	return c, nil
}

type current struct {
	Number       int64
	ClientID     int64
	Title        string
	Status       Status
	DeferredFrom *Status
}

// Update saves a job's title, description and place (site or address); the client stays. History says what
// changed.
func Update(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, id int64, f Form) error {
	c, err := lock(ctx, tx, companyID, scope, id)
	if err != nil {
		return err
	}
	f.ClientID = c.ClientID
	f.Normalize()
	if err := f.Validate(); err != nil {
		return err
	}
	var old Form
	if err := tx.QueryRow(ctx, `select billing_client_id, coalesce(site_id, 0), address, title, description from jobs where company_id = $1 and id = $2`,
		companyID, id).Scan(&old.BillingClientID, &old.SiteID, &old.Address, &old.Title, &old.Description); err != nil {
		return fmt.Errorf("jobs: update: %w", err)
	}
	if f.BillingClientID == 0 {
		f.BillingClientID = old.BillingClientID
	}
	// The client stays, so only a new billing client must be one the viewer may choose.
	check := Everything
	if f.BillingClientID != old.BillingClientID {
		check = scope
	}
	if err := checkClients(ctx, tx, companyID, check, f); err != nil {
		return err
	}
	if err := checkSite(ctx, tx, companyID, scope, f); err != nil {
		return err
	}
	var changed []string
	if f.Title != old.Title {
		changed = append(changed, "title to “"+f.Title+"”")
	}
	if f.Description != old.Description {
		changed = append(changed, "description")
	}
	if f.SiteID != old.SiteID || f.Address != old.Address {
		changed = append(changed, "location")
	}
	if f.BillingClientID != old.BillingClientID {
		changed = append(changed, "billing client")
	}
	if len(changed) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		update jobs set title = $3, description = $4, site_id = $5, address = $6, billing_client_id = $7, updated_at = now()
		 where company_id = $1 and id = $2`,
		companyID, id, f.Title, f.Description, db.NullID(f.SiteID), f.Address, f.BillingClientID); err != nil {
		return fmt.Errorf("jobs: update: %w", err)
	}
	return Record(ctx, tx, companyID, id, by, "Changed "+strings.Join(changed, ", "))
}

// SetBillingClient makes another of the company's clients (one the viewer may choose) pay for the job.
// ErrNotFound for a job or client out of scope.
func SetBillingClient(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, id, billingClientID int64) error {
	if _, err := lock(ctx, tx, companyID, scope, id); err != nil {
		return err
	}
	var name string
	var err error
	err = tx.QueryRow(ctx, `select c.name from clients c where c.company_id = $1 and c.id = $2 and `+clientScopeSQL(3),
		append([]any{companyID, billingClientID}, scope.args()...)...).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("jobs: billing client: %w", err)
	}
	tag, err := tx.Exec(ctx, `update jobs set billing_client_id = $3, updated_at = now() where company_id = $1 and id = $2 and billing_client_id <> $3`,
		companyID, id, billingClientID)
	if err != nil || tag.RowsAffected() == 0 {
		return err
	}
	return Record(ctx, tx, companyID, id, by, "Billing client changed to "+name)
}

// SetStatus moves a job to a workflow status. A deferred job is first un-deferred (Undefer); moving to the status
// it has is no change.
func SetStatus(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, id int64, to Status) error {
	if !to.InWorkflow() {
		return apperr.FieldError("status", "Choose a status from the list.")
	}
	c, err := lock(ctx, tx, companyID, scope, id)
	if err != nil || c.Status == to {
		return err
	}
	if c.Status == StatusDeferred {
		return &apperr.ValidationError{Form: "This job is deferred. Undo the deferral first."}
	}
	if _, err := tx.Exec(ctx, `update jobs set status = $3, updated_at = now() where company_id = $1 and id = $2`, companyID, id, to); err != nil {
		return fmt.Errorf("jobs: status: %w", err)
	}
	return Record(ctx, tx, companyID, id, by, "Status changed from "+c.Status.Label()+" to "+to.Label())
}

// Defer marks the job deferred (Defer commission), remembering its workflow status for Undefer.
func Defer(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, id int64) error {
	c, err := lock(ctx, tx, companyID, scope, id)
	if err != nil || c.Status == StatusDeferred {
		return err
	}
	if _, err := tx.Exec(ctx, `update jobs set status = 'deferred', deferred_from = status, updated_at = now() where company_id = $1 and id = $2`,
		companyID, id); err != nil {
		return fmt.Errorf("jobs: defer: %w", err)
	}
	return Record(ctx, tx, companyID, id, by, "Deferred (Defer commission) from "+c.Status.Label())
}

// Undefer puts a deferred job back in the workflow status it was deferred from.
func Undefer(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, id int64) error {
	c, err := lock(ctx, tx, companyID, scope, id)
	if err != nil || c.Status != StatusDeferred {
		return err
	}
	if _, err := tx.Exec(ctx, `update jobs set status = deferred_from, deferred_from = null, updated_at = now() where company_id = $1 and id = $2`,
		companyID, id); err != nil {
		return fmt.Errorf("jobs: undefer: %w", err)
	}
	return Record(ctx, tx, companyID, id, by, "Deferral undone: back to "+c.DeferredFrom.Label())
}

// CreateSubjob adds a child job for staged work or billing: same client, billing client and place as the parent.
// Both get a History line, and a is told of the subjob. It returns the subjob's id and number.
func CreateSubjob(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, parentID int64, title string, a Announcer) (int64, int64, error) {
	p, err := lock(ctx, tx, companyID, scope, parentID)
	if err != nil {
		return 0, 0, err
	}
	f := Form{Title: strings.TrimSpace(title)}
	if err := tx.QueryRow(ctx, `select client_id, billing_client_id, coalesce(site_id, 0), address from jobs where company_id = $1 and id = $2`,
		companyID, parentID).Scan(&f.ClientID, &f.BillingClientID, &f.SiteID, &f.Address); err != nil {
		return 0, 0, fmt.Errorf("jobs: subjob: %w", err)
	}
	f.Source = "office"
	if err := f.Validate(); err != nil {
		return 0, 0, err
	}
	id, number, err := insert(ctx, tx, companyID, by, f, &parentID, nil)
	if err != nil {
		return 0, 0, err
	}
	if err := Record(ctx, tx, companyID, id, by, "Created as a subjob of "+Ref(p.Number)); err != nil {
		return 0, 0, err
	}
	if err := Record(ctx, tx, companyID, parentID, by, "Subjob "+Ref(number)+" created"); err != nil {
		return 0, 0, err
	}
	return id, number, announce(ctx, tx, a, companyID, by, id)
}

// ParseRef reads a job number as people type it: "J-1001", "j1001" or "1001". 0 when it is none of these.
func ParseRef(s string) int64 {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "J"), "-")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// LinkRecall ties a recall (warranty) job to the original job originalID. With recallRef empty a new recall job is
// created for the original's client and place; otherwise recallRef names an existing job of the company. It
// returns the recall job's id. Both jobs get a History line; a is told of a new recall job.
func LinkRecall(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, by Actor, originalID int64, recallRef string, a Announcer) (int64, error) {
	o, err := lock(ctx, tx, companyID, scope, originalID)
	if err != nil {
		return 0, err
	}
	var recallID, recallNumber int64
	if strings.TrimSpace(recallRef) == "" {
		f := Form{Title: "Recall: " + o.Title, Source: "office"}
		if utf8.RuneCountInString(f.Title) > MaxTitleLen {
			f.Title = string([]rune(f.Title)[:MaxTitleLen])
		}
		if err := tx.QueryRow(ctx, `select client_id, billing_client_id, coalesce(site_id, 0), address from jobs where company_id = $1 and id = $2`,
			companyID, originalID).Scan(&f.ClientID, &f.BillingClientID, &f.SiteID, &f.Address); err != nil {
			return 0, fmt.Errorf("jobs: recall: %w", err)
		}
		if recallID, recallNumber, err = insert(ctx, tx, companyID, by, f, nil, &originalID); err != nil {
			return 0, err
		}
	} else {
		n := ParseRef(recallRef)
		bad := func(msg string) error { return apperr.FieldError("recall", msg) }
		if n == 0 {
			return 0, bad("Enter a job number, like J-1042.")
		}
		var linked *int64
		err := tx.QueryRow(ctx, `select j.id, j.number, j.recall_of from jobs j where j.company_id = $1 and j.number = $2 and `+scopeSQL(3)+` for update`,
			append([]any{companyID, n}, scope.args()...)...).Scan(&recallID, &recallNumber, &linked)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return 0, bad("There is no job " + Ref(n) + ".")
		case err != nil:
			return 0, fmt.Errorf("jobs: recall: %w", err)
		case recallID == originalID:
			return 0, bad("A job cannot be its own recall.")
		case linked != nil:
			return 0, bad(Ref(n) + " is already linked as a recall of another job.")
		}
		if _, err := tx.Exec(ctx, `update jobs set recall_of = $3, updated_at = now() where company_id = $1 and id = $2`,
			companyID, recallID, originalID); err != nil {
			return 0, fmt.Errorf("jobs: recall: %w", err)
		}
	}
	if err := Record(ctx, tx, companyID, recallID, by, "Linked as a recall of "+Ref(o.Number)); err != nil {
		return 0, err
	}
	if err := Record(ctx, tx, companyID, originalID, by, "Recall job "+Ref(recallNumber)+" linked"); err != nil {
		return 0, err
	}
	if strings.TrimSpace(recallRef) != "" {
		return recallID, nil // an existing job was linked, not added
	}
	return recallID, announce(ctx, tx, a, companyID, by, recallID)
}

// Summary is what other packages need to know of a job they act on.
type Summary struct {
	Number   int64
	Title    string
	ClientID int64
}

// Lock checks, inside tx, that the job is the company's and in scope, holds it against concurrent change, and
// returns its summary. ErrNotFound otherwise.
func Lock(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, id int64) (Summary, error) {
	c, err := lock(ctx, tx, companyID, scope, id)
	return Summary{Number: c.Number, Title: c.Title, ClientID: c.ClientID}, err
}

// Check reports, inside tx, whether the job is the company's and in scope, without holding it (ErrNotFound
// otherwise): for a change that must lock other jobs before this one.
func Check(ctx context.Context, tx pgx.Tx, companyID int64, scope Scope, id int64) error {
	var ok bool
	if err := tx.QueryRow(ctx, `select exists (select from jobs j where j.company_id = $1 and j.id = $2 and `+scopeSQL(3)+`)`,
		append([]any{companyID, id}, scope.args()...)...).Scan(&ok); err != nil {
		return fmt.Errorf("jobs: check: %w", err)
	}
	if !ok {
		return apperr.ErrNotFound
	}
	return nil
}

// MarkSeen notes that the office has opened a job raised in the portal, so it leaves From clients.
func MarkSeen(ctx context.Context, tx pgx.Tx, companyID, id int64) error {
	if _, err := tx.Exec(ctx, `update jobs set seen_at = now() where company_id = $1 and id = $2 and seen_at is null`, companyID, id); err != nil {
		return fmt.Errorf("jobs: mark seen: %w", err)
	}
	return nil
}

// FormOf is the edit form of job j, filled with what it holds now: its site, or else its free address.
func FormOf(j Job) Form {
	f := Form{Title: j.Title, Description: j.Description, ClientID: j.ClientID}
	if j.SiteID != nil {
		f.SiteID = *j.SiteID
	} else {
		f.Address = j.Address
	}
	return f
}
