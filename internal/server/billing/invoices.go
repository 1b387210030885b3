package billing

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"fieldops/internal/apperr"
	"fieldops/internal/files"
	"fieldops/internal/invoices"
	"fieldops/internal/jobs"
	"fieldops/internal/server/page"
	"fieldops/internal/share"
	jobsview "fieldops/templates/jobs"
)

// IssueInvoice answers POST /jobs/{id}/invoice: the job's invoice issued from its time & parts, or re-issued as a
// new version; refused in words on the Time & parts tab when the job has no lines.
func (h *Handlers) IssueInvoice(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	var issued invoices.Invoice
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		issued, err = invoices.Issue(r.Context(), tx, h.Files, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, h.Now())
		return err
	})
	h.JobChanged(w, r, id, err, "lines", "Invoice "+issued.Ref()+" issued: "+jobs.FormatMoney(issued.TotalCents, issued.Currency)+".")
}

// InvoicePaid answers POST /jobs/{id}/invoice/paid: the current invoice marked paid.
func (h *Handlers) InvoicePaid(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) error {
		return invoices.MarkPaid(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, h.Now())
	})
	h.JobChanged(w, r, id, err, "lines", "Invoice marked paid.")
}

// InvoicePDF answers GET /jobs/{id}/invoice/pdf (the current invoice) and GET /jobs/{id}/invoices/{invoiceID}/pdf
// (any version): Download invoice. 404 for a job out of scope or without one.
func (h *Handlers) InvoicePDF(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	var version int64
	if r.PathValue("invoiceID") != "" {
		if version, ok = h.PathID(w, r, "invoiceID"); !ok {
			return
		}
	}
	v := page.ViewerOf(r)
	var j jobs.Job
	var f files.File
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &j)
		invoices.QueuePDF(b, v.CompanyID, id, version, &f)
	})
	var data []byte
	if err == nil {
		data, err = h.Files.Get(r.Context(), v.CompanyID, f.ID, files.Original)
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	page.WriteFile(w, f, data)
}

// InvoiceSendForm answers GET /jobs/{id}/invoice/send: Resend invoice to customer, with the billing client's contact
// ticked.
func (h *Handlers) InvoiceSendForm(w http.ResponseWriter, r *http.Request) {
	h.showInvoiceSend(w, r, jobsview.InvoiceSendPage{}, nil)
}

func (h *Handlers) showInvoiceSend(w http.ResponseWriter, r *http.Request, p jobsview.InvoiceSendPage, formErr error) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p.Errors = page.Validation(formErr)
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &p.Job)
		invoices.QueueForJob(b, v.CompanyID, id, &p.Invoices)
		share.QueueInvoiceTo(b, v.CompanyID, id, &p.Offered)
	})
	if err == nil && len(p.Invoices) == 0 {
		err = apperr.ErrNotFound // nothing to send yet
	}
	if formErr == nil && len(p.Offered) > 0 {
		p.Ticked = []string{p.Offered[0].Email}
	}
	if err == nil {
		err = formErr
	}
	h.Render(w, r, err, jobsview.InvoiceSend(h.Chrome(r, "Resend invoice to customer"), p))
}

// InvoiceSend answers POST /jobs/{id}/invoice/send: one email per recipient, the PDF attached, each in the dispatch
// log; refused in words on the form, nothing queued.
func (h *Handlers) InvoiceSend(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	r.ParseForm()
	p := jobsview.InvoiceSendPage{Ticked: r.PostForm["to"], Custom: r.PostFormValue("custom")}
	var n int
	err := h.DB.InCompany(r.Context(), v.CompanyID, func(tx pgx.Tx) (err error) {
		n, err = h.Letters.SendInvoice(r.Context(), tx, v.CompanyID, jobs.ScopeFor(v), jobs.ActorOf(v), id, p.Ticked, p.Custom)
		return err
	})
	if page.RefusedInWords(err) {
		h.showInvoiceSend(w, r, p, err)
		return
	}
	h.Done(w, r, err, fmt.Sprintf("/jobs/%d/invoice/dispatches", id), fmt.Sprintf("Invoice queued to %d recipient(s).", n))
}

// InvoiceDispatches answers GET /jobs/{id}/invoice/dispatches: View all invoice dispatches — every send of every
// version, with the email's delivery status.
func (h *Handlers) InvoiceDispatches(w http.ResponseWriter, r *http.Request) {
	id, ok := h.PathID(w, r, "id")
	if !ok {
		return
	}
	v := page.ViewerOf(r)
	p := jobsview.DispatchesPage{Notice: h.Notice(r), Location: v.Location()}
	err := h.DB.Read(r.Context(), v.CompanyID, func(b *pgx.Batch) {
		jobs.QueueGet(b, v.CompanyID, jobs.ScopeFor(v), id, &p.Job)
		invoices.QueueDispatches(b, v.CompanyID, id, &p.Dispatches)
	})
	h.Render(w, r, err, jobsview.Dispatches(h.Chrome(r, "Invoice dispatches"), p))
}
