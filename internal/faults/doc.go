// Package faults holds the reliability tests: the real fieldops binary, on real Postgres and a real Mailpit, with
// things broken for real — the process killed mid-send, the mail server down, the database restarted, a shutdown
// while requests are in flight, a minute of load. `make test-faults` runs them (FIELDOPS_FAULTS=1); without it
// they skip, so `go test ./...` stays quick. The package has no code of its own: what it proves is in the README's
// Reliability section.
package faults
