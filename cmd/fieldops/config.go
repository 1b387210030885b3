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
	{"TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8"},
	{"PPROF_ADDR", "", "a loopback address (127.0.0.1:6060) to serve Go's profiler on, for profiling under load; off when empty"},
	{"COUNTS_CACHE_TTL", "10s", "how long the job list's view counts are reused while nothing changed on this instance (0 counts at every request); another instance's changes show within it"},
	{"SESSION_CACHE_TTL", "30s", "how long an instance reuses a session it read (0 reads it at every request); a logout on another instance is seen within it"},
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
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, s := range settings {
			if s.name == name {
				return s.fallback
			}
		}
		panic("config: unknown setting " + name)
	}
	c := config{
		DatabaseURL:        get("DATABASE_URL"),
		MigrateDatabaseURL: get("MIGRATE_DATABASE_URL"),
		SMTPURL:            get("SMTP_URL"),
		MailFrom:           get("MAIL_FROM"),
		BaseURL:            strings.TrimRight(get("BASE_URL"), "/"),
		Addr:               get("ADDR"),
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	ttl, err := time.ParseDuration(get("SESSION_CACHE_TTL"))
	if err != nil || ttl < 0 || ttl > time.Hour {
		return c, fmt.Errorf("SESSION_CACHE_TTL: %q is not a duration between 0s and 1h, like 30s", get("SESSION_CACHE_TTL"))
	}
	c.SessionCacheTTL = ttl
	if c.CountsCacheTTL, err = time.ParseDuration(get("COUNTS_CACHE_TTL")); err != nil || c.CountsCacheTTL < 0 || c.CountsCacheTTL > time.Hour {
		return c, fmt.Errorf("COUNTS_CACHE_TTL: %q is not a duration between 0s and 1h, like 10s", get("COUNTS_CACHE_TTL"))
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
		fmt.Fprintf(w, "  %-22s %s\n  %-22s (default: %s)\n", s.name, s.help, "", fallback)
	}
}
