package jobs

// Status is where a job is in the workflow; Deferred stands outside it.
type Status string

// The workflow, in order, and the deferred status of Defer commission.
const (
	StatusOpenDispatch         Status = "open-dispatch"
	StatusInProgress           Status = "in-progress"
	StatusAwaitingQualityCheck Status = "awaiting-quality-check"
	StatusAwaitingBilling      Status = "awaiting-billing"
	StatusAwaitingPayment      Status = "awaiting-payment"
	StatusCompleted            Status = "completed"
	StatusDeferred             Status = "deferred"
)

// Workflow is the statuses a job moves through, in order.
var Workflow = []Status{StatusOpenDispatch, StatusInProgress, StatusAwaitingQualityCheck, StatusAwaitingBilling,
	StatusAwaitingPayment, StatusCompleted}

// Label is the status as the product names it.
func (s Status) Label() string {
	switch s {
	case StatusOpenDispatch:
		return "Open dispatch"
	case StatusInProgress:
		return "In progress"
	case StatusAwaitingQualityCheck:
		return "Awaiting quality check"
	case StatusAwaitingBilling:
		return "Awaiting billing"
	case StatusAwaitingPayment:
		return "Awaiting payment"
	case StatusCompleted:
		return "Completed"
	case StatusDeferred:
		return "Deferred"
	}
	return string(s)
}

// Tone is the colour of the status badge.
func (s Status) Tone() string {
	switch s {
	case StatusCompleted:
		return "ok"
	case StatusDeferred:
		return "danger"
	case StatusOpenDispatch:
		return "warn"
	}
	return "info"
}

// InWorkflow reports whether s is one of the workflow statuses (not deferred, not unknown).
func (s Status) InWorkflow() bool {
	for _, w := range Workflow {
		if s == w {
			return true
		}
	}
	return false
}

// Next is the workflow status after s, or "" at the end (and for a deferred job).
func (s Status) Next() Status {
	for i, w := range Workflow {
		if s == w && i+1 < len(Workflow) {
			return Workflow[i+1]
		}
	}
	return ""
}
