package faults

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

// A reminder made through the calendar is due while the server is down (SIGKILL after it was made): the next start
// tells its person once — not before its time, not while no server runs, never twice.
func TestFaults_ReminderDueWhileDownFiresOnceAtRestart(t *testing.T) {
	mp := mailtest.Start(t)
	appURL, ownerURL := dbtest.Empty(t)
	a := startApp(t, appURL, ownerURL, mp.SMTP(), "REMINDER_POLL=100ms")
	o := newOffice(t, a)
	owner := ownerPool(t, ownerURL)
	ctx := context.Background()

	_, page := o.Admin.get("/calendar")
	mine := regexp.MustCompile(`name="cal" value="(person-\d+)"`).FindStringSubmatch(page)
	if mine == nil {
		t.Fatal("no calendar of one's own on the calendar page")
	}
	// The next whole minute at least five seconds away, in the company's zone (UTC, as `company create` makes it).
	due := time.Now().UTC().Truncate(time.Minute).Add(time.Minute)
	if time.Until(due) < 5*time.Second {
		due = due.Add(time.Minute)
	}
	o.Admin.mustSee("/calendar/reminders", url.Values{"kind": {"reminder"}, "title": {"Restart check"}, "calendar": {mine[1]},
		"date": {due.Format("2006-01-02")}, "start": {due.Format("15:04")}, "end": {due.Add(15 * time.Minute).Format("15:04")}})
	told := func() (n int) {
		owner.QueryRow(ctx, `select count(*) from notifications where area = 'calendar' and title like 'Reminder: Restart check%'`).Scan(&n)
		return n
	}
	if told() != 0 {
		t.Fatal("told before its time")
	}
	a.kill()
	time.Sleep(time.Until(due) + time.Second) // due while no server runs
	if told() != 0 {
		t.Fatal("told while no server ran")
	}
	a.start()
	eventually(t, 10*time.Second, "the reminder to fire after the restart", func() bool { return told() > 0 })
	time.Sleep(time.Second) // a second firing would show now
	if n := told(); n != 1 {
		t.Errorf("told %d times, want once", n)
	}
	if _, body := o.Admin.get("/notifications"); !regexp.MustCompile(`Reminder: Restart check`).MatchString(body) {
		t.Error("the admin's notifications lack the reminder")
	}
}
