package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
)

const usage = `fieldops — field-service jobs, shared with your clients.

Usage:
  fieldops serve      migrate the database, then serve the web app (and deliver email)
  fieldops migrate    migrate the database and exit
  fieldops seed-demo  create the demo company once and print its logins
  fieldops company create -name NAME -admin-name NAME -admin-email EMAIL [-admin-password PASSWORD]
                      create a company and its first admin (an existing account keeps its password)
  fieldops company reset-password -email EMAIL
                      give an account a new password (printed once) and end its sessions: for a lost admin password
  fieldops company set-seats -company ID -seats N
                      set a company's licence seats (its plan)
  fieldops company set-limits -company ID -hourly N -daily N
                      set how many people a company may email an hour and a day (0 and 0: the defaults)
  fieldops company suspend -company ID -reason TEXT
                      stop everything a company sends (its staff see the reason); unsuspend -company ID restores it
  fieldops bench-data [-jobs 100000] [-name "Bench Co"]
                      build a company with years of history (5,000 clients, 50 staff, ~3 visits and ~4 lines
                      a job) by COPY, to measure the app at scale; prints its admin login
  fieldops backup FILE
                      write the whole database (every company, files, outbox) to FILE with pg_dump, as the owner
  fieldops restore FILE
                      load a backup into the empty database at MIGRATE_DATABASE_URL, all or nothing
  fieldops -h         this help
`

var discardLogger = slog.New(slog.DiscardHandler)

// run is the whole program: main only adds the signal context and the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout)
		printSettings(stdout)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(os.Stderr, cfg)
	switch args[1] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log)
	case "seed-demo":
		return seedDemo(ctx, cfg, stdout)
	case "company":
		return company(ctx, cfg, args[2:], stdout)
	case "bench-data":
		return benchData(ctx, cfg, args[2:], stdout)
	case "backup":
		return backup(ctx, cfg, args[2:], stdout)
	case "restore":
		return restore(ctx, cfg, args[2:], stdout)
	}
	return fmt.Errorf("unknown command %q (fieldops -h lists them)", args[1])
}

// newLogger writes to w at the configured level: readable lines, or JSON objects with LOG_FORMAT=json.
func newLogger(w io.Writer, cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
