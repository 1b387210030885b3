package demo

import (
	"context"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/chat"
	"fieldops/internal/db"
)

// seedChat adds a few conversations: Cora and Fran in Harbour View's room, the office in the company's room, and
// Cora and Sam directly (the admin's Overseen folder). Each sender has read up to their own last message, so the
// others start with unread counts.
func seedChat(ctx context.Context, tx pgx.Tx, companyID, harbour, admin, cora, sam, fran int64) error {
	direct := chat.Direct(cora, sam)
	rooms := []struct {
		room    chat.Room
		lines   []string
		senders []int64
	}{
		{chat.Room{Kind: "client", Client: harbour}, []string{
			"Morning Fran, the electrician is booked for the lobby lights on Thursday.",
			"Great, thanks Cora. The caretaker will have the plant room keys from 8.",
			"Perfect. Photos of the fittings are on the task: https://example.com/lobby-lights",
		}, []int64{cora, fran, cora}},
		{chat.Room{Kind: "company"}, []string{
			"Van 2 is at the garage until Wednesday: use van 3.",
			"Noted. I'll take the ladder rack off van 2 tonight.",
		}, []int64{admin, sam}},
		{direct, []string{
			"Can you cover my 2pm at the bakery? Running late at Harbour View.",
			"Sure, I'll head there after lunch.",
		}, []int64{cora, sam}},
	}
	for i, r := range rooms {
		var room int64
		if err := tx.QueryRow(ctx, `
			insert into chat_rooms (company_id, key, kind, client_id, member_a, member_b, last_message_at)
			values ($1, $2, $3, $4, $5, $6, now() - make_interval(mins => $7)) returning id`,
			companyID, r.room.Key(), r.room.Kind, db.NullID(r.room.Client), db.NullID(r.room.A), db.NullID(r.room.B), 10*i).Scan(&room); err != nil {
			return err
		}
		for j, line := range r.lines {
			ago := 10*i + 20*(len(r.lines)-j) // oldest first, so ids follow time
			var id int64
			if err := tx.QueryRow(ctx, `
				insert into chat_messages (company_id, room_id, sender_id, body, created_at)
				values ($1, $2, $3, $4, now() - make_interval(mins => $5)) returning id`,
				companyID, room, r.senders[j], line, ago).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `
				insert into chat_reads (company_id, room_id, membership_id, last_read_id) values ($1, $2, $3, $4)
				on conflict (company_id, membership_id, room_id) do update set last_read_id = excluded.last_read_id`,
				companyID, room, r.senders[j], id); err != nil {
				return err
			}
		}
	}
	return nil
}
