package server

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"fieldops/internal/db/dbtest"
	"fieldops/internal/identity"
)

// BenchmarkChatStreams opens 500 chat streams (GET /chat/stream, as 500 open chat pages would) and reports what
// they cost the server: Go heap and stacks per stream and for all 500 (target: under 50 MB), the database
// connections they hold while idle (target: none), and how long one message takes to reach all 500. The streams
// are raw TCP connections that only read, so the client side adds next to nothing to the process's memory.
// `make bench` runs it.
func BenchmarkChatStreams(b *testing.B) {
	const streams = 500
	tdb := dbtest.New(b)
	s := New(Config{BaseURL: "http://example.test", Argon2: fastArgon2}, tdb.DB, slog.New(slog.DiscardHandler))
	b.Cleanup(s.Close)
	ts := httptest.NewServer(s)
	b.Cleanup(ts.Close)
	acme := tdb.CreateCompany(b, "Acme")
	c := signedIn(b, s, tdb, ts, acme, identity.RoleCoWorker)
	u, _ := url.Parse(ts.URL)
	var cookie []string
	for _, ck := range c.http.Jar.Cookies(u) {
		cookie = append(cookie, ck.Name+"="+ck.Value)
	}
	request := "GET /chat/stream HTTP/1.1\r\nHost: " + u.Host + "\r\nCookie: " + strings.Join(cookie, "; ") + "\r\nAccept: text/event-stream\r\n\r\n"
	<-s.ChatHub().Listening()
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		conns := make([]net.Conn, streams)
		for i := range conns {
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := conn.Write([]byte(request)); err != nil {
				b.Fatal(err)
			}
			conns[i] = conn
		}
		for _, conn := range conns {
			if got := readUntil(b, conn, "retry: 3000"); !strings.HasPrefix(got, "HTTP/1.1 200") {
				b.Fatalf("a stream answered %.200q", got)
			}
		}
		for s.ChatHub().Open() < streams {
			time.Sleep(10 * time.Millisecond)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held := tdb.DB.Pool.Stat().AcquiredConns()
		used := float64(after.HeapInuse+after.StackInuse) - float64(before.HeapInuse+before.StackInuse)
		// One message to the company's room reaches every stream.
		start := time.Now()
		if res, _ := c.post("/chat/company/messages", url.Values{"body": {"Morning all"}}); res.StatusCode != http.StatusSeeOther {
			b.Fatalf("the message = %d", res.StatusCode)
		}
		for _, conn := range conns {
			readUntil(b, conn, "event: news")
		}
		fanOut := time.Since(start)
		for _, conn := range conns {
			conn.Close()
		}
		for s.ChatHub().Open() > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		b.ReportMetric(used/streams, "B/stream")
		b.ReportMetric(used/1e6, "MB/500-streams")
		b.ReportMetric(float64(held), "db-conns-held")
		b.ReportMetric(float64(fanOut.Microseconds())/1000, "ms-to-all-500")
		if used > 50e6 || held != 0 {
			b.Errorf("500 streams cost %.1f MB and hold %d database connections; the targets are under 50 MB and none", used/1e6, held)
		}
	}
}

// readUntil reads conn until what it has read holds marker, and returns it.
func readUntil(b *testing.B, conn net.Conn, marker string) string {
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReaderSize(conn, 256)
	var got strings.Builder
	for !strings.Contains(got.String(), marker) {
		line, err := r.ReadString('\n')
		got.WriteString(line)
		if err != nil {
			b.Fatal(fmt.Errorf("waiting for %q: %w (read %.200q)", marker, err, got.String()))
		}
	}
	return got.String()
}
