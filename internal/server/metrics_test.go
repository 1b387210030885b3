package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// /metrics, scraped after some requests, has each family: requests by route pattern (never a raw path: a share
// link's token is no label) and status class, their latency, the database pool, the queues, Go's runtime. And each
// request's JSON log line names its route and the company of whoever made it, never their email.
func TestMetricsAndRequestLog(t *testing.T) {
	tdb := dbtest.New(t)
	var logs bytes.Buffer
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	defer ts.Close()
	acme := tdb.CreateCompany(t, "Acme")
	queueEmails(t, tdb, acme, 2, func(int) string { return "a@client.example" })
	client := seedClient(t, tdb, acme, "Harbour View")
	job := seedJob(t, tdb, acme, client, "Leaking tap")
	admin := signedIn(t, s, tdb, ts, acme, identity.RoleAdmin)
	admin.get(fmt.Sprintf("/jobs/%d", job))
	admin.get("/share/s3cr3t-t0ken-value")

	w := httptest.NewRecorder()
	s.Metrics().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`fieldops_http_requests_total{method="GET",route="/jobs/{id}",status="2xx"} 1`,
		`fieldops_http_requests_total{method="GET",route="/share/{token}",status="4xx"} 1`,
		`fieldops_http_request_duration_seconds_bucket{method="GET",route="/jobs/{id}",le="+Inf"} 1`,
		`fieldops_db_pool_connections{state="idle"}`,
		`fieldops_db_pool_max_connections`,
		`fieldops_queue_items{queue="outbox",status="pending"} 2`,
		`fieldops_queue_oldest_seconds{queue="outbox",status="pending"}`,
		`fieldops_queue_stats_up 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "s3cr3t") {
		t.Error("a token became a label")
	}

	var found bool
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			t.Fatalf("a log line is not JSON: %s", sc.Text())
		}
		if line["msg"] == "request" && line["route"] == "/jobs/{id}" {
			found = true
			if line["company_id"] != float64(acme) || line["request_id"] == "" || strings.Contains(sc.Text(), "@example.com") {
				t.Errorf("the request's log line: %s", sc.Text())
			}
		}
		if strings.Contains(sc.Text(), "s3cr3t") {
			t.Errorf("a token in the log: %s", sc.Text())
		}
	}
	if !found {
		t.Errorf("no request line for /jobs/{id} in:\n%s", logs.String())
	}
}
