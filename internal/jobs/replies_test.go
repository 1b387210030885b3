package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// A client's reply: only a client user with View messages, only on their client's job; stored visible to the client
// and from the client, with a History line; the job is unseen again (From clients) until the office opens it.
func TestAddClientReply(t *testing.T) {
	tdb := dbtest.New(t)
	f := newFixture(t, tdb, "Acme")
	job := f.create(t, "Leaking tap")
	var other int64
	tdb.Owner.QueryRow(context.Background(), `insert into clients (company_id, name) values ($1, 'Other') returning id`, f.co).Scan(&other)
	reply := func(scope Scope, perms identity.Permissions, body string) error {
		return f.in(t, func(tx pgx.Tx) error {
			_, err := AddClientReply(context.Background(), tx, f.co, scope, perms, Actor{Name: "Fran"}, job, body)
			return err
		})
	}
	may := identity.Permissions{ViewMessages: true}
	for name, c := range map[string]struct {
		scope Scope
		perms identity.Permissions
		want  error
	}{
		"without View messages": {Scope{Client: f.client}, identity.Permissions{AddEdit: true}, apperr.ErrForbidden},
		"an office scope":       {Everything, may, apperr.ErrForbidden},
		"another client":        {Scope{Client: other}, may, apperr.ErrNotFound},
	} {
		if err := reply(c.scope, c.perms, "hi"); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if err := reply(Scope{Client: f.client}, may, "  "); apperr.AsValidation(err).Field("body") == "" {
		t.Errorf("an empty reply: %v, want words next to the field", err)
	}
	if err := reply(Scope{Client: f.client}, may, "Ring the buzzer"); err != nil {
		t.Fatal(err)
	}
	var visible, fromClient, unseen bool
	tdb.Owner.QueryRow(context.Background(), `select m.visible_to_client, m.from_client, j.seen_at is null
		from job_messages m join jobs j on j.id = m.job_id where m.job_id = $1`, job).Scan(&visible, &fromClient, &unseen)
	if !visible || !fromClient || !unseen {
		t.Errorf("the reply: visible %t, from the client %t, job unseen %t; want all", visible, fromClient, unseen)
	}
	if h := f.history(t, job); h[len(h)-1] != "Reply from the client" && h[0] != "Reply from the client" {
		t.Errorf("history %v lacks the reply", h)
	}
}
