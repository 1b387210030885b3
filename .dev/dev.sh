#!/usr/bin/env bash
# dev.sh run | test | psql — the development environment behind `make run` and `make test`.
#
# It keeps one project-local PostgreSQL cluster per checkout (unix socket only, so two checkouts never collide),
# creates the owner and app roles, and then either serves the app (run) or runs the Go tests (test) against it.
# Whatever it started, it stops on exit (Ctrl-C included). Set DATABASE_URL and MIGRATE_DATABASE_URL to use
# another Postgres instead; the cluster is then left alone.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
key=$(printf %s "$root" | sha256sum | cut -c1-10)
sockdir=/tmp/fieldops-$key # a unix socket path must stay under 107 bytes
is_root=false
[ "$(id -u)" = 0 ] && is_root=true

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# apt_install installs Debian packages (as root, or through sudo).
apt_install() {
	local sudo=
	$is_root || sudo=sudo
	say "installing $* (Debian packages)"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# pg_bindir prints the directory of the newest installed PostgreSQL server, installing Debian's when there is none.
pg_bindir() {
	local dir
	dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$dir" ] && command -v initdb >/dev/null; then dir=$(dirname "$(readlink -f "$(command -v initdb)")"); fi
	if [ -z "$dir" ]; then
		apt_install postgresql >&2
		dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	fi
	echo "$dir"
}

# as_pg runs a command as the user that owns the cluster: postgres refuses to run as root.
as_pg() {
	if $is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# data_dir picks where the cluster lives: .data/ in the checkout when the cluster's user can reach it, else a
# directory keyed by the checkout's path (a checkout under a root-only home, as CI's clone may be).
data_dir() {
	if ! $is_root; then
		echo "$root/.data/pg"
		return
	fi
	mkdir -p "$root/.data"
	chown postgres: "$root/.data"
	if runuser -u postgres -- test -w "$root/.data" 2>/dev/null; then
		echo "$root/.data/pg"
	else
		mkdir -p "/var/tmp/fieldops-$key"
		chown postgres: "/var/tmp/fieldops-$key"
		echo "/var/tmp/fieldops-$key/pg"
	fi
}

started_pg=false
pgbin=
pgdata=

# ensure_postgres creates the cluster on first use and starts it when it is not running.
ensure_postgres() {
	pgbin=$(pg_bindir)
	pgdata=$(data_dir)
	if $is_root && ! id postgres >/dev/null 2>&1; then
		say "the postgres user is missing: install Debian's postgresql package"
		exit 1
	fi
	if [ ! -s "$pgdata/PG_VERSION" ]; then
		say "creating the project's Postgres cluster in $pgdata"
		mkdir -p "$pgdata"
		$is_root && chown postgres: "$pgdata"
		as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
		as_pg tee -a "$pgdata/postgresql.conf" >/dev/null <<-EOF
			# fieldops development cluster: unix socket only, tuned for many small test databases.
			listen_addresses = ''
			max_connections = 300
			shared_buffers = 256MB
			synchronous_commit = off
			log_min_messages = warning
		EOF
	fi
	# pg_stat_statements shows where the database's time goes (make load, profiling); on an older cluster it takes
	# effect at its next start.
	if ! grep -q "^shared_preload_libraries = 'pg_stat_statements'" "$pgdata/postgresql.conf"; then
		echo "shared_preload_libraries = 'pg_stat_statements'" | as_pg tee -a "$pgdata/postgresql.conf" >/dev/null
	fi
	mkdir -p "$sockdir"
	$is_root && chown postgres: "$sockdir"
	if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
		say "starting Postgres (socket in $sockdir)"
		as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/../postgres.log" -w -t 60 -o "-k $sockdir" start >/dev/null
		started_pg=true
	fi
	"$pgbin/psql" -q -X -h "$sockdir" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<-'SQL'
		select 'create role fieldops_owner login createdb'
		 where not exists (select from pg_roles where rolname = 'fieldops_owner') \gexec
		select 'create role fieldops_app login'
		 where not exists (select from pg_roles where rolname = 'fieldops_app') \gexec
		select 'create database fieldops owner fieldops_owner'
		 where not exists (select from pg_database where datname = 'fieldops') \gexec
	SQL
}

# build_mailpit builds Mailpit (a real SMTP server with a web UI and an HTTP API) from tools/go.mod, whose
# dependencies stay out of the app's go.mod. The Go build cache makes later builds instant.
build_mailpit() {
	(cd "$root" && go build -modfile=tools/go.mod -o .bin/mailpit github.com/axllent/mailpit)
}

# install_axe fetches axe-core (the accessibility checker the browser tests run in each page) from the npm
# registry once, checked against its known digest, into .bin/.
axe_version=4.10.3
axe_sha256=0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292
install_axe() {
	local js="$root/.bin/axe-$axe_version.min.js" tgz
	[ -s "$js" ] && return
	command -v curl >/dev/null || apt_install curl ca-certificates
	mkdir -p "$root/.bin"
	tgz="$root/.bin/axe-$axe_version.tgz"
	rm -f "$tgz" "$js.tmp"
	curl -fsSL -o "$tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$axe_version.tgz"
	echo "$axe_sha256  $tgz" | sha256sum -c --quiet
	tar -xzf "$tgz" -O package/axe.min.js >"$js.tmp"
	mv "$js.tmp" "$js"
	rm -f "$tgz"
}

mailpit_pid=

# start_mailpit serves SMTP on localhost:1025 and the UI/API on http://localhost:8025, unless one already does.
start_mailpit() {
	if (exec 3<>/dev/tcp/127.0.0.1/1025) 2>/dev/null; then
		say "something already listens on localhost:1025; using it as the mail server"
		return
	fi
	build_mailpit
	"$root/.bin/mailpit" --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --quiet --smtp-disable-rdns \
		--disable-version-check --max 0 --max-age 30d --database "$root/.data/mailpit.db" &
	mailpit_pid=$!
	say "Mailpit: every email the app sends is at http://localhost:8025"
}

stop_started() {
	if [ -n "$mailpit_pid" ]; then
		kill "$mailpit_pid" 2>/dev/null || true
		wait "$mailpit_pid" 2>/dev/null || true
	fi
	if $started_pg; then
		say "stopping Postgres"
		as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

url() { echo "postgres://$1@/$2?host=$sockdir"; }

cmd=${1:-}
shift || true
case "$cmd" in
run)
	if [ -z "${DATABASE_URL:-}" ]; then
		ensure_postgres
		trap stop_started EXIT
		export DATABASE_URL MIGRATE_DATABASE_URL
		DATABASE_URL=$(url fieldops_app fieldops)
		MIGRATE_DATABASE_URL=$(url fieldops_owner fieldops)
	fi
	trap stop_started EXIT
	if [ -z "${SMTP_URL:-}" ]; then
		mkdir -p "$root/.data"
		start_mailpit
		export SMTP_URL=smtp://127.0.0.1:1025
	fi
	"$root/.bin/fieldops" seed-demo
	say "serving ${BASE_URL:-http://localhost:8080} (Ctrl-C stops it)"
	# Not exec: the EXIT trap must run after the server stops.
	"$root/.bin/fieldops" serve "$@"
	;;
test)
	if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
	if [ -z "${TEST_DATABASE_URL:-}" ]; then
		ensure_postgres
		trap stop_started EXIT
		export TEST_DATABASE_URL TEST_MIGRATE_DATABASE_URL
		TEST_DATABASE_URL=$(url fieldops_app postgres)
		TEST_MIGRATE_DATABASE_URL=$(url fieldops_owner postgres)
	fi
	build_mailpit
	install_axe
	# PG_BINDIR lets the reliability tests run a cluster of their own, which they stop and start.
	export CHROMIUM=/usr/bin/chromium MAILPIT="$root/.bin/mailpit" PG_BINDIR="${pgbin:-$(pg_bindir)}" AXE_JS="$root/.bin/axe-$axe_version.min.js"
	go test -count=1 -timeout 12m "${@:-./...}" # packages and flags may be given: dev.sh test -run X ./internal/staff
	;;
psql)
	ensure_postgres
	trap stop_started EXIT
	"$pgbin/psql" -h "$sockdir" -U postgres -d fieldops "$@"
	;;
*)
	echo "usage: .dev/dev.sh run|test|psql" >&2
	exit 2
	;;
esac
