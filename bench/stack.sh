#!/usr/bin/env bash
# The services the suite's benchmarks share: one embedded S3 and one API (the flags of
# ./capstan up) on a database and Redis namespace of their own. ./capstan bench runs it in the
# background and exports BENCH_STACK=DIR; each bench/*.sh then uses these instead of starting
# its own (bench/lib.sh), which saves a JVM start or two per benchmark. Not a benchmark.
#
#   bench/stack.sh DIR    starts them, writes DIR/stack.env, and keeps them until SIGTERM;
#                         then stops them and removes the database, the keys and DIR/stack.env.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 ]] || { echo "usage: bench/stack.sh DIR" >&2; exit 2; }
DIR="$1"
mkdir -p "$DIR"
unset BENCH_STACK # this is the stack, not a user of it
bench_init stack
trap 'rm -f "$DIR/stack.env"; bench_cleanup' EXIT
bench_start_s3
bench_start_api
{
  printf 'DB=%q\nNS=%q\n' "$DB" "$NS"
  printf 'STACK_S3_PORT=%q\nSTACK_API_PORT=%q\nSTACK_API_PID=%q\nSTACK_API_LOG=%q\n' \
    "$S3_PORT" "$API_PORT" "$API_PID" "$WORK/api.log"
  printf 'STACK_WEBHOOKS_KEY=%q\n' "$CAPSTAN_WEBHOOKS_ENCRYPTION_KEY"
} >"$DIR/stack.env.tmp"
mv "$DIR/stack.env.tmp" "$DIR/stack.env"
bench_log "S3 on :$S3_PORT, API on :$API_PORT (database $DB); stop with SIGTERM"
while kill -0 "$API_PID" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
bench_die "the shared API stopped: $(tail -5 "$WORK/api.log")"
