package faults

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

// TestFaults_SustainedLoad keeps 32 connections busy for a minute (FAULTS_LOAD_SECONDS) over a mix of what people
// do all day: clients opening their dashboard, the office reading the job list and a job, a client user reading
// the portal, and now and then a new job, which emails the client a dashboard link. No answer may be a 5xx or
// missing, and afterwards every new job's email is delivered.
func TestFaults_SustainedLoad(t *testing.T) {
	seconds := 60
	if s := os.Getenv("FAULTS_LOAD_SECONDS"); s != "" {
		seconds, _ = strconv.Atoi(s)
	}
	mp := mailtest.Start(t)
	appURL, ownerURL := dbtest.Empty(t)
	a := startApp(t, appURL, ownerURL, mp.SMTP())
	o := newOffice(t, a)
	dashboard := linkIn(t, mp, o.ClientEmail, `/share/[A-Za-z0-9_-]+`)
	portal := portalUser(t, a, mp, o)

	type step struct {
		name string
		who  *user
		path string
		form url.Values // a POST when set
	}
	anon := a.newUser()
	mix := []step{
		{"dashboard", anon, dashboard, nil},
		{"job list", o.Admin, "/jobs", nil},
		{"job page", o.Admin, o.JobPath, nil},
		{"portal list", portal, "/portal/jobs", nil},
		{"dashboard", anon, dashboard, nil},
		{"job list", o.Admin, "/jobs?view=in-progress", nil},
		{"job page", o.Admin, o.JobPath + "?tab=history", nil},
		{"portal list", portal, "/portal/jobs", nil},
		{"job create", o.Admin, "/jobs/new", url.Values{"client_id": {fmt.Sprint(o.ClientID)}, "title": {"Blocked drain"}}},
	}

	var (
		mu      sync.Mutex
		counts  = map[string]int{}
		worst   []string
		latency []time.Duration
		created int
	)
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := range 32 {
		wg.Go(func() {
			for i := c; time.Now().Before(end); i++ {
				s := mix[i%len(mix)]
				began := time.Now()
				method, body, contentType := "GET", "", ""
				if s.form != nil {
					method, body, contentType = "POST", s.form.Encode(), "application/x-www-form-urlencoded"
				}
				res, _, err := s.who.send(method, s.path, strings.NewReader(body), contentType)
				took := time.Since(began)
				mu.Lock()
				counts[s.name]++
				latency = append(latency, took)
				switch {
				case err != nil:
					worst = append(worst, fmt.Sprintf("%s: no answer: %v", s.name, err))
				case res.StatusCode >= 500:
					worst = append(worst, fmt.Sprintf("%s: %d", s.name, res.StatusCode))
				case s.form != nil && res.StatusCode == 303:
					created++
				case s.form != nil:
					worst = append(worst, fmt.Sprintf("%s: %d, want 303", s.name, res.StatusCode))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(latency)
	total := len(latency)
	t.Logf("figures: %d s at 32 connections, %d requests (%.0f a second), p50 %v, p99 %v, %d failed; by kind %v; %d jobs created",
		seconds, total, float64(total)/float64(seconds), latency[total/2].Round(time.Millisecond),
		latency[total*99/100].Round(time.Millisecond), len(worst), counts, created)
	if len(worst) > 0 {
		t.Errorf("%d answers were 5xx, missing, or a refused creation; the first: %s", len(worst), worst[0])
	}
	eventually(t, 2*time.Minute, fmt.Sprintf("the %d new jobs' emails to be delivered", created), func() bool {
		return mp.Count("to:"+o.ClientEmail) >= created+1 // and the office's first job
	})
	t.Logf("figures: all %d emails of the new jobs delivered", created)
}

// linkIn is the first match of pattern in the newest email to recipient.
func linkIn(t *testing.T, mp *mailtest.Mailpit, recipient, pattern string) string {
	t.Helper()
	var link string
	eventually(t, 10*time.Second, "an email to "+recipient, func() bool {
		msgs := mp.Search("to:" + recipient)
		if len(msgs) == 0 {
			return false
		}
		link = regexp.MustCompile(pattern).FindString(mp.Message(msgs[0].ID).Text)
		return link != ""
	})
	return link
}

// portalUser invites a client user of the office's client through the app and accepts the invitation as them.
func portalUser(t *testing.T, a *app, mp *mailtest.Mailpit, o *office) *user {
	t.Helper()
	const email = "pat@client.example"
	o.Admin.mustSee(fmt.Sprintf("/clients/%d/portal-invite", o.ClientID), url.Values{"email": {email}})
	invite := linkIn(t, mp, email, `/invite/[A-Za-z0-9_-]+`)
	u := a.newUser()
	u.mustSee(invite, url.Values{"name": {"Pat Client"}, "password": {"faults-portal-password-1"}})
	if res, _ := u.get("/portal/jobs"); res.StatusCode != 200 {
		t.Fatalf("the client user's portal = %d", res.StatusCode)
	}
	return u
}
