# fieldops — the two commands are `make run` and `make test`; the rest serve them.
.PHONY: run test test-faults fuzz bench load build generate lint check-generated

# Serve http://localhost:8080 on the project's own Postgres (created on first use; Ctrl-C stops all it started).
run: build
	@.dev/dev.sh run

# Every test, on real Postgres and a real browser (installed when missing).
test:
	@.dev/dev.sh test

# The reliability tests (internal/faults): the real binary killed mid-send, the mail server down, Postgres restarted,
# SIGTERM mid-request, a minute of load, on real Postgres and Mailpit; about 4 minutes. CI runs them after `make test`.
test-faults:
	@FIELDOPS_FAULTS=1 .dev/dev.sh test -v ./internal/faults/

# Every fuzz target (the parsers of what people type) for FUZZTIME each, 10s unless set; CI runs it too.
fuzz:
	@.dev/fuzz.sh

# The job list at 10,000, 100,000 and 1,000,000 jobs (bench-data), with EXPLAIN (ANALYZE, BUFFERS) of every view's query;
# the task list at 10,000 and 100,000 tasks, for an admin and a co-worker; Today and the board at 100,000 jobs; 500 open chat
# streams; the outbox's delivery rate beside a bare
# go-mail loop; then the load section (`make load`).
bench:
	@BENCH_EXPLAIN=1 .dev/dev.sh test -run '^$$' -bench JobList -benchtime 50x -v -timeout 60m ./internal/server/
	@.dev/dev.sh test -run '^$$' -bench TaskList -benchtime 100x -timeout 20m ./internal/server/
	@.dev/dev.sh test -run '^$$' -bench 'Today|Board' -benchtime 50x -timeout 20m ./internal/server/
	@.dev/dev.sh test -run '^$$' -bench 'ChatStreams' -benchtime 1x -count 3 -timeout 5m ./internal/server/
	@.dev/dev.sh test -run '^$$' -bench 'Outbox_Throughput|PlainGoMail' -benchtime 1x ./internal/mail/
	@.dev/load.sh

# Load only: the built binary under wrk (installed when missing) on a 100,000-job company in its own database,
# fieldops_bench (built once, reused), beside a bare chi router; one table of req/s, p50/p99 and the issue's goals.
# Not part of CI.
load:
	@.dev/load.sh

build:
	go build -o .bin/fieldops ./cmd/fieldops

# Regenerate the templ views; the generated *_templ.go files are committed.
generate:
	go tool templ generate -include-version=false -path templates

# Fails when a committed *_templ.go differs from what its .templ generates.
check-generated: generate
	@git diff --quiet -- templates && test -z "$$(git ls-files --others --exclude-standard -- templates)" || \
		{ git status --short -- templates; echo "templ generate changed files: commit the regenerated *_templ.go"; exit 1; }

# gofmt and go vet, then the layering (which package may import which) and the size limits: internal/archcheck.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change: $$out"; exit 1; }
	go vet ./...
	go test -count=1 ./internal/archcheck/
