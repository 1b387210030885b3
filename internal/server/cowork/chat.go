package cowork

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/chat"
	"fieldops/internal/identity"
	"fieldops/internal/server/page"
	coworkview "fieldops/templates/cowork"
)

// chatViewer is the viewer of a chat route; false (after a 404) for a subcontractor, who has no chat.
func (h *Handlers) chatViewer(w http.ResponseWriter, r *http.Request) (*identity.Viewer, bool) {
	v := page.ViewerOf(r)
	if v.Role == identity.RoleSubcontractor {
		h.NotFound(w, r)
		return nil, false
	}
	return v, true
}

// chatRoom reads the {room} of the path; false (after a 404) for a key that names no room.
func (h *Handlers) chatRoom(w http.ResponseWriter, r *http.Request) (chat.Room, bool) {
	room, ok := chat.ParseKey(r.PathValue("room"))
	if !ok {
		h.NotFound(w, r)
	}
	return room, ok
}

// Chat answers GET /chat: the viewer's rooms by folder, with unread counts, and whom they may start a direct
// conversation with — in one Read.
func (h *Handlers) Chat(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	p := coworkview.ChatPage{Me: v.MembershipID, Location: v.Location(), Now: h.Now(), Notice: h.Notice(r)}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		chat.QueueRooms(b, v.CompanyID, v.MembershipID, &p.Rooms)
		chat.QueueTalkTo(b, v.CompanyID, v.MembershipID, &p.People)
	})
	h.Render(w, r, err, coworkview.Chat(h.Chrome(r, "Chat"), p))
}

// ChatRooms answers GET /chat/rooms?open=: the folders alone, for an open chat page to redraw its counts.
func (h *Handlers) ChatRooms(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	p := coworkview.ChatPage{Me: v.MembershipID, Location: v.Location(), Now: h.Now()}
	p.Room.Header.Room, p.Open = chat.ParseKey(r.URL.Query().Get("open")) // the open room's link stays marked
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		chat.QueueRooms(b, v.CompanyID, v.MembershipID, &p.Rooms)
	})
	h.Render(w, r, err, coworkview.ChatFolders(p))
}

// ChatRoom answers GET /chat/{room}?before=: the room at its newest messages (or those before a message), beside
// the folders, with the composer unless the viewer oversees it — in one Read. 404 for a room they may not read.
func (h *Handlers) ChatRoom(w http.ResponseWriter, r *http.Request) {
	h.showRoom(w, r, "", nil)
}

func (h *Handlers) showRoom(w http.ResponseWriter, r *http.Request, body string, formErr error) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	room, ok := h.chatRoom(w, r)
	if !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	p := coworkview.ChatPage{Me: v.MembershipID, Location: v.Location(), Now: h.Now(), Notice: h.Notice(r), Body: body,
		Errors: page.Validation(formErr), Open: true, Before: before}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		chat.QueueRooms(b, v.CompanyID, v.MembershipID, &p.Rooms)
		chat.QueueRoom(b, v.CompanyID, v.MembershipID, room, max(before, 0), &p.Room)
	})
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, coworkview.Chat(h.Chrome(r, p.Room.Header.Name), p))
}

// fromScript: the request is the chat page's script's, which wants a status, not a page.
func fromScript(r *http.Request) bool { return r.Header.Get("X-Chat") == "1" }

// PostChatMessage answers POST /chat/{room}/messages: the message is sent (the page goes back to the room's newest);
// refused in words next to the composer, the text kept; 404 for a room the viewer may not read, 403 for one they
// oversee.
func (h *Handlers) PostChatMessage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	room, ok := h.chatRoom(w, r)
	if !ok {
		return
	}
	body := r.PostFormValue("body")
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		_, err := chat.Post(r.Context(), tx, v.CompanyID, chat.Sender{Member: v.MembershipID, Name: v.Name}, room, body)
		return err
	})
	switch {
	case fromScript(r) && page.RefusedInWords(err):
		http.Error(w, apperr.AsValidation(err).Field("body"), http.StatusUnprocessableEntity)
	case page.RefusedInWords(err):
		h.showRoom(w, r, body, err)
	case err != nil:
		h.Fail(w, r, err)
	case fromScript(r):
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Redirect(w, r, "/chat/"+room.Key()+"#latest", http.StatusSeeOther)
	}
}

// DeleteChatMessage answers POST /chat/{room}/messages/{id}/delete: the sender's own, within 15 minutes.
func (h *Handlers) DeleteChatMessage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	room, ok := h.chatRoom(w, r)
	if !ok {
		return
	}
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return chat.Delete(r.Context(), tx, v.CompanyID, v.MembershipID, room, id)
	})
	if err == nil && fromScript(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.Done(w, r, err, "/chat/"+room.Key()+"#latest", "Message deleted.")
}

// ReadChat answers POST /chat/{room}/read: the viewer has read the room up to message last (the page's script says
// so as messages show; the Mark as read button without it).
func (h *Handlers) ReadChat(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	room, ok := h.chatRoom(w, r)
	if !ok {
		return
	}
	last, _ := strconv.ParseInt(r.PostFormValue("last"), 10, 64)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return chat.MarkRead(r.Context(), tx, v.CompanyID, v.MembershipID, room, last)
	})
	if err == nil && fromScript(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.Done(w, r, err, "/chat/"+room.Key()+"#latest", "")
}

// ChatAfter answers GET /chat/{room}/after/{id}: the room's messages after message id, as the list items an open
// page appends — in one Read; 404 for a room the viewer may not (or no longer) read.
func (h *Handlers) ChatAfter(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	room, ok := h.chatRoom(w, r)
	if !ok {
		return
	}
	after, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || after < 0 {
		h.NotFound(w, r)
		return
	}
	p := coworkview.ChatPage{Me: v.MembershipID, Location: v.Location(), Now: h.Now(), Open: true}
	var ms []chat.Message
	err = h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		chat.QueueHeader(b, v.CompanyID, v.MembershipID, room, &p.Room.Header)
		chat.QueueAfter(b, v.CompanyID, v.MembershipID, room, after, &ms)
	})
	p.Room.Messages = ms
	h.Render(w, r, err, coworkview.ChatMessages(p))
}

// chatHeartbeat is how often an idle stream says it is alive (proxies close quiet connections).
const chatHeartbeat = 25 * time.Second

// chatWriteTimeout bounds each write to a stream: a page that stopped reading is let go, not waited on.
const chatWriteTimeout = 10 * time.Second

// ChatStream answers GET /chat/stream: server-sent events, one "news" event per message (or deletion) in a room the
// viewer reads — {"room": key, "id": message, "deleted": bool}; a room of "" means anything may have changed.
// It holds no database connection: the hub's one LISTEN feeds every stream of the process.
func (h *Handlers) ChatStream(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts, which are for requests; each write has its own.
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Now().Add(chatWriteTimeout))
	sub := h.Hub.Subscribe(v.CompanyID, v.MembershipID)
	defer h.Hub.Unsubscribe(sub)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(chatHeartbeat)
	defer beat.Stop()
	type event struct {
		Room    string `json:"room"`
		ID      int64  `json:"id"`
		Deleted bool   `json:"deleted"`
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Done:
			return
		case <-beat.C:
			rc.SetWriteDeadline(time.Now().Add(chatWriteTimeout))
			fmt.Fprint(w, ": alive\n\n")
		case n := <-sub.C:
			if n.Everyone { // not named among its readers: say only that anything may have changed
				n = chat.News{}
			}
			if len(sub.C) == 0 && sub.Missed() { // news was dropped while this page lagged
				n = chat.News{}
			}
			rc.SetWriteDeadline(time.Now().Add(chatWriteTimeout))
			data, _ := json.Marshal(event{Room: n.Room, ID: n.Message, Deleted: n.Deleted})
			fmt.Fprintf(w, "event: news\ndata: %s\n\n", data)
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// ChatWith answers GET /chat/with?person=: to the direct room with that person; 404 unless they may talk.
func (h *Handlers) ChatWith(w http.ResponseWriter, r *http.Request) {
	v, ok := h.chatViewer(w, r)
	if !ok {
		return
	}
	person, err := strconv.ParseInt(r.URL.Query().Get("person"), 10, 64)
	if err != nil || person <= 0 || person == v.MembershipID {
		h.NotFound(w, r)
		return
	}
	room := chat.Direct(v.MembershipID, person)
	var header chat.Header
	if err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) { chat.QueueHeader(b, v.CompanyID, v.MembershipID, room, &header) }); err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/chat/"+room.Key(), http.StatusSeeOther)
}
