#!/usr/bin/env bash
# Nightly database backup: mariadb-dump --single-transaction of the application database,
# gzip, upload to S3, verify, then delete dumps older than the retention (30 days).
#
#   deploy/backup/backup.sh            (cron: 0 2 * * *; compose: docker compose --profile ops run --rm backup)
#
# Settings (environment):
#   BACKUP_DB_HOST, BACKUP_DB_PORT     server to dump; point it at the replica to keep the load
#                                      off the primary (127.0.0.1, 3306)
#   BACKUP_DB_USER, BACKUP_DB_PASSWORD (or BACKUP_DB_PASSWORD_FILE)   (capstan_backup)
#   BACKUP_DB_NAME                     database to dump (capstan)
#   BACKUP_MAX_REPLICA_LAG_SECONDS     refuse to dump a replica further behind (300)
#   BACKUP_S3_BUCKET                   bucket for the dumps (required)
#   BACKUP_S3_PREFIX                   key prefix (mysql/)
#   BACKUP_S3_ENDPOINT                 S3-compatible endpoint; empty means AWS S3
#   BACKUP_S3_REGION                   (us-east-1)
#   BACKUP_S3_ACCESS_KEY, BACKUP_S3_SECRET_KEY (or *_FILE)   empty: the AWS CLI's own chain
#   BACKUP_S3_TOOL                     auto (AWS CLI if installed, else s3cmd), aws or s3cmd
#   BACKUP_RETENTION_DAYS              dumps older than this are deleted (30)
#   BACKUP_WORK_DIR                    where the dump is staged ($TMPDIR or /tmp)
# Exit codes: see lib.sh. Objects: <prefix><db>-YYYYmmddTHHMMSSZ.sql.gz (UTC).
set -euo pipefail
umask 077
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

[[ $# -eq 0 ]] || fail "$EXIT_CONFIG" "backup.sh takes no arguments (settings come from the environment)"
backup_init

db_host="${BACKUP_DB_HOST:-127.0.0.1}"
db_port="${BACKUP_DB_PORT:-3306}"
max_lag="${BACKUP_MAX_REPLICA_LAG_SECONDS:-300}"
write_db_cnf "$WORK/db.cnf" "$db_host" "$db_port" "${BACKUP_DB_USER:-capstan_backup}" "$(secret BACKUP_DB_PASSWORD)"
db_sql() { "$DB_CLIENT" --defaults-extra-file="$WORK/db.cnf" "$@"; }

# --- the source: a healthy replica, or the primary -------------------------------------------
db_sql -N -e 'SELECT 1' >/dev/null 2>"$WORK/connect.err" ||
  fail "$EXIT_DB" "cannot connect to $db_host:$db_port: $(cat "$WORK/connect.err")"
status="$(db_sql -e 'SHOW SLAVE STATUS\G' 2>"$WORK/status.err")" ||
  fail "$EXIT_DB" "cannot read the replication status of $db_host:$db_port: $(cat "$WORK/status.err")"
if [[ -n "$status" ]]; then
  field() { sed -n "s/^ *$1: //p" <<<"$status" | head -n 1; }
  io="$(field Slave_IO_Running)"
  sqlt="$(field Slave_SQL_Running)"
  lag="$(field Seconds_Behind_Master)"
  # A dump of a replica that stopped applying changes would silently be stale.
  if [[ "$sqlt" != Yes || "$io" != Yes ]]; then
    fail "$EXIT_DB" "$db_host:$db_port is a replica that is not replicating (IO: $io, SQL: $sqlt, last error: $(field Last_Error)); repair it or set BACKUP_DB_HOST to the primary"
  fi
  if [[ ! "$lag" =~ ^[0-9]+$ ]] || ((lag > max_lag)); then
    fail "$EXIT_DB" "$db_host:$db_port is a replica ${lag:-?}s behind (limit ${max_lag}s); set BACKUP_DB_HOST to the primary or wait"
  fi
  log "dumping '$DB_NAME' from the replica $db_host:$db_port (${lag}s behind)"
else
  log "dumping '$DB_NAME' from $db_host:$db_port (primary)"
fi

# --- dump, compress, verify --------------------------------------------------------------------
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file="$WORK/${DB_NAME}-${stamp}.sql.gz"
key="${S3_PREFIX}${DB_NAME}-${stamp}.sql.gz"
started=$SECONDS
# No --databases: the dump carries no CREATE DATABASE/USE, so it restores under any name.
if ! "$DB_DUMP" --defaults-extra-file="$WORK/db.cnf" --single-transaction --quick --routines \
  --triggers --events --hex-blob "$DB_NAME" 2>"$WORK/dump.err" | gzip -c >"$file"; then
  fail "$EXIT_DB" "mariadb-dump of '$DB_NAME' failed: $(cat "$WORK/dump.err")"
fi
verify_dump "$file" || fail "$EXIT_DB" "the dump of '$DB_NAME' is incomplete (no 'Dump completed' trailer)"
size="$(wc -c <"$file")"
log "dumped in $((SECONDS - started))s, ${size} bytes compressed"

# --- upload and verify ---------------------------------------------------------------------------
s3_put "$file" "$key" 2>"$WORK/put.err" ||
  fail "$EXIT_STORAGE" "upload to s3://$S3_BUCKET/$key failed ($S3_TOOL): $(cat "$WORK/put.err")"
listing="$(s3_list "$key" 2>"$WORK/list.err")" ||
  fail "$EXIT_STORAGE" "cannot list s3://$S3_BUCKET/$S3_PREFIX ($S3_TOOL): $(cat "$WORK/list.err")"
grep -qxF "$key" <<<"$listing" || fail "$EXIT_STORAGE" "s3://$S3_BUCKET/$key is missing after the upload"
log "uploaded s3://$S3_BUCKET/$key ($S3_TOOL)"

# --- retention: by the date in the name, never the dump just made ------------------------------
cutoff="$(date -u -d "@$(($(date -u +%s) - RETENTION_DAYS * 86400))" +%Y%m%dT%H%M%SZ)"
dumps="$(list_dumps 2>"$WORK/list.err")" ||
  fail "$EXIT_RETENTION" "backup ok, but listing old dumps failed: $(cat "$WORK/list.err")"
pruned=0
while IFS= read -r old; do
  [[ -n "$old" && "$old" != "$key" ]] || continue
  if [[ "$(dump_stamp "$old")" < "$cutoff" ]]; then
    s3_delete "$old" 2>"$WORK/delete.err" ||
      fail "$EXIT_RETENTION" "backup ok, but deleting $old failed: $(cat "$WORK/delete.err")"
    log "deleted $old (older than $RETENTION_DAYS days)"
    pruned=$((pruned + 1))
  fi
done <<<"$dumps"
log "done: s3://$S3_BUCKET/$key; $pruned old dump(s) deleted"
echo "s3://$S3_BUCKET/$key"
