#!/usr/bin/env bash
# devdb.sh: a local PostgreSQL 15 and a PgBouncer in transaction mode in front of it,
# from the machine's own binaries, on 127.0.0.1 only. No Docker.
#
#   scripts/devdb.sh up   [dev|test]   start both (idempotent) and print the export lines
#   scripts/devdb.sh down [dev|test]   stop both
#   scripts/devdb.sh env  [dev|test]   print the export lines only
#
# "dev" keeps its data in .devdb/ (ports 55432 postgres, 56432 pgbouncer); "test" in .testdb/ (or tmpfs)
# (ports 55433, 56433), tuned for throwaway speed; "bench" in .benchdb/ (ports 55434, 56434),
# durable like production so that commit costs are real. The settings mirror docker-compose.yml.
set -euo pipefail

cmd=${1:-up}
name=${2:-dev}
root=$(cd "$(dirname "$0")/.." && pwd)

case "$name" in
  dev)  dir=${STEADY_DEVDB_DIR:-$root/.devdb};  pgport=${STEADY_DEVDB_PG_PORT:-55432}; bport=${STEADY_DEVDB_BOUNCER_PORT:-56432} ;;
  test) dir=${STEADY_DEVDB_DIR:-$root/.testdb}; pgport=${STEADY_DEVDB_PG_PORT:-55433}; bport=${STEADY_DEVDB_BOUNCER_PORT:-56433} ;;
  bench) dir=${STEADY_DEVDB_DIR:-$root/.benchdb}; pgport=${STEADY_DEVDB_PG_PORT:-55434}; bport=${STEADY_DEVDB_BOUNCER_PORT:-56434} ;;
  *) echo "devdb: unknown instance '$name' (want dev, test or bench)" >&2; exit 2 ;;
esac

# Development credentials only; they never leave this machine's loopback.
user=steady
pass=devpass
db=steady

log() { echo "devdb[$name]: $*" >&2; }

find_pgbin() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v postgres)")"; return
  fi
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] && { echo "$d"; return; }
  done
  echo "devdb: PostgreSQL server binaries not found (want initdb, pg_ctl, postgres on PATH or under /usr/lib/postgresql/*/bin)" >&2
  exit 1
}

find_pgbouncer() {
  if command -v pgbouncer >/dev/null 2>&1; then command -v pgbouncer; return; fi
  [ -x /usr/sbin/pgbouncer ] && { echo /usr/sbin/pgbouncer; return; }
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's pgbouncer package"
    # The package's own service must not start: we run our own instance.
    (apt-get install -y -qq pgbouncer >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq pgbouncer >/dev/null; }) || {
      echo "devdb: apt-get install pgbouncer failed" >&2; exit 1; }
    command -v pgbouncer >/dev/null 2>&1 && { command -v pgbouncer; return; }
    [ -x /usr/sbin/pgbouncer ] && { echo /usr/sbin/pgbouncer; return; }
  fi
  echo "devdb: pgbouncer is not installed. Install it with: sudo apt-get install -y pgbouncer" >&2
  exit 1
}

# PostgreSQL and PgBouncer refuse to run as root: as root, run them as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

setup_owner() {
  owner=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$owner"
  fi
}

# The data lives in $dir, with two exceptions, each linked from $dir/pgdata:
#   - the test instance's throwaway data lives in memory (/dev/shm) when that is a tmpfs with
#     4 GiB free: the tests create and drop hundreds of databases, each a few hundred files, and
#     creating files on a disk's filesystem was a tenth of the server's work in make test
#     (CREATE DATABASE 50 ms on ext4, 10 ms on tmpfs). STEADY_DEVDB_TMPFS=0 keeps it on disk.
#   - when the owner cannot reach $dir (a clone under /root, say): /var/tmp.
# Either place is named after $dir, so a new clone at the same path starts from a fresh initdb.
prepare_dir() {
  mkdir -p "$dir"
  data=$dir/pgdata
  if [ -L "$data" ]; then data=$(readlink "$data"); return; fi
  [ -d "$data" ] && return
  local alt=""
  if [ "$name" = test ] && [ "${STEADY_DEVDB_TMPFS:-1}" != 0 ] && tmpfs_room /dev/shm; then
    alt=/dev/shm/steady-devdb-$(printf '%s' "$dir" | md5sum | cut -c1-10)
  elif [ "$(id -u)" = 0 ] && ! runuser -u "$owner" -- test -x "$dir"; then
    alt=/var/tmp/steady-devdb-$(printf '%s' "$dir" | md5sum | cut -c1-10)
  fi
  [ -n "$alt" ] || return 0
  # A leftover of a removed clone at the same path: its server would be running from our link.
  if [ -f "$alt/pgdata/postmaster.pid" ] && as_owner "$pgbin/pg_ctl" -D "$alt/pgdata" status >/dev/null 2>&1; then
    echo "devdb: a server from a removed checkout at $dir still runs from $alt/pgdata: stop it (pg_ctl -D $alt/pgdata stop) and the PgBouncer on 127.0.0.1:$bport" >&2
    exit 1
  fi
  rm -rf "$alt"
  mkdir -p "$alt"; [ "$(id -u)" = 0 ] && chown "$owner" "$alt"
  ln -s "$alt/pgdata" "$dir/pgdata"
  data=$alt/pgdata
}

# tmpfs_room: the directory is a writable tmpfs with 4 GiB free.
tmpfs_room() {
  [ -d "$1" ] && [ -w "$1" ] && [ "$(stat -f -c %T "$1" 2>/dev/null)" = tmpfs ] || return 1
  local free_kb
  free_kb=$(df -Pk "$1" | awk 'NR == 2 { print $4 }')
  [ "${free_kb:-0}" -ge $((4 * 1024 * 1024)) ]
}

env_lines() {
  echo "export DATABASE_URL_DIRECT=postgres://$user:$pass@127.0.0.1:$pgport/$db?sslmode=disable"
  echo "export DATABASE_URL_POOLER=postgres://$user:$pass@127.0.0.1:$bport/$db?sslmode=disable"
}

psql_admin() {
  PGPASSWORD=$pass "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U "$user" "$@"
}

pg_up() {
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initdb in $data"
    mkdir -p "$data"; chmod 700 "$data"
    [ "$(id -u)" = 0 ] && chown "$owner" "$data"
    local pw
    pw=$(mktemp); printf '%s\n' "$pass" >"$pw"; chmod 644 "$pw"
    as_owner "$pgbin/initdb" -D "$data" -U "$user" --pwfile="$pw" --auth-host=scram-sha-256 \
      --auth-local=scram-sha-256 -E UTF8 --locale=C >/dev/null
    rm -f "$pw"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $pgport"
      echo "unix_socket_directories = ''"
      echo "password_encryption = 'scram-sha-256'"
      # pg_stat_statements for looking into dev and bench runs; not in the test instance, where
      # hundreds of short-lived databases each add their own entries and evict the others
      # (make test: 370 CPU-s with it, 353 without).
      if [ "$name" != test ]; then
        echo "shared_preload_libraries = 'pg_stat_statements'"
        echo "pg_stat_statements.track = all"
      fi
      echo "log_destination = 'stderr'"
      echo "logging_collector = off"
      if [ "$name" = test ]; then
        # Throwaway data: trade durability for speed; many per-test databases need connections.
        echo "max_connections = 500"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        # dbtest.StartStandby streams a hot standby from this server (pg_basebackup -R) over
        # loopback: initdb's pg_hba.conf allows replication from 127.0.0.1; these are the defaults,
        # written down because the standby tests need them.
        echo "wal_level = replica"
        echo "max_wal_senders = 10"
      elif [ "$name" = bench ]; then
        echo "max_connections = 300"
        echo "shared_buffers = 1GB"
        echo "max_wal_size = 4GB"
        echo "maintenance_work_mem = 512MB"
      else
        echo "max_connections = 200"
      fi
    } >>"$data/postgresql.conf"
  fi
  if as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    return
  fi
  log "starting postgres on 127.0.0.1:$pgport"
  as_owner "$pgbin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
  [ "$name" = test ] || psql_admin -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  [ "$name" = test ] && cheap_scram
  if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql_admin -d postgres -c "CREATE DATABASE $db" >/dev/null
  fi
}

# cheap_scram gives the test role a SCRAM-SHA-256 secret of one iteration instead of 4,096.
# Every client derives its key from the secret's iteration count on each login, and the tests
# log in thousands of times, under the race detector: that key stretching was 7 % of the CLI
# tests' CPU. The exchange is still SCRAM, end to end, through PgBouncer too (it reuses the
# secret). Made with pgcrypto's hmac (PostgreSQL's contrib); without pgcrypto, the secret stays.
cheap_scram() {
  psql_admin -d postgres -tAc "SELECT rolpassword LIKE 'SCRAM-SHA-256\$1:%' FROM pg_authid WHERE rolname = '$user'" | grep -q t && return
  psql_admin -d postgres -c "CREATE EXTENSION IF NOT EXISTS pgcrypto" >/dev/null 2>&1 || return 0
  local secret
  # RFC 5802: SaltedPassword = HMAC(password, salt || INT(1)) for one iteration; the secret is
  # SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey, as PostgreSQL stores it.
  secret=$(psql_admin -d postgres -tA <<SQL
WITH s AS (SELECT gen_random_bytes(16) AS salt),
p AS (SELECT salt, hmac(salt || '\x00000001'::bytea, convert_to('$pass', 'UTF8'), 'sha256') AS salted FROM s)
SELECT format('SCRAM-SHA-256\$1:%s\$%s:%s', encode(salt, 'base64'),
  encode(sha256(hmac('Client Key'::bytea, salted, 'sha256')), 'base64'),
  encode(hmac('Server Key'::bytea, salted, 'sha256'), 'base64'))
FROM p
SQL
)
  psql_admin -d postgres -c "ALTER ROLE $user PASSWORD '$secret'" >/dev/null
}

bouncer_up() {
  local b=$dir/pgbouncer
  mkdir -p "$b"
  [ "$(id -u)" = 0 ] && chown "$owner" "$b"
  # PgBouncer authenticates clients with the server's own SCRAM secret and reuses it
  # to log in to PostgreSQL, so the plain password is not stored.
  local secret entry
  secret=$(psql_admin -d postgres -tAc "SELECT rolpassword FROM pg_authid WHERE rolname = '$user'")
  entry=$(printf '"%s" "%s"' "$user" "$secret")
  if [ -f "$b/pgbouncer.pid" ] && kill -0 "$(cat "$b/pgbouncer.pid")" 2>/dev/null; then
    # Running already: the secret may have changed under it (cheap_scram at a restart).
    if [ "$(cat "$b/userlist.txt" 2>/dev/null)" != "$entry" ]; then
      printf '%s\n' "$entry" >"$b/userlist.txt"
      kill -HUP "$(cat "$b/pgbouncer.pid")"
      log "pgbouncer reloaded with the role's new secret"
    fi
    return
  fi
  printf '%s\n' "$entry" >"$b/userlist.txt"
  chmod 600 "$b/userlist.txt"
  cat >"$b/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $b/userlist.txt
admin_users = $user
stats_users = $user
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
server_idle_timeout = $([ "$name" = test ] && echo 10 || echo 600)
autodb_idle_timeout = $([ "$name" = test ] && echo 30 || echo 3600)
ignore_startup_parameters = extra_float_digits
logfile = $b/pgbouncer.log
pidfile = $b/pgbouncer.pid
INI
  [ "$(id -u)" = 0 ] && chown "$owner" "$b"/*
  log "starting pgbouncer (transaction mode) on 127.0.0.1:$bport"
  as_owner "$pgbouncer" -d "$b/pgbouncer.ini"
  local i
  for i in $(seq 1 100); do
    PGPASSWORD=$pass "$pgbin/psql" -X -h 127.0.0.1 -p "$bport" -U "$user" -d "$db" -tAc 'SELECT 1' >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "devdb: pgbouncer did not answer on 127.0.0.1:$bport; see $b/pgbouncer.log" >&2
  exit 1
}

down() {
  local b=$dir/pgbouncer
  if [ -f "$b/pgbouncer.pid" ] && kill -0 "$(cat "$b/pgbouncer.pid")" 2>/dev/null; then
    kill "$(cat "$b/pgbouncer.pid")" && log "pgbouncer stopped"
  fi
  data=$dir/pgdata
  [ -L "$data" ] && data=$(readlink "$data")
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null && log "postgres stopped"
  fi
}

pgbin=$(find_pgbin)
setup_owner
case "$cmd" in
  up)
    pgbouncer=$(find_pgbouncer)
    prepare_dir
    pg_up
    bouncer_up
    env_lines ;;
  down) down ;;
  env)  env_lines ;;
  *) echo "usage: scripts/devdb.sh up|down|env [dev|test|bench]" >&2; exit 2 ;;
esac
