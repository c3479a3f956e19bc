#!/usr/bin/env bash
# Restore a dump made by backup.sh into a named database.
#
#   restore.sh --list                              the dumps in the bucket, oldest first
#   restore.sh --into capstan_restored             the latest dump into a new database
#   restore.sh --from capstan-20260101T020000Z.sql.gz --into capstan --replace
#
# --from NAME|latest   an object name (under BACKUP_S3_PREFIX) or a full key; default latest
# --into DB            target database; created when missing. A target holding tables is
#                      refused unless --replace, which drops it first.
# Restore into the PRIMARY (the replica is read-only and follows the primary).
#
# Settings (environment): the BACKUP_S3_* and BACKUP_DB_NAME of backup.sh (which dumps to pick),
# plus RESTORE_DB_HOST, RESTORE_DB_PORT (127.0.0.1, 3306), RESTORE_DB_USER (root) and
# RESTORE_DB_PASSWORD (or RESTORE_DB_PASSWORD_FILE): an account that may create and drop the
# target database. Exit codes: see lib.sh.
set -euo pipefail
umask 077
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "$EXIT_CONFIG"
}

from=latest into="" replace=false list=false
while (($#)); do
  case "$1" in
    --from) from="${2:?--from needs a dump name}"; shift 2 ;;
    --from=*) from="${1#*=}"; shift ;;
    --into) into="${2:?--into needs a database name}"; shift 2 ;;
    --into=*) into="${1#*=}"; shift ;;
    --replace) replace=true; shift ;;
    --list) list=true; shift ;;
    -h | --help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done

backup_init

dumps="$(list_dumps 2>"$WORK/list.err")" ||
  fail "$EXIT_STORAGE" "cannot list s3://$S3_BUCKET/$S3_PREFIX: $(cat "$WORK/list.err")"
if $list; then
  [[ -n "$dumps" ]] && printf '%s\n' "$dumps"
  exit 0
fi

[[ -n "$into" ]] || fail "$EXIT_CONFIG" "--into <database> is required"
[[ "$into" =~ ^[A-Za-z0-9_]+$ ]] || fail "$EXIT_CONFIG" "--into '$into' is not a plain database name"

if [[ "$from" == latest ]]; then
  key="$(tail -n 1 <<<"$dumps")"
  [[ -n "$key" ]] || fail "$EXIT_STORAGE" "no dumps of '$DB_NAME' under s3://$S3_BUCKET/$S3_PREFIX"
elif [[ "$from" == */* ]]; then
  key="$from"
else
  key="${S3_PREFIX}${from}"
fi

write_db_cnf "$WORK/db.cnf" "${RESTORE_DB_HOST:-127.0.0.1}" "${RESTORE_DB_PORT:-3306}" \
  "${RESTORE_DB_USER:-root}" "$(secret RESTORE_DB_PASSWORD)"
db_sql() { "$DB_CLIENT" --defaults-extra-file="$WORK/db.cnf" "$@"; }
db_sql -N -e 'SELECT 1' >/dev/null 2>"$WORK/connect.err" ||
  fail "$EXIT_DB" "cannot connect to ${RESTORE_DB_HOST:-127.0.0.1}:${RESTORE_DB_PORT:-3306}: $(cat "$WORK/connect.err")"

# Fetch and check the dump before touching the target.
file="$WORK/restore.sql.gz"
s3_get "$key" "$file" 2>"$WORK/get.err" ||
  fail "$EXIT_STORAGE" "download of s3://$S3_BUCKET/$key failed: $(cat "$WORK/get.err")"
verify_dump "$file" || fail "$EXIT_STORAGE" "s3://$S3_BUCKET/$key is not a complete dump"

tables="$(db_sql -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$into'")"
if ((tables > 0)); then
  $replace || fail "$EXIT_TARGET" "database '$into' holds $tables table(s); pass --replace to drop it first"
  log "dropping database '$into' ($tables tables)"
  db_sql -e "DROP DATABASE \`$into\`"
fi
db_sql -e "CREATE DATABASE IF NOT EXISTS \`$into\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

log "restoring s3://$S3_BUCKET/$key into '$into'"
started=$SECONDS
if ! gzip -dc "$file" | db_sql "$into" 2>"$WORK/load.err"; then
  fail "$EXIT_LOAD" "loading the dump into '$into' failed: $(cat "$WORK/load.err")"
fi
tables="$(db_sql -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$into'")"
log "restored $tables table(s) into '$into' in $((SECONDS - started))s"
