package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldops/internal/db"
	"fieldops/internal/db/dbtest"
	"fieldops/internal/mail/mailtest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRun_HelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"fieldops", "-h"}, env(nil), &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"serve", "migrate", "backup", "restore", "reset-password"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("fieldops -h does not mention %s", name)
		}
	}
	// Every variable the binary reads is in -h (secrets marked) and in the README's configuration table.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), "  "+s.name+" ") {
			t.Errorf("fieldops -h does not list %s", s.name)
		}
		if !strings.Contains(string(readme), "| `"+s.name+"` |") {
			t.Errorf("the README's configuration table lacks %s", s.name)
		}
	}
	if strings.Count(out.String(), "secret: keep it out") != len(secrets) {
		t.Errorf("fieldops -h marks %d secrets, want %d", strings.Count(out.String(), "secret: keep it out"), len(secrets))
	}
}

func TestRun_BadConfigIsAnError(t *testing.T) {
	for name, e := range map[string]map[string]string{
		"log level":    {"LOG_LEVEL": "loud"},
		"log format":   {"LOG_FORMAT": "xml"},
		"metrics addr": {"METRICS_ADDR": "nine-thousand"},
		"sms poll":     {"SMS_POLL": "never"},
		"proxy":        {"TRUSTED_PROXIES": "10.0.0.0/8, not-a-cidr"},
		"grace":        {"SHUTDOWN_GRACE": "0s"},
		"poll":         {"OUTBOX_POLL": "soon"},
		"lease":        {"OUTBOX_LEASE": "-5m"},
		"backoff":      {"OUTBOX_BACKOFF": "2h"},
		"unknown verb": {},
	} {
		t.Run(name, func(t *testing.T) {
			verb := "serve"
			if name == "unknown verb" {
				verb = "frobnicate"
			}
			if err := run(context.Background(), []string{"fieldops", verb}, env(e), &bytes.Buffer{}); err == nil {
				t.Error("run accepted it")
			}
		})
	}
}

// Several instances starting at once all migrate without error: goose's session lock lets one do the work.
func TestRun_ConcurrentMigrations(t *testing.T) {
	appURL, ownerURL := dbtest.Empty(t)
	e := env(map[string]string{"MIGRATE_DATABASE_URL": ownerURL, "LOG_LEVEL": "error"})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = run(context.Background(), []string{"fieldops", "migrate"}, e, &bytes.Buffer{}) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.Pool.QueryRow(context.Background(), `select count(*) from companies`).Scan(&n); err != nil {
		t.Errorf("companies is not there after migrate: %v", err)
	}
}

func TestRun_ServeRefusesTheOwnerRole(t *testing.T) {
	_, ownerURL := dbtest.Empty(t)
	e := env(map[string]string{"DATABASE_URL": ownerURL, "MIGRATE_DATABASE_URL": ownerURL, "ADDR": "127.0.0.1:0", "LOG_LEVEL": "error"})
	err := run(context.Background(), []string{"fieldops", "serve"}, e, &bytes.Buffer{})
	if !errors.Is(err, db.ErrUnsafeRole) {
		t.Errorf("serve as the owner = %v, want ErrUnsafeRole", err)
	}
}

// serve migrates an empty database, answers /readyz, and returns cleanly when its context ends.
func TestRun_ServeLifecycle(t *testing.T) {
	appURL, ownerURL := dbtest.Empty(t)
	addr := fmt.Sprintf("127.0.0.1:%d", mailtest.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	e := env(map[string]string{"DATABASE_URL": appURL, "MIGRATE_DATABASE_URL": ownerURL, "ADDR": addr, "LOG_LEVEL": "error"})
	go func() { done <- run(ctx, []string{"fieldops", "serve"}, e, &bytes.Buffer{}) }()

	url := fmt.Sprintf("http://%s/readyz", addr)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestConfig_PprofOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"": true, "127.0.0.1:6060": true, "localhost:6060": true, "[::1]:6060": true,
		":6060": false, "0.0.0.0:6060": false, "10.0.0.5:6060": false, "127.0.0.1": false} {
		_, err := loadConfig(env(map[string]string{"PPROF_ADDR": addr}))
		if (err == nil) != ok {
			t.Errorf("PPROF_ADDR=%q: %v, want accepted %v", addr, err, ok)
		}
	}
}
