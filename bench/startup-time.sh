#!/usr/bin/env bash
# Startup time of a packaged service: from exec of `java -jar quarkus-run.jar` (the flags
# ./capstan up uses) until /q/health/ready answers 200, polled every 50 ms. The anchor is the
# JVM alone (`java -version` with the same flags): what no Java service can start faster than.
# Alternating pairs; one unmeasured start first migrates the run's own database, so every
# measured start is a restart, as in production (in the suite, the shared stack's API did that).
#
#   bench/startup-time.sh --service api|worker [--pairs 3] [--target-seconds 5] [--json FILE]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICE=api
PAIRS=3
TARGET=5
JSON=""
while (($#)); do
  case "$1" in
    --service) SERVICE="$2"; shift 2 ;;
    --pairs) PAIRS="$2"; shift 2 ;;
    --target-seconds) TARGET="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$SERVICE" == api || "$SERVICE" == worker ]] || { echo "--service is api or worker" >&2; exit 2; }

bench_init "startup-$SERVICE"
bench_start_s3

# start_service -> prints "seconds-to-ready rss-at-ready-MB"
start_service() {
  local port pid t0 jar heap log="$WORK/$SERVICE-start.log"
  port="$(bench_free_port)"
  if [[ "$SERVICE" == api ]]; then jar="$API_JAR" heap=-Xmx512m; else jar="$WORKER_JAR" heap=-Xmx384m; fi
  t0="$(bench_now)"
  QUARKUS_HTTP_PORT="$port" CAPSTAN_WORKER_ID="bench-start-$RUN_ID" \
    "$JAVA" "${SERVICE_FLAGS[@]}" "$heap" -jar "$jar" >"$log" 2>&1 &
  pid=$!
  bench_track "$pid"
  bench_wait_ready "http://127.0.0.1:$port/q/health/ready" 120 "$log" || exit 1
  local took rss
  took="$(bench_since "$t0")"
  rss="$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")"
  bench_stop "$pid"
  echo "$took $rss"
}

jvm_floor() {
  local t0
  t0="$(bench_now)"
  "$JAVA" "${SERVICE_FLAGS[@]}" -version >/dev/null 2>&1
  bench_since "$t0"
}

# With the suite's shared stack the database is migrated and the jars are in the page cache.
if ! bench_shared; then
  bench_log "warm-up start (migrates the database)"
  start_service >/dev/null
fi
PAIRS_FILE="$WORK/pairs"
RSS_FILE="$WORK/rss"
: >"$PAIRS_FILE"
for ((i = 1; i <= PAIRS; i++)); do
  if ((i % 2)); then
    started="$(start_service)"
    a="$(jvm_floor)"
  else
    a="$(jvm_floor)"
    started="$(start_service)"
  fi
  read -r s rss <<<"$started"
  echo "$s $a" >>"$PAIRS_FILE"
  echo "$rss" >>"$RSS_FILE"
  bench_log "pair $i/$PAIRS: $SERVICE ready in $s s (RSS $rss MB), JVM alone $a s"
done

if [[ "$SERVICE" == api ]]; then
  title="Startup: API to ready"
  subject="api-service quarkus-run.jar (JVM mode) from exec to /q/health/ready (database, Redis, S3 checked)"
else
  title="Startup: media worker to ready"
  subject="media-worker quarkus-run.jar (JVM mode) from exec to /q/health/ready (database, Redis, S3, FFmpeg checked)"
fi
if [[ -n "$JSON" ]]; then
  bench_write_json "$JSON" "startup-$SERVICE" "$title" "s" false "$subject" \
    "the JVM alone: java -version with the same flags" "ready ≤ $TARGET s (median)" null "$TARGET" \
    "$PAIRS_FILE" "\"rssAtReadyMB\": [$(paste -sd, "$RSS_FILE")]"
else
  bench_log "ratios (min median max): $(bench_ratios "$PAIRS_FILE")"
fi
