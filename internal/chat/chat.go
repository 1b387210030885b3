// Package chat owns the chat rooms — the company's, each client's and group's, and direct ones between two people —
// who may read and write each (the seed's rules, in one SQL condition), their messages and unread counts, and the
// hub that carries news of a message to the open pages of the people of its room.
package chat

import (
	"fmt"
	"strconv"
	"strings"

	"fieldops/internal/db"
)

// Room names a room: its kind, and the client, group or the two people it is of.
type Room struct {
	Kind   string // "company", "client", "group" or "direct"
	Client int64
	Group  int64
	A, B   int64 // a direct room's people, A < B
}

// Key names the room in URLs: "company", "client-5", "group-3", "people-3-9".
func (r Room) Key() string {
	switch r.Kind {
	case "client":
		return "client-" + strconv.FormatInt(r.Client, 10)
	case "group":
		return "group-" + strconv.FormatInt(r.Group, 10)
	case "direct":
		return "people-" + strconv.FormatInt(r.A, 10) + "-" + strconv.FormatInt(r.B, 10)
	}
	return "company"
}

// Direct is the room of two people (in either order).
func Direct(a, b int64) Room {
	return Room{Kind: "direct", A: min(a, b), B: max(a, b)}
}

// ParseKey reads a Key; false for anything else (also "people-9-3", whose people are not in order).
func ParseKey(key string) (Room, bool) {
	if key == "company" {
		return Room{Kind: "company"}, true
	}
	kind, rest, _ := strings.Cut(key, "-")
	id := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
			return 0
		}
		return n
	}
	switch kind {
	case "client":
		if n := id(rest); n > 0 {
			return Room{Kind: "client", Client: n}, true
		}
	case "group":
		if n := id(rest); n > 0 {
			return Room{Kind: "group", Group: n}, true
		}
	case "people":
		a, b, _ := strings.Cut(rest, "-")
		if x, y := id(a), id(b); x > 0 && y > 0 && x < y {
			return Direct(x, y), true
		}
	}
	return Room{}, false
}

// args are the room as named arguments: @kind, @key, @client, @group, @a, @b.
func (r Room) args() map[string]any {
	return map[string]any{"kind": r.Kind, "key": r.Key(), "client": db.NullID(r.Client), "group": db.NullID(r.Group), "a": db.NullID(r.A), "b": db.NullID(r.B)}
}

// asRow is the room given by args as a row of chat_rooms' columns, for the conditions below.
const asRow = `(select @company::bigint as company_id, @kind::text as kind, @client::bigint as client_id, @group::bigint as group_id,
	@a::bigint as member_a, @b::bigint as member_b)`

// talks is the condition that memberships x and y may talk directly (the seed): both active, and both admins or
// co-workers, or a co-worker and a client user of a client assigned to them. Guests and subcontractors talk in
// rooms only where they are let in.
func talks(x, y string) string {
	return fmt.Sprintf(`(%[1]s.active and %[2]s.active and %[1]s.id <> %[2]s.id and (
	    (%[1]s.role in ('admin', 'co-worker') and %[2]s.role in ('admin', 'co-worker'))
	    or (%[1]s.role = 'co-worker' and %[2]s.role = 'client' and exists (select from client_coworkers cc
	          where cc.company_id = %[1]s.company_id and cc.client_id = %[2]s.client_id and cc.membership_id = %[1]s.id))
	    or (%[2]s.role = 'co-worker' and %[1]s.role = 'client' and exists (select from client_coworkers cc
	          where cc.company_id = %[1]s.company_id and cc.client_id = %[1]s.client_id and cc.membership_id = %[2]s.id))))`, x, y)
}

// reads is the condition that membership v may read room r (columns of chat_rooms): the one rule of who is in a
// room, for the pages, the posts and whom news of a message reaches.
//   - company: admins and co-workers;
//   - client: admins, the co-workers assigned to the client, its client users, and their guests when the client lets
//     guests into chat;
//   - group: admins, the group's members (a co-worker only while assigned to the group's client, if it has one),
//     and the client users of the group's client;
//   - direct: its two people while they may talk; and admins, reading only (the Overseen folder).
func reads(v, r string) string {
	return fmt.Sprintf(`(%[1]s.active and case %[2]s.kind
	when 'company' then %[1]s.role in ('admin', 'co-worker')
	when 'client' then exists (select from clients c where c.company_id = %[2]s.company_id and c.id = %[2]s.client_id) and (%[1]s.role = 'admin'
	    or (%[1]s.role = 'co-worker' and exists (select from client_coworkers cc
	          where cc.company_id = %[2]s.company_id and cc.client_id = %[2]s.client_id and cc.membership_id = %[1]s.id))
	    or (%[1]s.role = 'client' and %[1]s.client_id = %[2]s.client_id)
	    or (%[1]s.role = 'guest' and exists (select from memberships h join clients hc on hc.company_id = h.company_id and hc.id = h.client_id
	          where h.company_id = %[2]s.company_id and h.id = %[1]s.host_id and h.active and h.client_id = %[2]s.client_id and hc.chat_guests)))
	when 'group' then exists (select from groups g where g.company_id = %[2]s.company_id and g.id = %[2]s.group_id and (%[1]s.role = 'admin'
	    or (%[1]s.role = 'client' and g.client_id = %[1]s.client_id)
	    or (exists (select from group_members gm where gm.company_id = g.company_id and gm.group_id = g.id and gm.membership_id = %[1]s.id)
	        and (%[1]s.role <> 'co-worker' or g.client_id is null or exists (select from client_coworkers cc
	              where cc.company_id = g.company_id and cc.client_id = g.client_id and cc.membership_id = %[1]s.id)))))
	when 'direct' then exists (select from memberships x join memberships y on y.company_id = x.company_id and y.id = %[2]s.member_b
	    where x.company_id = %[2]s.company_id and x.id = %[2]s.member_a
	      and ((%[1]s.role = 'admin' and %[1]s.id not in (x.id, y.id)) or (%[1]s.id in (x.id, y.id) and `+talks("x", "y")+`)))
	else false end)`, v, r)
}

// writes is the condition that membership v, who reads room r, may also post in it: not an admin overseeing two
// other people's direct room.
func writes(v, r string) string {
	return fmt.Sprintf(`(%[2]s.kind <> 'direct' or %[1]s.id in (%[2]s.member_a, %[2]s.member_b))`, v, r)
}
