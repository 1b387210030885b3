package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"fieldops/internal/demo"
	"fieldops/internal/identity"
)

// company runs the operator's company subcommands, as the owner role (MIGRATE_DATABASE_URL).
func company(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: fieldops company create|reset-password|set-seats|set-limits|suspend|unsuspend (fieldops -h)")
	}
	fs := flag.NewFlagSet("company "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	switch args[0] {
	case "create":
		var in identity.NewCompany
		fs.StringVar(&in.CompanyName, "name", "", "the company's name")
		fs.StringVar(&in.AdminName, "admin-name", "", "the first admin's name")
		fs.StringVar(&in.AdminEmail, "admin-email", "", "the first admin's email (an existing account gains the company)")
		fs.StringVar(&in.AdminPassword, "admin-password", "", "the first admin's password (generated when empty)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
			id, password, err := identity.CreateCompany(ctx, owner, identity.NewHasher(identity.DefaultArgon2), in)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Created company %d, %q.\n", id, in.CompanyName)
			if password != "" {
				fmt.Fprintf(stdout, "Admin login: %s / %s\n", in.AdminEmail, password)
			} else {
				fmt.Fprintf(stdout, "%s already had an account: it is now an admin of this company, with its own password.\n", in.AdminEmail)
			}
			return nil
		})
	case "reset-password":
		var email string
		fs.StringVar(&email, "email", "", "the account's email")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
			password, err := identity.ResetPassword(ctx, owner, identity.NewHasher(identity.DefaultArgon2), email)
			if err != nil {
				return fmt.Errorf("reset-password: no account has the email %q: %w", email, err)
			}
			fmt.Fprintf(stdout, "New password for %s: %s\nEvery session of the account has ended; ask them to change it after logging in.\n", email, password)
			return nil
		})
	case "set-seats":
		var id int64
		var seats int
		fs.Int64Var(&id, "company", 0, "the company's id")
		fs.IntVar(&seats, "seats", -1, "licence seats in the company's plan")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
			if err := identity.SetSeats(ctx, owner, id, seats); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Company %d now has %d seats.\n", id, seats)
			return nil
		})
	case "set-limits":
		var id int64
		var l identity.EmailLimits
		fs.Int64Var(&id, "company", 0, "the company's id")
		fs.IntVar(&l.Hourly, "hourly", 0, "recipients it may email per hour (0 with -daily 0: the defaults)")
		fs.IntVar(&l.Daily, "daily", 0, "recipients it may email per day")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
			if err := identity.SetEmailLimits(ctx, owner, id, l); err != nil {
				return err
			}
			if l == (identity.EmailLimits{}) {
				fmt.Fprintf(stdout, "Company %d sends within the default limits.\n", id)
			} else {
				fmt.Fprintf(stdout, "Company %d may email %d people an hour and %d a day.\n", id, l.Hourly, l.Daily)
			}
			return nil
		})
	case "suspend", "unsuspend":
		var id int64
		var reason string
		fs.Int64Var(&id, "company", 0, "the company's id")
		if args[0] == "suspend" {
			fs.StringVar(&reason, "reason", "", "why, in words its staff will see")
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
			if err := identity.Suspend(ctx, owner, id, args[0] == "suspend", reason); err != nil {
				return err
			}
			if args[0] == "suspend" {
				fmt.Fprintf(stdout, "Company %d is suspended: nothing of it is sent until you unsuspend it.\n", id)
			} else {
				fmt.Fprintf(stdout, "Company %d sends email again; what waited in its outbox goes out now.\n", id)
			}
			return nil
		})
	}
	return fmt.Errorf("unknown command %q: fieldops company create|set-seats|set-limits|suspend|unsuspend", args[0])
}

// seedDemo creates the demo company once and prints its logins.
func seedDemo(ctx context.Context, cfg config, stdout io.Writer) error {
	return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
		created, err := demo.Seed(ctx, owner, identity.NewHasher(identity.DefaultArgon2))
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(stdout, "Seeded the demo company %q.\n", demo.CompanyName)
		} else if days, err := demo.KeepCurrent(ctx, owner, time.Now()); err != nil {
			return err
		} else if days != 0 {
			fmt.Fprintf(stdout, "Moved the demo's visits %d days, to be around today.\n", days)
		}
		fmt.Fprintf(stdout, "Demo logins (password %q):\n", demo.Password)
		for _, l := range append(demo.Logins, demo.PortalLogin, demo.GuestLogin) {
			fmt.Fprintf(stdout, "  %-16s %s\n", l.Role.Label(), l.Email)
		}
		fmt.Fprintf(stdout, "  %-16s %s (%s, the demo's subcontractor)\n", demo.SubcontractorLogin.Role.Label(), demo.SubcontractorLogin.Email, demo.SubcontractorName)
		return nil
	})
}

func withOwner(ctx context.Context, cfg config, fn func(*pgxpool.Pool) error) error {
	if err := migrate(ctx, cfg, discardLogger); err != nil {
		return err
	}
	owner, err := pgxpool.New(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer owner.Close()
	return fn(owner)
}

// benchData builds a benchmark company and prints what it made.
func benchData(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench-data", flag.ContinueOnError)
	fs.SetOutput(stdout)
	jobs := fs.Int("jobs", 100_000, "how many jobs (1000000 for a million)")
	tasks := fs.Int("tasks", 100_000, "how many tasks (0 for none)")
	name := fs.String("name", "Bench Co", "the company's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jobs < 1 || *jobs > 10_000_000 {
		return fmt.Errorf("-jobs must be between 1 and 10000000")
	}
	if *tasks < 0 || *tasks > 10_000_000 {
		return fmt.Errorf("-tasks must be between 0 and 10000000")
	}
	if *tasks == 0 {
		*tasks = -1 // BenchOptions' none
	}
	return withOwner(ctx, cfg, func(owner *pgxpool.Pool) error {
		res, err := demo.Bench(ctx, owner, identity.NewHasher(identity.DefaultArgon2), demo.BenchOptions{Name: *name, Jobs: *jobs, Tasks: *tasks})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Built %q (company %d) in %s: %d jobs, %d visits, %d lines, %d clients, %d sites, %d tasks with %d comments.\n",
			*name, res.CompanyID, res.Took.Round(100*time.Millisecond), res.Jobs, res.Visits, res.Lines, res.Clients, res.Sites, res.Tasks, res.TaskComments)
		fmt.Fprintf(stdout, "Steps: %s.\n", strings.Join(res.Steps, ", "))
		fmt.Fprintf(stdout, "Log in as %s with password %q.\n", res.AdminEmail, res.Password)
		return nil
	})
}
