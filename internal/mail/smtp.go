package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
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

// failure is what a failed send means for the email: the reason in words for the company's admins, and whether
// trying again cannot help. The reason never holds the mail server's host, address or answer: those are ours,
// not the tenant's, and go to the server log.
type failure struct {
	reason    string // a sentence without its full stop, so a note on retrying can follow
	permanent bool
}

// classify reads a failed dial or send. The mail server's 5xx answers and addresses that cannot be valid are
// permanent; everything else (the server down, slow, answering 4xx, or the connection breaking off) may pass.
func classify(err error, recipients []string) failure {
	var bad *refusal
	var files *unreadable
	var sendErr *gomail.SendError
	var netErr net.Error
	var reply *textproto.Error
	switch {
	case errors.As(err, &bad):
		return failure{reason: bad.reason, permanent: true}
	case errors.As(err, &files):
		return failure{reason: "The files attached to it could not be read just now"}
	case errors.As(err, &sendErr) && sendErr.ErrorCode() >= 500:
		switch sendErr.Reason {
		case gomail.ErrSMTPRcptTo:
			return failure{reason: "The mail server refused the recipient: " + joinAddresses(refused(sendErr, recipients)), permanent: true}
		case gomail.ErrSMTPMailFrom:
			return failure{reason: "The mail server refused fieldops' sender address (the operator has been told)", permanent: true}
		}
		return failure{reason: "The mail server refused the email", permanent: true}
	case errors.As(err, &sendErr) && (sendErr.Reason == gomail.ErrGetSender || sendErr.Reason == gomail.ErrGetRcpts ||
		sendErr.Reason == gomail.ErrNoUnencoded):
		return failure{reason: "The email could not be handed to the mail server (the operator has been told)", permanent: true}
	case errors.As(err, &sendErr) && sendErr.ErrorCode() >= 400:
		return failure{reason: "The mail server asked to try again later"}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return failure{reason: "The mail server did not answer in time"}
	case errors.As(err, &sendErr):
		return failure{reason: "The connection to the mail server broke off"}
	case errors.As(err, &reply) && reply.Code >= 400 && reply.Code < 500:
		// A reply outside a send: the greeting ("421 try later" from a busy or closing server).
		return failure{reason: "The mail server asked to try again later"}
	case errors.As(err, &reply):
		return failure{reason: "The mail server turned the connection away"}
	}
	return failure{reason: "The mail server was unreachable"}
}

// refused picks out of recipients those the server turned away. go-mail keeps them unexported, naming them only
// in its error text; when none is found there, all of them are named.
func refused(sendErr *gomail.SendError, recipients []string) []string {
	text := sendErr.Error()
	if i := strings.LastIndex(text, "affected recipient(s): "); i >= 0 {
		text = text[i:]
	}
	var out []string
	for _, r := range recipients {
		if strings.Contains(text, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return recipients
	}
	return out
}

// refusal is an email that cannot go out as it is — an address go-mail will not take, a file it carries gone:
// reason says what, in words; err is the detail for the log. Trying again cannot help.
type refusal struct {
	reason string
	err    error
}

func (b *refusal) Error() string { return b.reason + ": " + b.err.Error() }
func (b *refusal) Unwrap() error { return b.err }

// unreadable is an email whose attached files could not be read (the database or file store away): tried again.
type unreadable struct{ err error }

func (u *unreadable) Error() string { return "reading attachments: " + u.err.Error() }
func (u *unreadable) Unwrap() error { return u.err }

// joinAddresses lists addresses for a reason: at most five, then how many more.
func joinAddresses(addrs []string) string {
	if len(addrs) <= 5 {
		return strings.Join(addrs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(addrs[:5], ", "), len(addrs)-5)
}

// inWords says a duration as a person would: "3 days", "1 hour", "90 minutes", else Go's own ("1.5s").
func inWords(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if d >= u.d && d%u.d == 0 {
			if n := d / u.d; n != 1 {
				return fmt.Sprintf("%d %ss", n, u.name)
			}
			return "1 " + u.name
		}
	}
	return d.String()
}
