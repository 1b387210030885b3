package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP is where and how the worker sends.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS is smtps:// (TLS from the first byte); smtp:// upgrades with STARTTLS when the server offers it.
	ImplicitTLS bool
}

// ParseSMTPURL reads smtp://user:pass@host:port or smtps://….
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return SMTP{}, fmt.Errorf("SMTP_URL %q: want smtp://user:pass@host:port", raw)
	}
	s := SMTP{Host: u.Hostname(), ImplicitTLS: u.Scheme == "smtps", Port: 587}
	if s.ImplicitTLS {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil {
			return SMTP{}, fmt.Errorf("SMTP_URL %q: bad port", raw)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// client returns a go-mail client for s; it connects on DialWithContext.
func (s SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	if s.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	opts = append(opts, gomail.WithPort(s.Port)) // after the TLS policy, which sets a port of its own
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return gomail.NewClient(s.Host, opts...)
}

// DomainOf returns the domain of an address like "fieldops <no-reply@example.com>", for Message-IDs.
func DomainOf(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
			return a.Address[at+1:]
		}
	}
	return "fieldops.invalid"
}

// describe says in words why a send failed, for the Outbox page; the technical detail follows.
func describe(err error) string {
	var netErr net.Error
	var sendErr *gomail.SendError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "The mail server refused the connection (is it running?): " + err.Error()
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "The mail server did not answer in time: " + err.Error()
	case errors.As(err, &sendErr) && sendErr.IsTemp():
		return "The mail server turned the email away for now: " + err.Error()
	case errors.As(err, &sendErr):
		return "The mail server refused the email: " + err.Error()
	}
	return "Sending failed: " + err.Error()
}
