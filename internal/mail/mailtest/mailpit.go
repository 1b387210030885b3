// Package mailtest starts a real Mailpit (SMTP server with an HTTP API) for one test and reads what arrived.
// `make test` builds the binary from tools/go.mod and names it in MAILPIT.
package mailtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"fieldops/internal/mail"
)

// Mailpit is one running Mailpit, stopped when the test ends.
type Mailpit struct {
	tb       testing.TB
	SMTPPort int
	APIURL   string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has ended
}

// Start runs a Mailpit on free loopback ports, with the chaos API enabled. A port taken between the check and
// Mailpit's bind (by another test binary's Mailpit) makes it exit at once; Start then tries other ports.
func Start(tb testing.TB) *Mailpit {
	tb.Helper()
	m := &Mailpit{tb: tb}
	tb.Cleanup(m.Stop)
	for try := 1; ; try++ {
		m.SMTPPort = FreePort(tb)
		m.APIURL = fmt.Sprintf("http://127.0.0.1:%d", FreePort(tb))
		err := m.start()
		if err == nil {
			return m
		}
		if try == 5 {
			tb.Fatalf("mailpit did not start: %v", err)
		}
	}
}

// SMTP is where the worker should send.
func (m *Mailpit) SMTP() mail.SMTP { return mail.SMTP{Host: "127.0.0.1", Port: m.SMTPPort} }

// Stop ends the Mailpit (its SMTP port then refuses connections); Restart brings it back, empty, on the same ports.
func (m *Mailpit) Stop() {
	if m.cmd != nil {
		m.cmd.Process.Kill()
		<-m.exited
		m.cmd = nil
	}
}

// Restart starts the Mailpit on its ports and waits until its API answers.
func (m *Mailpit) Restart() {
	m.tb.Helper()
	if err := m.start(); err != nil {
		m.tb.Fatalf("mailpit did not start: %v", err)
	}
}

// start runs Mailpit and waits until its API answers, or until it exits (a port in use) or 15 s pass.
func (m *Mailpit) start() error {
	bin := os.Getenv("MAILPIT")
	if bin == "" {
		return fmt.Errorf("MAILPIT is not set: run the tests with `make test`")
	}
	cmd := exec.Command(bin,
		"--smtp", "127.0.0.1:"+strconv.Itoa(m.SMTPPort),
		"--listen", m.APIURL[len("http://"):],
		"--enable-chaos", "--quiet",
		"--smtp-disable-rdns", "--disable-version-check", "--max", "0") // no cap: a test may read back every email
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	m.cmd, m.exited = cmd, exited
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(m.APIURL + "/api/v1/info")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 && m.smtpUp(exited) {
				return nil
			}
		}
		select {
		case <-exited:
			m.cmd = nil
			return fmt.Errorf("mailpit exited on ports %d and %s: %s", m.SMTPPort, m.APIURL, cmd.ProcessState)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			m.Stop()
			return fmt.Errorf("no answer from %s in 15s: %v", m.APIURL, err)
		}
	}
}

// smtpUp reports whether the SMTP port answers and Mailpit still runs a moment later: Mailpit binds it after its
// API, and exits when the port is taken (by another test binary's Mailpit, which would then answer the dial).
func (m *Mailpit) smtpUp(exited chan struct{}) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(m.SMTPPort), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	select {
	case <-exited:
		return false
	case <-time.After(100 * time.Millisecond):
		return true
	}
}

// Message is what Mailpit reports of one email.
type Message struct {
	ID        string
	MessageID string
	Subject   string
	To        []struct{ Address string }
	Text      string
	HTML      string
}

// Full is one message as Message reports it: with the files it carried.
type Full struct {
	Message
	Attachments []struct {
		PartID      string
		FileName    string
		ContentType string
		Size        int
	}
}

// Messages lists every message received, newest first, without bodies.
func (m *Mailpit) Messages() []Message {
	m.tb.Helper()
	return m.pages("/api/v1/messages?")
}

// pages reads every page of a Mailpit listing (path ends in ? or &).
func (m *Mailpit) pages(path string) []Message {
	m.tb.Helper()
	const per = 5000
	var all []Message
	for start := 0; ; start += per {
		var page struct{ Messages []Message }
		m.getJSON(fmt.Sprintf("%sstart=%d&limit=%d", path, start, per), &page)
		all = append(all, page.Messages...)
		if len(page.Messages) < per {
			return all
		}
	}
}

// Count is how many messages match a Mailpit search such as "to:ann@example.com", without listing them.
func (m *Mailpit) Count(query string) int {
	m.tb.Helper()
	var res struct {
		Total int `json:"messages_count"`
	}
	m.getJSON("/api/v1/search?limit=1&query="+url.QueryEscape(query), &res)
	return res.Total
}

// Message returns one message with its text and HTML bodies and its attachments.
func (m *Mailpit) Message(id string) Full {
	m.tb.Helper()
	var msg Full
	m.getJSON("/api/v1/message/"+id, &msg)
	return msg
}

// Part returns the bytes of a part of message id (an attachment's PartID).
func (m *Mailpit) Part(id, partID string) []byte {
	m.tb.Helper()
	res, err := http.Get(m.APIURL + "/api/v1/message/" + id + "/part/" + partID)
	if err != nil {
		m.tb.Fatalf("mailpit: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		m.tb.Fatalf("mailpit: part %s of %s = %d, %v", partID, id, res.StatusCode, err)
	}
	return b
}

// WaitFor polls until at least n messages arrived and returns them; it fails the test after the deadline.
func (m *Mailpit) WaitFor(n int, within time.Duration) []Message {
	m.tb.Helper()
	deadline := time.Now().Add(within)
	for {
		msgs := m.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			m.tb.Fatalf("mailpit: %d messages after %v, want %d", len(msgs), within, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// RefuseSenders makes Mailpit answer every MAIL FROM with a temporary 451 (true) or accept again (false).
func (m *Mailpit) RefuseSenders(refuse bool) {
	m.tb.Helper()
	p := 0
	if refuse {
		p = 100
	}
	m.chaos(map[string]any{"Sender": map[string]int{"ErrorCode": 451, "Probability": p}})
}

// RefuseRecipients makes Mailpit answer every RCPT TO with code (550: the recipient is refused for good), or
// accept again when code is 0.
func (m *Mailpit) RefuseRecipients(code int) {
	m.tb.Helper()
	p := 100
	if code == 0 {
		code, p = 451, 0
	}
	m.chaos(map[string]any{"Recipient": map[string]int{"ErrorCode": code, "Probability": p}})
}

// chaos sets Mailpit's chaos triggers (the ones not named are reset).
func (m *Mailpit) chaos(triggers map[string]any) {
	m.tb.Helper()
	body, _ := json.Marshal(triggers)
	req, _ := http.NewRequest("PUT", m.APIURL+"/api/v1/chaos", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		m.tb.Fatalf("mailpit chaos: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		m.tb.Fatalf("mailpit chaos: status %d", res.StatusCode)
	}
}

// Search lists the messages matching a Mailpit search such as "to:ann@example.com", without bodies.
func (m *Mailpit) Search(query string) []Message {
	m.tb.Helper()
	return m.pages("/api/v1/search?query=" + url.QueryEscape(query) + "&")
}

// SlowSMTP returns an SMTP address that reaches this Mailpit through a proxy holding each chunk the client
// writes for delay: a slow mail server (Mailpit's chaos can fail a command but not slow one down). Each email
// then takes a few delays (NOOP, MAIL, RCPT, DATA, the message, RSET). The proxy stops when the test ends.
func (m *Mailpit) SlowSMTP(delay time.Duration) mail.SMTP {
	m.tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		m.tb.Fatal(err)
	}
	var (
		mu    sync.Mutex
		open  []net.Conn
		conns sync.WaitGroup
	)
	m.tb.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		conns.Wait()
	})
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, client)
			mu.Unlock()
			conns.Go(func() { m.proxy(client, delay) })
		}
	}()
	return mail.SMTP{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port}
}

func (m *Mailpit) proxy(client net.Conn, delay time.Duration) {
	defer client.Close()
	server, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(m.SMTPPort))
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(client, server)
		client.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			time.Sleep(delay) // the slow server, not a test waiting
			if _, err := server.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (m *Mailpit) getJSON(path string, v any) {
	m.tb.Helper()
	res, err := http.Get(m.APIURL + path)
	if err != nil {
		m.tb.Fatalf("mailpit: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		m.tb.Fatalf("mailpit %s: status %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		m.tb.Fatalf("mailpit %s: %v", path, err)
	}
}

// FreePort returns a free loopback port for a server a test starts, below Linux's ephemeral range (32768–60999):
// the outgoing connections of a test run take ports from that range, and one could take a port between this
// check and the server's bind.
func FreePort(tb testing.TB) int {
	tb.Helper()
	for range 1000 {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(22000)))
		if err != nil {
			continue
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}
	tb.Fatal("no free port between 10000 and 32000")
	return 0
}
