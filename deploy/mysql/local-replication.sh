#!/usr/bin/env bash
# A local MariaDB primary + read replica, replicating with GTIDs, for tests and for trying
# Capstan's replica routing (./capstan up --replica). The servers run with the deployment's own
# primary.cnf / replica.cnf and are set up by the same init scripts as the docker-compose stack
# (initdb/10-accounts.sh, initdb/20-follow-primary.sh), so there is one way to make a replica.
#
#   local-replication.sh start DIR    start both (data under DIR/primary, DIR/replica; created on
#                                     first use) and return once the replica replicates
#   local-replication.sh stop DIR     stop both
#   local-replication.sh status DIR   print the replica's replication state
#
# Settings (environment):
#   CAPSTAN_REPL_PRIMARY_PORT   127.0.0.1 port of the primary (3316)
#   CAPSTAN_REPL_REPLICA_PORT   127.0.0.1 port of the replica (3317)
#   CAPSTAN_DB_REPL_PASSWORD, CAPSTAN_DB_BACKUP_PASSWORD, CAPSTAN_DB_EXPORTER_PASSWORD
#                               passwords of the service accounts (local defaults)
# Root has no password on either server (over TCP from 127.0.0.1 and over DIR/*/mysqld.sock),
# like the local server ./capstan starts. Logs: DIR/{primary,replica}/error.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
primary_port="${CAPSTAN_REPL_PRIMARY_PORT:-3316}"
replica_port="${CAPSTAN_REPL_REPLICA_PORT:-3317}"
export CAPSTAN_DB_REPL_PASSWORD="${CAPSTAN_DB_REPL_PASSWORD:-repl-local}"
export CAPSTAN_DB_BACKUP_PASSWORD="${CAPSTAN_DB_BACKUP_PASSWORD:-backup-local}"
export CAPSTAN_DB_EXPORTER_PASSWORD="${CAPSTAN_DB_EXPORTER_PASSWORD:-exporter-local}"

log() { echo "local-replication: $*" >&2; }
die() {
  log "$*"
  exit 1
}

port_of() { [[ "$1" == primary ]] && echo "$primary_port" || echo "$replica_port"; }
socket_of() { echo "$dir/$1/mysqld.sock"; }
sql() { # role, then mariadb client arguments
  local role="$1"
  shift
  # The login comes from an option file, like every client call in deploy/ (root has no password).
  if [[ ! -f "$dir/$role/client.cnf" ]]; then
    (umask 077 && printf '[client]\nuser=root\nsocket=%s\n' "$(socket_of "$role")" >"$dir/$role/client.cnf")
  fi
  mariadb --defaults-extra-file="$dir/$role/client.cnf" "$@"
}
running() {
  local pid
  pid="$(cat "$dir/$1/mysqld.pid" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null; then
      command -v "$name"
      return 0
    fi
    if [[ -x "/usr/sbin/$name" ]]; then
      echo "/usr/sbin/$name"
      return 0
    fi
  done
  return 1
}

start_server() {
  local role="$1" port
  port="$(port_of "$role")"
  local home="$dir/$role"
  mkdir -p "$home"
  if running "$role"; then
    log "$role already running on 127.0.0.1:$port"
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is taken by another server (set CAPSTAN_REPL_$(tr a-z A-Z <<<"$role")_PORT)"
  fi
  local fresh=0
  if [[ ! -d "$home/data/mysql" ]]; then
    fresh=1
    "$install_db" --no-defaults --datadir="$home/data" --auth-root-authentication-method=normal \
      --skip-test-db --user="$(id -un)" >"$home/install.log" 2>&1 ||
      die "mariadb-install-db failed for the $role; see $home/install.log"
  fi
  {
    echo "!include $here/$role.cnf"
    echo "[mariadb]"
    echo "datadir=$home/data"
    echo "socket=$home/mysqld.sock"
    echo "pid-file=$home/mysqld.pid"
    echo "log-error=$home/error.log"
    echo "port=$port"
    echo "bind-address=127.0.0.1"
    echo "user=$(id -un)"
    # Small enough for a laptop or a test machine; everything else is the deployment's config.
    echo "innodb_buffer_pool_size=32M"
    echo "innodb_log_file_size=16M"
    echo "max_connections=100"
  } >"$home/my.cnf"
  setsid "$mariadbd" --defaults-file="$home/my.cnf" </dev/null >>"$home/stdout.log" 2>&1 &
  local i
  for ((i = 0; i < 240; i++)); do
    if [[ -S "$home/mysqld.sock" ]] && sql "$role" -e 'SELECT 1' >/dev/null 2>&1; then
      break
    fi
    sleep 0.25
  done
  sql "$role" -e 'SELECT 1' >/dev/null 2>&1 || die "the $role did not start; see $home/error.log"
  if ((fresh)); then
    # Root over TCP without a password, like the local development server; kept out of the
    # binary log (each server gets its own accounts).
    sql "$role" <<'SQL'
SET SESSION sql_log_bin = 0;
DELETE FROM mysql.global_priv WHERE User = '';
CREATE USER IF NOT EXISTS root@'127.0.0.1';
GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS root@'%';
GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    MARIADB_ROOT_PASSWORD="" MARIADB_LOCAL_SOCKET="$home/mysqld.sock" CAPSTAN_DB_ROLE="$role" \
      "$here/initdb/10-accounts.sh" >>"$home/setup.log" 2>&1 ||
      die "the $role's accounts were not created; see $home/setup.log"
  fi
  log "$role running on 127.0.0.1:$port (data in $home/data)"
}

stop_server() {
  local role="$1" pid i
  running "$role" || return 0
  pid="$(cat "$dir/$role/mysqld.pid")"
  kill "$pid"
  for ((i = 0; i < 240; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "the $role did not stop in 60 s; killing it"
    kill -9 "$pid"
  fi
  log "$role stopped"
}

case "$cmd" in
  start)
    install_db="$(find_tool mariadb-install-db mysql_install_db)" ||
      die "mariadb-install-db not found: install mariadb-server"
    mariadbd="$(find_tool mariadbd mysqld)" || die "mariadbd not found: install mariadb-server"
    start_server primary
    sql primary -e 'CREATE DATABASE IF NOT EXISTS capstan CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
    start_server replica
    # Makes a fresh replica follow the primary from a consistent copy (GTID); does nothing when
    # the replica already replicates.
    MARIADB_ROOT_PASSWORD="" MARIADB_LOCAL_SOCKET="$(socket_of replica)" MARIADB_DATABASE=capstan \
      CAPSTAN_DB_PRIMARY_HOST=127.0.0.1 CAPSTAN_DB_PRIMARY_PORT="$primary_port" \
      CAPSTAN_DB_PRIMARY_WAIT_SECONDS=30 \
      "$here/initdb/20-follow-primary.sh" >>"$dir/replica/setup.log" 2>&1 ||
      die "the replica does not follow the primary; see $dir/replica/setup.log"
    sql replica -e 'START SLAVE' 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do
      status="$(sql replica -e 'SHOW SLAVE STATUS\G')"
      if grep -q 'Slave_IO_Running: Yes' <<<"$status" && grep -q 'Slave_SQL_Running: Yes' <<<"$status"; then
        log "replica 127.0.0.1:$replica_port replicates from primary 127.0.0.1:$primary_port"
        exit 0
      fi
      sleep 0.5
    done
    grep -E 'Running|Last_(IO|SQL)_Error' <<<"$status" >&2 || true
    die "the replica is not replicating"
    ;;
  stop)
    stop_server replica
    stop_server primary
    ;;
  status)
    running primary && log "primary running on 127.0.0.1:$primary_port" || log "primary stopped"
    if running replica; then
      sql replica -e 'SHOW SLAVE STATUS\G' |
        grep -E 'Slave_(IO|SQL)_Running:|Seconds_Behind_Master|Gtid_IO_Pos|Last_(IO|SQL)_Error'
    else
      log "replica stopped"
    fi
    ;;
  *)
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
    ;;
esac
