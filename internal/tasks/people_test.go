package tasks

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
)

func (w world) remove(by, task, who int64) error {
	return w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) error {
		return Remove(context.Background(), tx, w.co, w.scope(by), task, who)
	})
}

func (w world) checkGuest(by, task, host int64) error {
	return w.tdb.InCompany(context.Background(), w.co, func(tx pgx.Tx) error {
		return CheckGuestInvite(context.Background(), tx, w.co, w.scope(by), task, host)
	})
}

// Anyone on the task takes people off it, never the requester; off it, a co-worker no longer sees it.
func TestTasks_Remove(t *testing.T) {
	w := newWorld(t)
	task := w.create(t, w.cora, Form{Title: "Gutters", ClientID: w.harbour})
	for _, who := range []int64{w.sam, w.gus} {
		if err := w.add(w.cora, task, who); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.remove(w.sam, task, w.cora); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("taking the requester off: %v, want a conflict", err)
	}
	if err := w.remove(w.sam, task, w.gus); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w.get(w.gus, task); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the guest taken off reads the task: %v, want ErrNotFound", err)
	}
	if err := w.remove(w.cora, task, w.sam); err != nil {
		t.Fatal(err)
	}
	if err := w.remove(w.sam, task, w.cora); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam, off the task, acting on it: %v, want ErrNotFound", err)
	}
	if err := w.remove(w.cora, task, w.sam); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("taking off someone not on it: %v, want ErrNotFound", err)
	}
}

// A guest is invited from a task only when it has a client, to work with one of that client's users; the task's
// side refuses the rest, and a forged host of another client is refused in words.
func TestTasks_CheckGuestInvite(t *testing.T) {
	w := newWorld(t)
	withClient := w.create(t, w.cora, Form{Title: "Gutters", ClientID: w.harbour})
	bare := w.create(t, w.cora, Form{Title: "Order ladders"})
	if err := w.checkGuest(w.cora, withClient, w.fran); err != nil {
		t.Errorf("a guest of the client's user: %v", err)
	}
	if err := w.checkGuest(w.cora, withClient, w.bea); apperr.AsValidation(err).Field("host_id") == "" {
		t.Errorf("a host of another client: %v, want words next to the field", err)
	}
	if err := w.checkGuest(w.cora, bare, w.fran); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("a guest on a task without a client: %v, want a conflict", err)
	}
	if err := w.checkGuest(w.sam, withClient, w.fran); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("someone not on the task inviting to it: %v, want ErrNotFound", err)
	}
	for _, who := range []int64{w.fran, w.gus} {
		if err := w.add(w.cora, withClient, who); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.checkGuest(w.fran, withClient, w.fran); err != nil {
		t.Errorf("Fran inviting a guest of her own: %v", err)
	}
	if err := w.checkGuest(w.fran, withClient, w.bea); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("Fran inviting a guest for someone else: %v, want ErrForbidden", err)
	}
	if err := w.checkGuest(w.gus, withClient, w.fran); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("a guest inviting a guest: %v, want ErrForbidden", err)
	}
}

// Browse: everyone on the task lists and reads its files; no one else does, and a refused file saves nothing.
func TestTasks_Files(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	store := files.Postgres{DB: w.tdb.DB}
	task := w.create(t, w.cora, Form{Title: "Gutters", ClientID: w.harbour})
	if err := w.add(w.cora, task, w.fran); err != nil {
		t.Fatal(err)
	}
	upload := func(by int64, u files.Upload) error {
		return w.tdb.InCompany(ctx, w.co, func(tx pgx.Tx) error {
			_, err := AddFile(ctx, tx, store, w.co, w.scope(by), Actor{MembershipID: by, Name: "x"}, task, u)
			return err
		})
	}
	if err := upload(w.fran, files.Upload{Name: "note.txt", Data: []byte("the gutter is loose")}); err != nil {
		t.Fatal(err)
	}
	err := upload(w.fran, files.Upload{Name: "run.exe", Data: []byte("MZ")})
	if msg := apperr.AsValidation(err).Field("file"); msg == "" {
		t.Errorf("an .exe: %v, want words naming the allowed types", err)
	}
	if err := upload(w.sam, files.Upload{Name: "x.txt", Data: []byte("x")}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Sam, not on the task, uploading: %v, want ErrNotFound", err)
	}
	list := func(who int64) ([]files.File, error) {
		var fs []files.File
		err := w.tdb.Read(ctx, w.co, func(b *pgx.Batch) {
			QueueVisible(b, w.co, w.scope(who), task)
			QueueFiles(b, w.co, w.scope(who), task, &fs)
		})
		return fs, err
	}
	if fs, err := list(w.cora); err != nil || len(fs) != 1 || fs[0].Name != "note.txt" {
		t.Errorf("the requester's files: %+v %v, want the one note", fs, err)
	}
	if fs, err := list(w.sam); !errors.Is(err, apperr.ErrNotFound) || len(fs) != 0 {
		t.Errorf("Sam's files of a task he is not on: %+v %v, want none and ErrNotFound", fs, err)
	}
}
