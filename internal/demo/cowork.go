package demo

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// seedCowork adds the co-working part of the demo: Fran's guest, a group for Harbour View with Cora and the guest,
// the admin's Push on for Harbour View's jobs, a visit Fran requested, and a few notifications of Fran's portal activity for the admin and
// Cora (unread, so the counter shows at the first login).
func seedCowork(ctx context.Context, tx pgx.Tx, companyID int64, hash string, admin, cora, fran int64) error {
	var guest int64
	err := tx.QueryRow(ctx, `
		with a as (insert into accounts (email, name, password_hash) values ($2, $3, $4)
		           on conflict (email) do update set name = excluded.name returning id)
		insert into memberships (company_id, account_id, role, host_id) select $1, a.id, 'guest', $5 from a returning id`,
		companyID, GuestLogin.Email, GuestLogin.Name, hash, fran).Scan(&guest)
	if err != nil {
		return err
	}
	var harbour, group int64
	if err := tx.QueryRow(ctx, `select client_id from memberships where company_id = $1 and id = $2`, companyID, fran).Scan(&harbour); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `insert into groups (company_id, name, client_id) values ($1, 'Harbour View maintenance', $2) returning id`,
		companyID, harbour).Scan(&group); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `insert into group_members (company_id, group_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`,
		companyID, group, cora, guest); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `insert into push_subscriptions (company_id, membership_id, client_id, area) values ($1, $2, $3, 'jobs')`,
		companyID, admin, harbour); err != nil {
		return err
	}
	if err := seedTasks(ctx, tx, companyID, harbour, admin, cora, fran, guest); err != nil {
		return err
	}
	// This week's reminders: a call reminder on the company's calendar for the admin and Cora, an appointment on
	// Harbour View's calendar for Fran, already told (fired) so the demo starts quiet.
	var call int64
	if err := tx.QueryRow(ctx, `
		insert into reminders (company_id, kind, title, starts_at, ends_at, notes, created_by, fired_at)
		values ($1, 'call', 'Ring the caretaker about the lobby lights', (current_date + 1 + time '08:30') at time zone 'Pacific/Auckland',
		        (current_date + 1 + time '08:45') at time zone 'Pacific/Auckland', 'Ask for the keys to the plant room.', $2, now())
		returning id`, companyID, admin).Scan(&call); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		insert into reminder_calls (company_id, reminder_id, position, name, phone)
		values ($1, $2, 0, 'Caretaker', '+6495550456'), ($1, $2, 1, 'Body corporate', '+6421555123');
		`, companyID, call); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		insert into reminder_people (company_id, reminder_id, membership_id) values ($1, $2, $3), ($1, $2, $4)`,
		companyID, call, admin, cora); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		insert into reminders (company_id, kind, title, starts_at, ends_at, client_id, created_by, fired_at)
		values ($1, 'appointment', 'Quarterly walk-through with Fran', (current_date + 3 + time '14:00') at time zone 'Pacific/Auckland',
		        (current_date + 3 + time '15:00') at time zone 'Pacific/Auckland', $2, $3, now())`, companyID, harbour, admin); err != nil {
		return err
	}
	// Fran's visit request on the second newest Harbour View job: a morning, with Cora, for the office to schedule.
	if _, err := tx.Exec(ctx, `
		insert into visits (company_id, job_id, assignee_id, requested_by, requested_start, requested_end)
		select $1, j.id, $3, $4, (current_date + 4 + time '09:00') at time zone 'Pacific/Auckland',
		       (current_date + 4 + time '12:00') at time zone 'Pacific/Auckland'
		  from jobs j where j.company_id = $1 and j.client_id = $2 order by j.id desc offset 1 limit 1`,
		companyID, harbour, cora, fran); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		insert into notifications (company_id, membership_id, area, client_id, title, link, actor_name, created_at)
		select $1, who, 'jobs', $2, what || ' J-' || j.number || ' · ' || j.title, '/jobs/' || j.id, $5, now() - (n || ' hours')::interval
		  from (select j.*, row_number() over (order by j.id desc) as n from jobs j where j.company_id = $1 and j.client_id = $2) j
		  cross join unnest(array[$3::bigint, $4::bigint]) as who
		  cross join lateral (select case j.n when 1 then 'New job' when 2 then 'Visit requested' else 'Job edited' end as what) w
		 where j.n <= 3
		 order by j.n desc`, companyID, harbour, admin, cora, PortalLogin.Name) // oldest first: ids follow time
	return err
}

// seedTasks adds two tasks of Harbour View: an open one with its people and a few comments, and a done one.
func seedTasks(ctx context.Context, tx pgx.Tx, companyID, harbour, admin, cora, fran, guest int64) error {
	var open, done int64
	if err := tx.QueryRow(ctx, `
		insert into tasks (company_id, title, description, client_id, due_on, requester_id)
		values ($1, 'Replace the lobby lights', 'Six fittings in Block A; the caretaker has the keys.', $2, current_date + 3, $3) returning id`,
		companyID, harbour, admin).Scan(&open); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `
		insert into tasks (company_id, title, client_id, status, requester_id, done_at)
		values ($1, 'Check the fire doors', $2, 'done', $3, now() - interval '2 days') returning id`,
		companyID, harbour, cora).Scan(&done); err != nil {
		return err
	}
	for task, people := range map[int64][]int64{open: {admin, cora, fran, guest}, done: {cora, admin}} {
		if _, err := tx.Exec(ctx, `
			insert into task_people (company_id, task_id, membership_id, added_by) select $1, $2, unnest($3::bigint[]), $4`,
			companyID, task, people, people[0]); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `
		insert into task_comments (company_id, task_id, author_id, author_name, body, created_at)
		select $1, $2, m.id, a.name, c.body, now() - c.ago
		  from (values ($3::bigint, 'Ladder and fittings booked for Thursday.', interval '5 hours'),
		               ($4::bigint, 'I will leave the lobby key with reception.', interval '3 hours'),
		               ($5::bigint, 'Keys are in the caretaker''s office from 8.', interval '1 hour')) c(who, body, ago)
		  join memberships m on m.company_id = $1 and m.id = c.who
		  join accounts a on a.id = m.account_id`, companyID, open, cora, fran, guest)
	return err
}
