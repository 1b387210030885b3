package invoices

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/files"
	"fieldops/internal/jobs"
)

func TestParseShare(t *testing.T) {
	for in, want := range map[string]string{"20%": "{2000 0} true", " 12.5 % ": "{1250 0} true", "450": "{0 45000} true", "$450.50": "{0 45050} true",
		"": "{0 0} true", "0%": "{0 0} false", "101%": "{10100 0} false", "-5": "{0 0} false", "twenty": "{0 0} false", "0": "{0 0} false"} {
		s, ok := ParseShare(in)
		if got := fmt.Sprint(s, " ", ok); got != want {
			t.Errorf("ParseShare(%q) = %s, want %s", in, got, want)
		}
	}
}

// Staged billing, the seed's 20 % on day 1, 20 % on day 3, 60 % on day 5: three stages plan the whole parent, a
// fourth is refused in words with what is left; amounts count as their part of the total; a stage's invoice bills
// its share of the parent; the parent lists each stage with its invoice and nothing remaining.
func TestStages(t *testing.T) {
	tdb := dbtest.New(t)
	ctx := context.Background()
	co := tdb.CreateCompany(t, "Acme")
	tdb.Owner.Exec(ctx, `update companies set tax_rate_bp = 1500, currency = 'NZD' where id = $1`, co)
	var client, parent, other int64
	tdb.Owner.QueryRow(ctx, `insert into clients (company_id, name) values ($1, 'Harbour View') returning id`, co).Scan(&client)
	tdb.Owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, title) values ($1, 1, $2, $2, 'Bathroom refit') returning id`, co, client).Scan(&parent)
	tdb.Owner.QueryRow(ctx, `insert into jobs (company_id, number, client_id, billing_client_id, title) values ($1, 2, $2, $2, 'Deck') returning id`, co, client).Scan(&other)
	tdb.Owner.Exec(ctx, `insert into job_lines (company_id, job_id, description, quantity_milli, unit_price_cents) values ($1, $2, 'Refit', 1000, 1000000), ($1, $3, 'Deck', 1000, 200000)`, co, parent, other)
	tdb.Owner.Exec(ctx, `insert into job_numbers (company_id, next_number) values ($1, 3) on conflict (company_id) do update set next_number = 3`, co)
	by := jobs.Actor{Name: "Ann"}
	stage := func(parentID int64, share string, day int) (sub int64, err error) {
		s, ok := ParseShare(share)
		if !ok {
			t.Fatalf("share %q", share)
		}
		on := time.Date(2026, 12, day, 0, 0, 0, 0, time.UTC)
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) error {
			var err error
			if sub, _, err = jobs.CreateSubjob(ctx, tx, co, jobs.Everything, by, parentID, "Stage "+share, nil); err != nil {
				return err
			}
			return SetStage(ctx, tx, co, parentID, sub, s, &on)
		})
		return sub, err
	}
	var first int64
	for i, share := range []string{"20%", "20%", "60%"} {
		sub, err := stage(parent, share, 1+2*i)
		if err != nil {
			t.Fatalf("stage %s: %v", share, err)
		}
		if i == 0 {
			first = sub
		}
	}
	if _, err := stage(parent, "10%", 7); apperr.AsValidation(err).Field("share") != "The stages would bill more than the whole job: 0% of it is left to plan." {
		t.Errorf("a fourth stage: %v", err)
	}
	var subjobs int
	if tdb.Owner.QueryRow(ctx, `select count(*) from jobs where parent_id = $1`, parent).Scan(&subjobs); subjobs != 3 {
		t.Errorf("%d subjobs after the refusal, want 3", subjobs)
	}
	// The deck: 450.00 of 2,000.00 is 22.5 %, so 80 % more is refused with 77.5 % left.
	if _, err := stage(other, "450", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := stage(other, "80%", 2); !strings.Contains(apperr.AsValidation(err).Field("share"), "77.5% of it is left") {
		t.Errorf("past 100 %% with an amount: %v", err)
	}
	var inv Invoice
	err := tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
		inv, err = Issue(ctx, tx, files.Postgres{}, co, jobs.Everything, by, first, time.Now())
		return err
	})
	if err != nil || len(inv.Lines) != 1 || inv.Lines[0].AmountCents != 200000 || inv.Lines[0].Description != "20% of J-1 Bathroom refit ($10,000.00)" ||
		inv.TotalCents != 230000 {
		t.Fatalf("stage 1's invoice: %+v (%v)", inv, err)
	}
	// The parents bill what their stages leave: nothing for the bathroom (refused in words), 1,550.00 of the deck.
	issueOf := func(id int64) (inv Invoice, err error) {
		err = tdb.InCompany(ctx, co, func(tx pgx.Tx) (err error) {
			inv, err = Issue(ctx, tx, files.Postgres{}, co, jobs.Everything, by, id, time.Now())
			return err
		})
		return inv, err
	}
	if _, err := issueOf(parent); apperr.AsValidation(err) == nil || !strings.Contains(err.Error(), "nothing to bill") {
		t.Errorf("the parent billed in full by its stages: %v", err)
	}
	if deck, err := issueOf(other); err != nil || deck.SubtotalCents != 155000 || len(deck.Lines) != 2 || deck.Lines[1].AmountCents != -45000 ||
		!strings.HasPrefix(deck.Lines[1].Description, "Billed in stages: J-") {
		t.Errorf("the deck's own invoice: %+v (%v)", deck, err)
	}
	var st Stages
	tdb.Read(ctx, co, func(b *pgx.Batch) { QueueStages(b, co, parent, &st) })
	if len(st.List) != 3 || st.List[0].Invoice != "INV-1001" || st.List[0].InvoiceCents != 230000 || st.List[2].PlannedCents != 600000 ||
		st.Remaining() != 0 || st.List[1].BillOn.Day() != 3 {
		t.Errorf("the parent's stages: %+v, remaining %d", st, st.Remaining())
	}
}
