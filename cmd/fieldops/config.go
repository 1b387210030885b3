package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"
)

// secrets are the settings that hold a password, a token or a key (a URL may carry a password).
var secrets = map[string]bool{"DATABASE_URL": true, "MIGRATE_DATABASE_URL": true, "SMTP_URL": true, "SMS_TOKEN": true, "SMS_WEBHOOK_SECRET": true}

// setting is one environment variable the binary reads; settings lists them all, for parsing and for -h.
type setting struct {
	name, fallback, help string
}

var settings = []setting{
	{"DATABASE_URL", "postgres://fieldops_app@localhost:5432/fieldops", "Postgres as the app role (RLS applies to it); `make run` points it at the project's cluster"},
	{"MIGRATE_DATABASE_URL", "postgres://fieldops_owner@localhost:5432/fieldops", "Postgres as the owner role: migrations at start-up, operator commands"},
	{"SMTP_URL", "smtp://localhost:1025", "outgoing mail server, smtp://user:pass@host:port"},
	{"MAIL_FROM", "fieldops <no-reply@localhost>", "the From address of every email"},
	{"BASE_URL", "http://localhost:8080", "how users reach the app (links in emails); https turns on Secure cookies"},
	{"ADDR", ":8080", "the address to listen on"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text (one readable line per event) or json (one JSON object per line, for a log collector)"},
	{"METRICS_ADDR", "", "an address (127.0.0.1:9090, or :9090 inside a private network) to serve Prometheus metrics on at /metrics; never the public port; off when empty"},
	{"TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8"},
	{"PPROF_ADDR", "", "a loopback address (127.0.0.1:6060) to serve Go's profiler on, for profiling under load; off when empty"},
	{"COUNTS_CACHE_TTL", "10s", "how long the job list's view counts are reused while nothing changed on this instance (0 counts at every request); another instance's changes show within it"},
	{"SESSION_CACHE_TTL", "30s", "how long an instance reuses a session it read (0 reads it at every request); a logout on another instance is seen within it"},
	{"SHUTDOWN_GRACE", "20s", "on SIGTERM, how long requests in flight may take to finish before the process exits"},
	{"OUTBOX_POLL", "1s", "how often the email worker looks for due emails without a notification, and for emails a stopped instance left in sending"},
	{"OUTBOX_LEASE", "5m", "how long an instance holds an email it claimed (renewed while it sends); bounds how soon another instance re-sends after a crash"},
	{"OUTBOX_BACKOFF", "30s", "the wait after an email's first failed try; doubled after each, at most an hour"},
	{"DIGEST_POLL", "1m", "how often to look for notification digests due (each person gets at most one every 15 minutes)"},
	{"REMINDER_POLL", "15s", "how often to look for calendar reminders due (each tells its people once)"},
	{"SMS_URL", "", "the SMS provider's HTTP API, which takes a POST of {\"to\", \"body\"}; empty keeps texts on the Text messages page, sending none"},
	{"SMS_TOKEN", "", "the bearer token for SMS_URL"},
	{"SMS_WEBHOOK_SECRET", "", "the secret the provider signs inbound texts with (X-Signature: hex HMAC-SHA256 of the body) at POST /sms/inbound; empty turns the webhook off"},
	{"SMS_POLL", "1s", "how often the text worker looks for due texts"},
}

// config is the environment, parsed once at start-up and passed down; nothing else reads the environment.
type config struct {
	DatabaseURL        string
	MigrateDatabaseURL string
	SMTPURL            string
	MailFrom           string
	BaseURL            string
	Addr               string
	LogLevel           slog.Level
	TrustedProxies     []netip.Prefix
	SessionCacheTTL    time.Duration
	CountsCacheTTL     time.Duration
	PprofAddr          string
	LogJSON            bool
	MetricsAddr        string
	ShutdownGrace      time.Duration
	OutboxPoll         time.Duration
	OutboxLease        time.Duration
	OutboxBackoff      time.Duration
	DigestPoll         time.Duration
	ReminderPoll       time.Duration
	SMSURL             string
	SMSToken           string
	SMSWebhookSecret   string
	SMSPoll            time.Duration
}

// fallback is a setting's default.
func fallback(name string) string {
	for _, s := range settings {
		if s.name == name {
			return s.fallback
		}
	}
	panic("config: unknown setting " + name)
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback(name)
	}
	c := config{
		DatabaseURL:        get("DATABASE_URL"),
		MigrateDatabaseURL: get("MIGRATE_DATABASE_URL"),
		SMTPURL:            get("SMTP_URL"),
		MailFrom:           get("MAIL_FROM"),
		BaseURL:            strings.TrimRight(get("BASE_URL"), "/"),
		Addr:               get("ADDR"),
		SMSURL:             get("SMS_URL"),
		SMSToken:           get("SMS_TOKEN"),
		SMSWebhookSecret:   get("SMS_WEBHOOK_SECRET"),
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	// duration reads a setting that must lie between least and most.
	duration := func(name string, least, most time.Duration) (time.Duration, error) {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < least || d > most {
			return 0, fmt.Errorf("%s: %q is not a duration between %v and %v, like %s", name, get(name), least, most, fallback(name))
		}
		return d, nil
	}
	var err error
	for _, d := range []struct {
		to          *time.Duration
		name        string
		least, most time.Duration
	}{
		{&c.SessionCacheTTL, "SESSION_CACHE_TTL", 0, time.Hour},
		{&c.CountsCacheTTL, "COUNTS_CACHE_TTL", 0, time.Hour},
		{&c.ShutdownGrace, "SHUTDOWN_GRACE", time.Second, 10 * time.Minute},
		{&c.OutboxPoll, "OUTBOX_POLL", 10 * time.Millisecond, time.Minute},
		{&c.OutboxLease, "OUTBOX_LEASE", time.Second, time.Hour},
		{&c.OutboxBackoff, "OUTBOX_BACKOFF", 10 * time.Millisecond, time.Hour},
		{&c.DigestPoll, "DIGEST_POLL", 10 * time.Millisecond, time.Hour},
		{&c.ReminderPoll, "REMINDER_POLL", 10 * time.Millisecond, time.Hour},
		{&c.SMSPoll, "SMS_POLL", 10 * time.Millisecond, time.Hour},
	} {
		if *d.to, err = duration(d.name, d.least, d.most); err != nil {
			return c, err
		}
	}
	switch format := get("LOG_FORMAT"); format {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		return c, fmt.Errorf("LOG_FORMAT: %q is neither text nor json", format)
	}
	if c.MetricsAddr = get("METRICS_ADDR"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil || c.MetricsAddr == c.Addr {
			return c, fmt.Errorf("METRICS_ADDR: %q must be an address with a port, like 127.0.0.1:9090, and not ADDR", c.MetricsAddr)
		}
	}
	if c.PprofAddr = get("PPROF_ADDR"); c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip, perr := netip.ParseAddr(host); err != nil || (host != "localhost" && (perr != nil || !ip.IsLoopback())) {
			return c, fmt.Errorf("PPROF_ADDR: %q must be a loopback address with a port, like 127.0.0.1:6060", c.PprofAddr)
		}
	}
	for _, cidr := range strings.Split(get("TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return c, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR like 10.0.0.0/8", cidr)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	return c, nil
}

func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Environment:")
	for _, s := range settings {
		fallback := s.fallback
		if fallback == "" {
			fallback = "none"
		}
		secret := ""
		if secrets[s.name] {
			secret = "; secret: keep it out of logs and repositories"
		}
		fmt.Fprintf(w, "  %-22s %s\n  %-22s (default: %s%s)\n", s.name, s.help, "", fallback, secret)
	}
}
