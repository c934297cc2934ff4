#!/usr/bin/env bash
# measure-liveness.sh: how long a backfill waits after `kill -9` of its worker, with the default
# heartbeat settings (every 5s, dead after 20s, stalled after 30s). Each run gets a database of
# its own, migrated by steady, with ROWS leads whose backfill (leads_phone_whatsapp) is slowed
# to about 2 000 rows/s by a trigger, so that the slice is mid-run when its worker is killed.
#
#   scripts/measure-liveness.sh [RUNS]     (default 5; prints each time and the medians)
#
# Scenarios, timed with the local clock against the slice's committed checkpoint (polled every
# 100 ms through psql on DIRECT). "Next checkpoint" is the first one written under a new lease
# (a new attempt's claim), past where the killed worker's last commit left it:
#   other:   two workers; kill -9 the one working the slice; until the other's first checkpoint
#   restart: one worker; kill -9 it and start a new one at once; until the new one's first checkpoint
#   stalled: one worker; kill -9 it; until `steady backfill status --json` says "stalled"
#
# Needs: STEADY (the binary, default bin/steady), ADMIN_URL (a DIRECT URL of a database that may
# create databases; default the test instance's), POOLER_BASE (the PgBouncer URL without the
# database name; PgBouncer must accept any database, as devdb's does).
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
steady=${STEADY:-$root/bin/steady}
admin=${ADMIN_URL:-postgres://steady:devpass@127.0.0.1:55433/steady?sslmode=disable}
pooler_base=${POOLER_BASE:-postgres://steady:devpass@127.0.0.1:56433}
rows=${ROWS:-200000}
psql=${PSQL:-$(command -v psql || echo /usr/lib/postgresql/15/bin/psql)}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

direct_of() { echo "${admin%/*}/$1?sslmode=disable"; }
now() { date +%s.%N; }
q() { "$psql" "$(direct_of "$1")" -Atqc "$2"; }

# setup DB: a fresh database with the schema, the leads and a slow trigger, and a run enqueued.
setup() {
  local db=$1
  "$psql" "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL_DIRECT DATABASE_URL_POOLER
  DATABASE_URL_DIRECT=$(direct_of "$db")
  DATABASE_URL_POOLER="$pooler_base/$db?sslmode=disable"
  "$steady" migrate >/dev/null 2>&1
  q "$db" "INSERT INTO business (name, slug) VALUES ('Measure', 'measure');
    INSERT INTO leads (business_id, full_name, phone_whatsapp)
      SELECT 1, d, '0' || d FROM generate_series(1, $rows) g, LATERAL (SELECT '5' || lpad(g::text, 8, '0') AS d) n;
    CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM pg_sleep(0.0005); RETURN NEW; END \$\$;
    CREATE TRIGGER slow BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION slow();" >/dev/null
  "$steady" backfill enqueue leads_phone_whatsapp >/dev/null 2>&1
}

worker() { # worker NAME: start a worker in the background, its pid in $last
  STEADY_LOG_FORMAT=json STEADY_HTTP_ADDR=127.0.0.1:0 STEADY_BACKFILL_ON_START=none \
    "$steady" worker --backfill-max-batch 1000 >"$work/$1.log" 2>&1 &
  last=$!
  pids+=("$last")
}

cursor() { q "$1" "SELECT coalesce(max(cursor_key), 0) FROM steady_backfill_slices"; }
lease() { q "$1" "SELECT coalesce(max(lease), 0) FROM steady_backfill_slices"; }

until_next_checkpoint() { # until_next_checkpoint DB LEASE: a new attempt's first checkpoint
  local at
  at=$(cursor "$1") # after the kill: a commit the killed worker had sent may still land
  until [ "$(lease "$1")" -gt "$2" ] && [ "$(cursor "$1")" -gt "$at" ]; do sleep 0.1; done
}

going() { # wait until the slice is a tenth through
  until [ "$(cursor "$1")" -ge $((rows / 10)) ]; do sleep 0.2; done
}

elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

other=() restart=() stalled=()
for i in $(seq 1 "$runs"); do
  db=measure_liveness_$i

  setup "$db"
  worker a; a=$last
  going "$db"
  worker b; b=$last
  until [ "$(q "$db" "SELECT count(*) FROM steady_workers WHERE dead_at IS NULL")" = 2 ]; do sleep 0.2; done
  holder=
  until [ -n "$holder" ]; do
    holder=$(q "$db" "SELECT w.pid FROM river_job j JOIN steady_workers w ON w.id = j.attempted_by[array_upper(j.attempted_by, 1)]
      WHERE j.kind = 'steady_backfill' AND j.state = 'running'")
  done
  l=$(lease "$db")
  t0=$(now); kill -9 "$holder"
  until_next_checkpoint "$db" "$l"
  other+=("$(elapsed "$t0")")
  kill -9 "$a" "$b" 2>/dev/null || true; wait 2>/dev/null || true

  setup "$db"
  worker c; c=$last
  going "$db"
  l=$(lease "$db")
  t0=$(now); kill -9 "$c"; wait "$c" 2>/dev/null || true
  worker d; d=$last
  until_next_checkpoint "$db" "$l"
  restart+=("$(elapsed "$t0")")
  kill -9 "$d" 2>/dev/null || true; wait 2>/dev/null || true

  setup "$db"
  worker e; e=$last
  going "$db"
  t0=$(now); kill -9 "$e"; wait "$e" 2>/dev/null || true
  # Not a pipe into grep -q: under pipefail, its early exit would fail the pipeline.
  until [[ $("$steady" backfill status --json leads_phone_whatsapp 2>/dev/null || true) == *'"state": "stalled"'* ]]; do sleep 0.1; done
  stalled+=("$(elapsed "$t0")")

  "$psql" "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  echo "run $i: other worker ${other[-1]}s, restarted worker ${restart[-1]}s, stalled shown ${stalled[-1]}s" >&2
done

echo "kill -9 → next checkpoint by another worker:  median $(printf '%s\n' "${other[@]}" | median)s   (${other[*]})"
echo "kill -9 → next checkpoint by a restarted one: median $(printf '%s\n' "${restart[@]}" | median)s   (${restart[*]})"
echo "kill -9 → backfill status says stalled:       median $(printf '%s\n' "${stalled[@]}" | median)s   (${stalled[*]})"
