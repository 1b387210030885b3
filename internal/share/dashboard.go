package share

import (
	"github.com/jackc/pgx/v5"

	"fieldops/internal/files"
	"fieldops/internal/jobs"
	"fieldops/internal/settings"
	"fieldops/internal/visits"
)

// Dashboard is what a link shows: the job as its client may see it, read fresh at every open.
type Dashboard struct {
	Settings settings.Settings
	Job      jobs.Job
	Client   ClientDetails
	Visits   []visits.Visit
	Files    []files.File // only those marked for the client
	Messages []jobs.Message
}

// ClientDetails are the client's name and contact, as the dashboard shows them.
type ClientDetails struct {
	Name  string
	Email string
	Phone string
}

// QueueDashboard adds everything the dashboard of the job shows — one Read. Prices, costs, internal notes and
// files not marked for the client are never read.
func QueueDashboard(b *pgx.Batch, companyID, jobID int64, d *Dashboard) {
	settings.QueueGet(b, companyID, &d.Settings)
	jobs.QueueGet(b, companyID, jobs.Everything, jobID, &d.Job)
	b.Queue(`
		select c.name, coalesce(c.email::text, ''), coalesce(c.phone, '')
		  from jobs j join clients c on c.company_id = j.company_id and c.id = j.client_id
		 where j.company_id = $1 and j.id = $2`, companyID, jobID).QueryRow(func(row pgx.Row) error {
		return row.Scan(&d.Client.Name, &d.Client.Email, &d.Client.Phone)
	})
	visits.QueueClient(b, companyID, jobID, &d.Visits)
	files.QueueList(b, companyID, files.Owner{JobID: jobID}, true, &d.Files)
	jobs.QueueClientTimeline(b, companyID, jobID, &d.Messages)
}
