package public

import (
	"encoding/json"
	"io"
	"net/http"

	"fieldops/internal/sms"
)

// SMSInbound answers POST /sms/inbound: a text sent to the app's provider number, as JSON {"from", "body"} signed
// with SMS_WEBHOOK_SECRET (X-Signature: hex HMAC-SHA256 of the body). A STOP from a number means no company texts it
// again. A missing or wrong signature, or no secret configured, is a 404: nothing is believed unsigned.
func (h *Handlers) SMSInbound(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil || !sms.Verify(h.SMSWebhookSecret, body, r.Header.Get("X-Signature")) {
		h.NotFound(w, r)
		return
	}
	var in struct{ From, Body string }
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "The body is not JSON of {\"from\", \"body\"}.", http.StatusBadRequest)
		return
	}
	if sms.IsStop(in.Body) {
		phone, ok := sms.Number(in.From)
		if !ok {
			http.Error(w, "\"from\" is not a phone number with its country code.", http.StatusBadRequest)
			return
		}
		if err := sms.OptOut(r.Context(), h.DB, phone); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
