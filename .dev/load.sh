#!/usr/bin/env bash
# load.sh — the load section of `make bench` (and all of `make load`): the real binary, over HTTP, under wrk.
#
# It builds .bin/fieldops and a bare chi router to compare with (tools/barechi), uses the project's Postgres
# through dev.sh (started for the run when it is not running, stopped again after), and keeps a database of its
# own, fieldops_bench, with a 100,000-job company "Load Co" built once by `fieldops bench-data` and reused after.
# On it, as the owner role, it prepares what the targets need (a co-worker, a client user, a Job Share link with a
# known token, a job with 20 visits and 50 lines), serves the app on 127.0.0.1:18080 and the bare router on
# 127.0.0.1:18081, logs in over HTTP, and drives each target with wrk. It prints one table beside the issue's
# goals; wrk's raw output and the server's log stay in .data/load/. Whatever it started, it stops on exit (Ctrl-C
# included); the database stays for the next run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dev=$root/.dev/dev.sh
app=http://127.0.0.1:18080
bare=http://127.0.0.1:18081
db=fieldops_bench
company="Load Co"
# The Job Share link's raw token: 43 base64url characters (32 bytes), as token.New mints them. Only its sha256 is
# stored, as the app stores every link's.
share_raw=ZmllbGRvcHMgbWFrZSBsb2FkIC0gc2hhcmUgbGluayE
# Marks the job topped up to 20 visits and 50 lines, in its History, so later runs find the same job.
big_marker="Load test: 20 visits and 50 lines (.dev/load.sh)"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# --- what it needs: wrk and curl, from Debian (as root, or through sudo, as dev.sh installs its packages).
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	say "installing ${missing[*]} (Debian packages)"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Two servers on fixed ports: a second run at the same time (or a leftover server) would measure the wrong thing.
for port in 18080 18081; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "something already listens on 127.0.0.1:$port (another load.sh?): stop it first"
	fi
done

out=$root/.data/load # wrk's raw output and the server's log, kept after the run for a closer look
mkdir -p "$out"
rm -f "$out"/*.txt "$out"/server.log
work=$(mktemp -d)
server_pid=
bare_pid=
hold_pid=
hold_in=

# cleanup stops the servers, then lets go of Postgres: dev.sh stops it only if it was the one that started it.
cleanup() {
	set +e
	for pid in $server_pid $bare_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$hold_in" ]; then
		exec {hold_in}>&-
		wait "$hold_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. The binaries.
say "building .bin/fieldops and .bin/barechi"
make -s --no-print-directory build
(cd tools && go build -o "$root/.bin/barechi" ./barechi)

# --- 2. Postgres and the bench database.
# A `dev.sh psql` session held open for the whole run keeps the project's Postgres up: dev.sh starts it (creating
# the cluster on first use) and, when this session ends, stops it again only if it started it. The \echo tells
# when it is connected; every other `dev.sh psql` below then finds Postgres running and leaves it so.
coproc PGHOLD { exec "$dev" psql -X -q -d postgres; }
hold_pid=$PGHOLD_PID
hold_in=${PGHOLD[1]}
hold_out=${PGHOLD[0]}
echo '\echo ready' >&"$hold_in"
read -r ready <&"$hold_out" || true
[ "${ready:-}" = ready ] || die "the project's Postgres did not start (see .data/postgres.log)"

# The socket directory dev.sh started Postgres with, for the server's URLs.
sockdir=$("$dev" psql -X -q -A -t -d postgres -c 'show unix_socket_directories')
sockdir=${sockdir%%,*}
owner_url="postgres://fieldops_owner@/$db?host=$sockdir"
app_url="postgres://fieldops_app@/$db?host=$sockdir"

"$dev" psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<-SQL
	select 'create database $db owner fieldops_owner'
	 where not exists (select from pg_database where datname = '$db') \gexec
SQL
MIGRATE_DATABASE_URL=$owner_url DATABASE_URL=$app_url LOG_LEVEL=warn .bin/fieldops migrate

# owner_sql runs SQL as the owner role in the bench database (the owner is not bound by row-level security).
owner_sql() { "$dev" psql -X -q -A -t -v ON_ERROR_STOP=1 -U fieldops_owner -d "$db" "$@"; }

co=$(owner_sql -c "select id from companies where name = '$company' order by id limit 1")
password=
if [ -z "$co" ]; then
	say "building \"$company\": 100,000 jobs by COPY (about a minute; once, reused by later runs)"
	built=$(MIGRATE_DATABASE_URL=$owner_url DATABASE_URL=$app_url .bin/fieldops bench-data -jobs 100000 -name "$company")
	printf '%s\n' "$built" >&2
	password=$(printf '%s\n' "$built" | sed -n 's/^Log in as .* with password "\(.*\)"\.$/\1/p')
	co=$(owner_sql -c "select id from companies where name = '$company' order by id limit 1")
	[ -n "$co" ] || die "bench-data did not make \"$company\""
else
	say "reusing \"$company\" (company $co) in the $db database"
fi
# Bench data gives every login demo.Password: read from the source when the company was built by an earlier run.
[ -n "$password" ] || password=$(sed -n 's/^const Password = "\(.*\)"$/\1/p' internal/demo/demo.go)
[ -n "$password" ] || die "could not read demo.Password from internal/demo/demo.go"

# --- 3. What the targets need, idempotently, in one transaction as the owner role.
share_hex=$(printf %s "$share_raw" | sha256sum | cut -d' ' -f1)
setup=$(owner_sql -F ' ' -v co="$co" -v share_hex="$share_hex" -v big_marker="$big_marker" <<-'SQL'
	begin;
	-- Two runs at once must not both top up the job.
	select pg_advisory_xact_lock(hashtext('fieldops .dev/load.sh')) as locked \gset

	-- The admin: bench data's first (staff-0.<company>@bench.example).
	select m.id as admin_m, a.email as admin_email
	  from memberships m join accounts a on a.id = m.account_id
	 where m.company_id = :co and m.role = 'admin' and m.active order by m.id limit 1 \gset

	-- (a) A co-worker: the first of bench data's 45.
	select m.id as coworker_m, a.email as coworker_email
	  from memberships m join accounts a on a.id = m.account_id
	 where m.company_id = :co and m.role = 'co-worker' and m.active order by m.id limit 1 \gset

	-- (d) The job with 20 visits and 50 lines: the newest job the first time, marked in its History; the same job
	-- after. Its visits fall in the fortnight around today, spread over the staff; its lines as bench data's.
	select coalesce((select job_id from job_history where company_id = :co and what = :'big_marker' order by id limit 1),
	                (select id from jobs where company_id = :co order by number desc limit 1)) as big_job \gset
	insert into job_history (company_id, job_id, actor_name, what)
	select :co, :big_job, 'load.sh', :'big_marker'
	 where not exists (select from job_history where company_id = :co and what = :'big_marker');
	insert into visits (company_id, job_id, assignee_id, starts_at, ends_at, notes)
	select :co, :big_job,
	       (array(select id from memberships where company_id = :co and role in ('admin', 'co-worker') order by id))[1 + g % 50],
	       date_trunc('hour', now()) + (g - 10) * interval '17 hours',
	       date_trunc('hour', now()) + (g - 10) * interval '17 hours' + interval '2 hours',
	       'Load test visit ' || g
	  from generate_series(1, 20 - (select count(*) from visits where company_id = :co and job_id = :big_job)::int) g;
	insert into job_lines (company_id, job_id, description, quantity_milli, unit_cost_cents, unit_price_cents)
	select :co, :big_job, (array['Labour', 'Call-out fee', 'Parts and fittings', 'Travel'])[1 + g % 4],
	       1000 * (1 + g % 4), 1800 + g % 5 * 500, 3250 + g % 7 * 1000
	  from generate_series(1, 50 - (select count(*) from job_lines where company_id = :co and job_id = :big_job)::int) g;
	select client_id as client from jobs where company_id = :co and id = :big_job \gset

	-- (b) A client user (Job Share Plus) of that job's client, every permission on, with the admin's password
	-- hash, so the same password logs in.
	insert into accounts (email, name, password_hash)
	select 'load-client.' || :co || '@bench.example', 'Load Client User', a.password_hash
	  from accounts a join memberships m on m.account_id = a.id where m.company_id = :co and m.id = :admin_m
	on conflict (email) do update set password_hash = excluded.password_hash
	 where accounts.password_hash is distinct from excluded.password_hash;
	insert into memberships (company_id, account_id, role, client_id, perm_add_edit, perm_view_messages, perm_view_prices)
	select :co, a.id, 'client', :client, true, true, true
	  from accounts a where a.email = 'load-client.' || :co || '@bench.example'
	on conflict (company_id, account_id) do nothing;
	select m.id as client_m, a.email as client_email
	  from memberships m join accounts a on a.id = m.account_id
	 where m.company_id = :co and a.email = 'load-client.' || :co || '@bench.example' and m.active \gset

	-- (c) The Job Share link with the known token, on an ordinary job of the same client (its newest other job), so
	-- the dashboard measured is a typical one. A link revoked or expired since is made live again.
	select coalesce((select job_id from share_links where token_hash = decode(:'share_hex', 'hex') and company_id = :co),
	                (select id from jobs where company_id = :co and client_id = :client and id <> :big_job
	                  order by number desc limit 1),
	                :big_job) as share_job \gset
	insert into share_links (company_id, job_id, token_hash, recipient)
	values (:co, :share_job, decode(:'share_hex', 'hex'), 'load-test@bench.example')
	on conflict (token_hash) do update set revoked_at = null, expires_at = null
	 where share_links.company_id = excluded.company_id;
	select count(*) as share_ok from share_links
	 where token_hash = decode(:'share_hex', 'hex') and company_id = :co and revoked_at is null \gset
	commit;

	select :admin_m, :'admin_email', :coworker_m, :'coworker_email', :client_m, :'client_email', :big_job, :share_job,
	       :share_ok, (select count(*) from jobs where company_id = :co),
	       (select count(*) from visits where company_id = :co and job_id = :big_job),
	       (select count(*) from job_lines where company_id = :co and job_id = :big_job);
SQL
)
read -r admin_m admin_email coworker_m coworker_email client_m client_email big_job share_job share_ok njobs nvisits nlines <<<"$setup"
[ "$share_ok" = 1 ] || die "the Job Share link's token belongs to another company in $db: drop the database to start over"
[ "$nvisits/$nlines" = 20/50 ] || die "job $big_job has $nvisits visits and $nlines lines, not 20 and 50"
say "company $co: $njobs jobs; job $big_job has 20 visits and 50 lines; the Job Share link opens job $share_job"

# --- 4. The servers.
say "serving the app on $app and the bare chi router on $bare"
DATABASE_URL=$app_url MIGRATE_DATABASE_URL=$owner_url ADDR=127.0.0.1:18080 BASE_URL=$app METRICS_ADDR=127.0.0.1:18090 \
	SMTP_URL=smtp://127.0.0.1:1 LOG_LEVEL=warn .bin/fieldops serve >"$out/server.log" 2>&1 &
server_pid=$!
.bin/barechi 127.0.0.1:18081 >>"$out/server.log" 2>&1 &
bare_pid=$!
for url in "$app/healthz" "$bare/healthz"; do
	for i in $(seq 100); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && break
		kill -0 "$server_pid" 2>/dev/null && kill -0 "$bare_pid" 2>/dev/null || { tail -n 20 "$out/server.log" >&2; die "a server stopped"; }
		[ "$i" -lt 100 ] || die "$url did not answer within 30 s"
		sleep 0.3
	done
done

# --- 5. Logins, then the targets.
# login prints the session cookie ("name=value") of email after POST /login (and POST /switch to membership, when
# the account has several companies).
login() {
	local email=$1 membership=$2 jar=$work/jar.$2 res
	res=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" \
		--data-urlencode "email=$email" --data-urlencode "password=$password" "$app/login")
	case $res in
	"303 $app/switch")
		res=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -b "$jar" -c "$jar" \
			--data "membership_id=$membership" "$app/switch")
		;;
	esac
	[ "${res%% *}" = 303 ] && [ "${res#* }" != "$app/login" ] || die "logging in as $email failed (HTTP $res)"
	awk -F'\t' '$6 ~ /fieldops_session$/ { print $6 "=" $7 }' "$jar"
}
admin_cookie=$(login "$admin_email" "$admin_m")
coworker_cookie=$(login "$coworker_email" "$coworker_m")
client_cookie=$(login "$client_email" "$client_m")
[ -n "$admin_cookie" ] && [ -n "$coworker_cookie" ] && [ -n "$client_cookie" ] || die "a login set no session cookie"

# wrk counts only 4xx and 5xx as errors; a redirect to /login (a lost session) would pass as a success. This
# script counts every response that is not 2xx, and prints one line wrk's summary does not have. A response
# slower than wrk's timeout (2 s) counts as a timeout and its latency is not recorded, so the percentiles are
# taken over all requests: one that falls among the timeouts prints as ">2000".
cat >"$work/count.lua" <<-'LUA'
	local threads = {}
	function setup(thread) table.insert(threads, thread) end
	function init(args) bad = 0 end
	function response(status, headers, body)
	  if status < 200 or status > 299 then bad = bad + 1 end
	end
	function done(summary, latency, requests)
	  local n, e = 0, summary.errors
	  for _, t in ipairs(threads) do n = n + t:get("bad") end
	  local slow = summary.requests > 0 and math.min(e.timeout / summary.requests, 1) or 1
	  local function ms(p)
	    local q = p / (1 - slow) -- the percentile among the responses whose latency was recorded
	    if slow >= 1 or q >= 100 then return ">2000" end
	    return string.format("%.2f", latency:percentile(q) / 1000)
	  end
	  io.write(string.format("RESULT %.1f %s %s %d %d\n", summary.requests / (summary.duration / 1e6),
	    ms(50), ms(99), n, e.connect + e.read + e.write + e.timeout))
	end
LUA

names=()
results=()
# run NAME URL [COOKIE]: a 200 first (else the setup is wrong), a 2 s warm-up, the measured 10 s, a 200 after.
run() {
	local name=$1 url=$2 cookie=${3:-} n=$((${#names[@]} + 1)) code
	local hdr=()
	[ -z "$cookie" ] || hdr=(-H "Cookie: $cookie")
	code=$(curl -sS -o /dev/null -w '%{http_code}' "${hdr[@]}" "$url")
	[ "$code" = 200 ] || die "$name: GET $url answers $code, not 200, before the run"
	say "$name"
	wrk -t2 -c32 -d2s "${hdr[@]}" "$url" >/dev/null
	wrk -t2 -c32 -d10s --latency -s "$work/count.lua" "${hdr[@]}" "$url" >"$out/$n.txt"
	code=$(curl -sS -o /dev/null -w '%{http_code}' "${hdr[@]}" "$url")
	[ "$code" = 200 ] || die "$name: GET $url answers $code after the run"
	names+=("$name")
	results+=("$(sed -n 's/^RESULT //p' "$out/$n.txt")")
}
run "bare chi /healthz" "$bare/healthz"
run "/healthz" "$app/healthz"
run "/readyz" "$app/readyz"
run "/share/<token>" "$app/share/$share_raw"
run "/jobs?view=all (admin)" "$app/jobs?view=all" "$admin_cookie"
run "/jobs?view=in-progress (admin)" "$app/jobs?view=in-progress" "$admin_cookie"
run "/jobs/$big_job, 20 visits 50 lines (admin)" "$app/jobs/$big_job" "$admin_cookie"
run "/portal/jobs (client user)" "$app/portal/jobs" "$client_cookie"
run "/jobs?view=all (co-worker)" "$app/jobs?view=all" "$coworker_cookie"
run "/jobs?view=all&q=hot+water (admin)" "$app/jobs?view=all&q=hot+water" "$admin_cookie"

# What /metrics saw of the run: requests answered and timed, per route (the histogram's count), from the server's
# own listener — the latency histogram moving under the load.
curl -fsS http://127.0.0.1:18090/metrics >"$out/metrics.txt" || die "/metrics did not answer"
echo
echo "/metrics after the run (fieldops_http_request_duration_seconds_count, by route):"
grep '^fieldops_http_request_duration_seconds_count' "$out/metrics.txt" | sed 's/^fieldops_http_request_duration_seconds_count/  /' | sort -t' ' -k2 -nr | head -n 12

# The server's peak resident memory over the whole run.
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")

# --- 6. One table: each target, its ratio to /readyz (the cheapest request that reaches Postgres) and the goal
# the issue set for it; p99 against 25 ms for every app target.
printf '%s\n' "${results[@]}" | awk -v names="$(printf '%s\n' "${names[@]}")" -v hwm="$hwm_kb" '
	BEGIN { split(names, name, "\n") }
	{ rps[NR] = $1; p50[NR] = $2; p99[NR] = $3; bad[NR] = $4; err[NR] = $5 }
	function verdict(ok) { return ok ? "ok" : "MISSED" }
	END {
		n = NR; ready = rps[3]
		goal[1] = "-"
		goal[2] = sprintf("bare <= 2x /healthz (%.2fx) %s", rps[1] / rps[2], verdict(rps[1] <= 2 * rps[2]))
		goal[3] = sprintf(">= 0.6x /healthz (%.2f) %s", rps[3] / rps[2], verdict(rps[3] >= 0.6 * rps[2]))
		min[4] = 0.5; min[5] = 0.3; min[6] = 0.3; min[7] = 0.3; min[8] = 0.3; min[9] = 0.2
		for (i = 4; i <= 9; i++) goal[i] = sprintf(">= %.1f %s", min[i], verdict(rps[i] >= min[i] * ready))
		goal[10] = "- (none set)"
		line = "-------------------------------------------------------------------------------------------------------------------------------"
		printf "\n%-44s %9s %9s %9s %14s %9s  %-34s %s\n", "target", "req/s", "p50 ms", "p99 ms", "non-2xx/errors", "x /readyz", "goal (ratio to /readyz)", "p99 <= 25 ms"
		print line
		for (i = 1; i <= n; i++) {
			printf "%-44s %9.0f %9s %9s %14s %9.3f  %-34s %s\n", name[i], rps[i], p50[i], p99[i], bad[i] "/" err[i],
				rps[i] / ready, goal[i], i == 1 ? "-" : verdict(p99[i] !~ /^>/ && p99[i] + 0 <= 25)
		}
		print line
		printf "peak RSS of fieldops serve (VmHWM): %.1f MiB, goal <= 100 MB: %s\n", hwm / 1024, verdict(hwm * 1024 <= 100e6)
	}'
dirty=
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" (with uncommitted changes)"
echo "machine: $(nproc) CPUs, $(uname -m); commit $(git rev-parse --short HEAD)$dirty; company $co, $njobs jobs"
echo "wrk -t2 -c32 -d10s --latency after a 2 s warm-up each; raw output and the server's log in .data/load/"

# Every response must have been a 2xx: anything else means a login or the setup is wrong, not that it is slow.
# Socket errors (mostly timeouts: responses slower than 2 s) are a measurement, and only named.
for i in "${!results[@]}"; do
	read -r _ _ _ bad errs <<<"${results[$i]}"
	[ "$errs" = 0 ] || echo "note: ${names[$i]}: $errs socket errors (timeouts are responses slower than 2 s)"
	[ "$bad" = 0 ] || die "${names[$i]} answered $bad times other than 2xx: a login or the setup is wrong"
done
