#!/usr/bin/env bash
# Makes a fresh MariaDB server a replica of the primary, on its first start (mounted only on
# the replica, in /docker-entrypoint-initdb.d after 10-accounts.sh). Works against an empty
# primary and against one that already holds data: the application database is copied with a
# consistent dump that records the primary's GTID position, and replication continues from
# exactly there.
#
#   CAPSTAN_DB_PRIMARY_HOST / _PORT       the primary (default mariadb-primary:3306)
#   CAPSTAN_DB_PRIMARY_ROOT_PASSWORD      root on the primary (default: MARIADB_ROOT_PASSWORD)
#   CAPSTAN_DB_REPL_USER / _PASSWORD      the replication login 10-accounts.sh made there
#   MARIADB_DATABASE                      the application database (capstan)
#   MARIADB_ROOT_PASSWORD                 root here, over the local socket
#   MARIADB_LOCAL_SOCKET                  socket of the local server (tests; default: client's)
#   CAPSTAN_DB_PRIMARY_WAIT_SECONDS       how long to wait for the primary (default 120)
#
# If this fails the replica's container stops with the reason in its log; the entrypoint does
# not rerun it on a non-empty datadir, so remove the replica's volume and start it again.
set -euo pipefail

primary_host="${CAPSTAN_DB_PRIMARY_HOST:-mariadb-primary}"
primary_port="${CAPSTAN_DB_PRIMARY_PORT:-3306}"
repl_user="${CAPSTAN_DB_REPL_USER:-repl}"
: "${CAPSTAN_DB_REPL_PASSWORD:?CAPSTAN_DB_REPL_PASSWORD is not set}"
db="${MARIADB_DATABASE:-capstan}"
wait_seconds="${CAPSTAN_DB_PRIMARY_WAIT_SECONDS:-120}"

log() { echo "20-follow-primary.sh: $*" >&2; }
sql_str() {
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\\\'}"
}
cnf_str() {
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
  umask 077
  {
    echo "[client]"
    echo "user=root"
    echo "password=$(cnf_str "${MARIADB_ROOT_PASSWORD:-}")"
    if [[ -n "${MARIADB_LOCAL_SOCKET:-}" ]]; then echo "socket=$MARIADB_LOCAL_SOCKET"; fi
  } >"$tmp/local.cnf"
  {
    echo "[client]"
    echo "host=$primary_host"
    echo "port=$primary_port"
    echo "protocol=tcp"
    echo "user=root"
    echo "password=$(cnf_str "${CAPSTAN_DB_PRIMARY_ROOT_PASSWORD:-${MARIADB_ROOT_PASSWORD:-}}")"
  } >"$tmp/primary.cnf"
)
local_sql() { mariadb --defaults-extra-file="$tmp/local.cnf" "$@"; }
primary_sql() { mariadb --defaults-extra-file="$tmp/primary.cnf" "$@"; }

if [[ -n "$(local_sql -N -e 'SHOW SLAVE STATUS')" ]]; then
  log "replication is already configured; nothing to do"
  exit 0
fi

log "waiting up to ${wait_seconds}s for the primary at $primary_host:$primary_port"
deadline=$((SECONDS + wait_seconds))
until primary_sql -N -e 'SELECT 1' >/dev/null 2>"$tmp/wait.err"; do
  # Wrong credentials will not fix themselves; only an unreachable primary is waited for.
  if grep -q 'Access denied' "$tmp/wait.err" || ((SECONDS >= deadline)); then
    log "the primary did not answer: $(cat "$tmp/wait.err")"
    exit 1
  fi
  sleep 2
done

log "copying database '$db' from the primary at a consistent GTID position"
mariadb-dump --defaults-extra-file="$tmp/primary.cnf" --single-transaction --gtid --master-data=1 \
  --routines --triggers --events --hex-blob --databases "$db" >"$tmp/seed.sql"
# Loaded outside this server's binary log: its own GTIDs would clash with the primary's.
{ echo "SET SESSION sql_log_bin = 0;"; cat "$tmp/seed.sql"; } | local_sql
gtid="$(local_sql -N -e 'SELECT @@GLOBAL.gtid_slave_pos')"

# Writes the image's own initialisation made here must not count as transactions of ours.
local_sql <<SQL
RESET MASTER;
CHANGE MASTER TO
  MASTER_HOST = $(sql_str "$primary_host"),
  MASTER_PORT = $primary_port,
  MASTER_USER = $(sql_str "$repl_user"),
  MASTER_PASSWORD = $(sql_str "$CAPSTAN_DB_REPL_PASSWORD"),
  MASTER_USE_GTID = slave_pos,
  MASTER_CONNECT_RETRY = 10;
START SLAVE;
SQL

deadline=$((SECONDS + 60))
while :; do
  status="$(local_sql -e 'SHOW SLAVE STATUS\G')"
  if grep -q 'Slave_IO_Running: Yes' <<<"$status" && grep -q 'Slave_SQL_Running: Yes' <<<"$status"; then
    log "replicating from $primary_host:$primary_port since GTID '${gtid}'"
    exit 0
  fi
  if ((SECONDS >= deadline)); then
    log "replication did not start:"
    grep -E 'Running|Last_(IO|SQL)_Error|Gtid' <<<"$status" >&2 || true
    exit 1
  fi
  sleep 1
done
