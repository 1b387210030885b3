package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	netmail "net/mail"
	"sync"
	"time"

	"fieldops/internal/calendar"
	"fieldops/internal/db"
	"fieldops/internal/files"
	"fieldops/internal/mail"
	"fieldops/internal/notify"
	"fieldops/internal/server"
	"fieldops/internal/sms"
)

// serve migrates, opens the app pool (refusing a role that RLS would not bind), starts the outbox worker and
// serves until ctx ends; then it stops taking connections, lets requests in flight finish (up to SHUTDOWN_GRACE),
// and stops the worker, which finishes the email it is sending and hands back the rest.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	smtp, err := mail.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return err
	}
	if _, err := netmail.ParseAddress(cfg.MailFrom); err != nil {
		return fmt.Errorf("MAIL_FROM %q is not an email address: %w", cfg.MailFrom, err)
	}
	if err := migrate(ctx, cfg, log); err != nil {
		return err
	}
	database, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()

	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	worker := &mail.Worker{DB: database, ListenURL: cfg.DatabaseURL, SMTP: smtp, From: cfg.MailFrom, Files: files.Postgres{DB: database}, Log: log,
		Poll: cfg.OutboxPoll, Lease: cfg.OutboxLease, Backoff: cfg.OutboxBackoff}
	digester := &notify.Digester{DB: database, Render: server.DigestRenderer(cfg.BaseURL), Log: log, Every: cfg.DigestPoll}
	var background sync.WaitGroup
	background.Go(func() { worker.Run(workerCtx) })
	background.Go(func() { digester.Run(workerCtx) })
	firer := &calendar.Firer{DB: database, Log: log, Every: cfg.ReminderPoll}
	background.Go(func() { firer.Run(workerCtx) })
	var provider sms.Provider = sms.Dev{}
	if cfg.SMSURL != "" {
		provider = sms.HTTP{URL: cfg.SMSURL, Token: cfg.SMSToken}
	} else {
		log.Info("texts are kept on the Text messages page, not sent: set SMS_URL to deliver them")
	}
	texter := &sms.Worker{DB: database, Provider: provider, Log: log, Poll: cfg.SMSPoll}
	background.Go(func() { texter.Run(workerCtx) })
	workerDone := make(chan struct{})
	go func() { background.Wait(); close(workerDone) }()

	handler := server.New(server.Config{BaseURL: cfg.BaseURL, TrustedProxies: cfg.TrustedProxies, SessionCacheTTL: cfg.SessionCacheTTL,
		CountsCacheTTL: cfg.CountsCacheTTL, SMSWebhookSecret: cfg.SMSWebhookSecret}, database, log)
	defer handler.Close()
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Open chat streams end as the shutdown starts, or it would wait on them for its whole grace period.
	srv.RegisterOnShutdown(handler.EndStreams)
	if cfg.MetricsAddr != "" {
		// Metrics have their own listener: scrapers reach it, the public never does.
		metrics := http.NewServeMux()
		metrics.Handle("/metrics", handler.Metrics())
		go func() { log.Warn("metrics stopped", "err", http.ListenAndServe(cfg.MetricsAddr, metrics)) }()
		log.Info("metrics", "addr", cfg.MetricsAddr)
	}
	if cfg.PprofAddr != "" {
		// The profiler has its own listener on loopback, never the app's port.
		profiler := http.NewServeMux()
		profiler.HandleFunc("/debug/pprof/", pprof.Index)
		profiler.HandleFunc("/debug/pprof/profile", pprof.Profile)
		profiler.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { log.Warn("profiler stopped", "err", http.ListenAndServe(cfg.PprofAddr, profiler)) }()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight and handing back claimed emails", "grace", cfg.ShutdownGrace)
	// The worker stops beside the drain, not after it: both must end within the grace period.
	stopWorker()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if err != nil {
		err = fmt.Errorf("shutdown: requests still running after %v: %w", cfg.ShutdownGrace, err)
	} else if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	select {
	case <-workerDone:
	case <-shutdownCtx.Done():
		err = errors.Join(err, errors.New("shutdown: the email worker did not stop within the grace period; its claims lapse after OUTBOX_LEASE"))
	}
	if err == nil {
		log.Info("stopped")
	}
	return err
}

func migrate(ctx context.Context, cfg config, log *slog.Logger) error {
	return db.Migrate(ctx, cfg.MigrateDatabaseURL, log)
}
