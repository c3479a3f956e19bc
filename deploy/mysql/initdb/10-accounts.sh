#!/usr/bin/env bash
# Capstan's service accounts, created on a MariaDB server's first start (the official image
# runs /docker-entrypoint-initdb.d/* once, on an empty datadir). Mounted on the primary and on
# the replica; each server gets its own accounts, kept out of the binary log so replication
# never replays them.
#
#   CAPSTAN_DB_ROLE                        primary | replica
#   MARIADB_ROOT_PASSWORD                  root, over the local socket
#   MARIADB_DATABASE                       the application database (capstan)
#   CAPSTAN_DB_REPL_USER / _PASSWORD       replication login (primary only; default user repl)
#   CAPSTAN_DB_BACKUP_USER / _PASSWORD     deploy/backup/backup.sh (default capstan_backup)
#   CAPSTAN_DB_EXPORTER_USER / _PASSWORD   Prometheus mysqld-exporter (default exporter)
#   MARIADB_LOCAL_SOCKET                   socket of the local server (tests; default: client's)
set -euo pipefail

role="${CAPSTAN_DB_ROLE:?CAPSTAN_DB_ROLE must be primary or replica}"
db="${MARIADB_DATABASE:-capstan}"
backup_user="${CAPSTAN_DB_BACKUP_USER:-capstan_backup}"
exporter_user="${CAPSTAN_DB_EXPORTER_USER:-exporter}"
: "${CAPSTAN_DB_BACKUP_PASSWORD:?CAPSTAN_DB_BACKUP_PASSWORD is not set}"
: "${CAPSTAN_DB_EXPORTER_PASSWORD:?CAPSTAN_DB_EXPORTER_PASSWORD is not set}"
case "$role" in
  primary) : "${CAPSTAN_DB_REPL_PASSWORD:?CAPSTAN_DB_REPL_PASSWORD is not set}" ;;
  replica) ;;
  *) echo "10-accounts.sh: CAPSTAN_DB_ROLE must be primary or replica, not '$role'" >&2; exit 2 ;;
esac

# SQL string literal.
sql_str() {
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\\\'}"
}

# Credentials go into a 0600 option file, never onto a command line.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cnf_str() {
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}
(
  umask 077
  {
    echo "[client]"
    echo "user=root"
    echo "password=$(cnf_str "${MARIADB_ROOT_PASSWORD:-}")"
    if [[ -n "${MARIADB_LOCAL_SOCKET:-}" ]]; then echo "socket=$MARIADB_LOCAL_SOCKET"; fi
  } >"$tmp/local.cnf"
)

{
  echo "SET SESSION sql_log_bin = 0;"
  echo "CREATE OR REPLACE USER $(sql_str "$backup_user")@'%' IDENTIFIED BY $(sql_str "$CAPSTAN_DB_BACKUP_PASSWORD");"
  # A consistent dump of the application database (--single-transaction), its routines,
  # triggers and events; REPLICA MONITOR lets the backup check the replica's lag first.
  echo "GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON \`$db\`.* TO $(sql_str "$backup_user")@'%';"
  echo "GRANT SELECT ON mysql.proc TO $(sql_str "$backup_user")@'%';"
  echo "GRANT REPLICA MONITOR ON *.* TO $(sql_str "$backup_user")@'%';"
  echo "CREATE OR REPLACE USER $(sql_str "$exporter_user")@'%' IDENTIFIED BY $(sql_str "$CAPSTAN_DB_EXPORTER_PASSWORD") WITH MAX_USER_CONNECTIONS 3;"
  echo "GRANT PROCESS, BINLOG MONITOR, REPLICA MONITOR, SELECT ON *.* TO $(sql_str "$exporter_user")@'%';"
  if [[ "$role" == primary ]]; then
    echo "CREATE OR REPLACE USER $(sql_str "${CAPSTAN_DB_REPL_USER:-repl}")@'%' IDENTIFIED BY $(sql_str "$CAPSTAN_DB_REPL_PASSWORD");"
    echo "GRANT REPLICATION SLAVE ON *.* TO $(sql_str "${CAPSTAN_DB_REPL_USER:-repl}")@'%';"
  fi
} | mariadb --defaults-extra-file="$tmp/local.cnf"

echo "10-accounts.sh: $role accounts ready (backup: $backup_user, exporter: $exporter_user)"
