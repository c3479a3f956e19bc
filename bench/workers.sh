#!/usr/bin/env bash
# 1 vs 2 media workers, end to end: jobs per minute from the first upload until every video is
# `ready`, with real worker processes (packaged jars) sharing one API, database, Redis and S3.
# Each round starts the workers, waits until they are ready (startup is not measured), warms
# each with one job, uploads the same generated clip --jobs times through the API, polls until
# all are ready, and stops the workers. The subject is 2 workers, the anchor 1 worker; alternating, so both see the same load.
#
#   bench/workers.sh [--pairs 3] [--jobs 6] [--seconds 6] [--size 640x360] [--json FILE]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=3
JOBS=6
CLIP_SECONDS=6
SIZE=640x360
JSON=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --seconds) CLIP_SECONDS="$2"; shift 2 ;;
    --size) SIZE="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_init workers
bench_start_s3
bench_start_api
bench_signup
CLIP="$WORK/clip.mp4"
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$TOOLS_JAR" clip --out "$CLIP" \
  --seconds "$CLIP_SECONDS" --size "$SIZE" >/dev/null

# jobs COUNT: uploads the clip COUNT times, waits until every video is ready; prints seconds.
jobs() {
  local count="$1" i ids=() t0
  t0="$(bench_now)"
  for ((i = 1; i <= count; i++)); do
    bench_create_video
    curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: video/mp4' --data-binary "@$CLIP" "$API/api/v1/videos/$VIDEO_ID/source" ||
      bench_die "upload $i failed"
    ids+=("$VIDEO_ID")
  done
  local pending=("${ids[@]}") deadline=$((SECONDS + 600)) body status id
  while ((${#pending[@]})); do
    ((SECONDS < deadline)) || bench_die "${#pending[@]} videos not ready after 600 s"
    local still=()
    for id in "${pending[@]}"; do
      body="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$id")"
      status="$(bench_field status "$body")"
      [[ "$status" == failed ]] && bench_die "video $id failed: $body"
      [[ "$status" == ready ]] || still+=("$id")
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]})) && sleep 0.2
  done
  bench_since "$t0"
}

# round WORKERS -> prints jobs per minute. Worker startup is not measured, and each worker has
# done a job before (one warm-up job per worker, sent together so each blocked reader takes one),
# as in a fleet that has been running.
round() {
  local n="$1" i pids=() urls=()
  for ((i = 1; i <= n; i++)); do
    bench_start_worker "$i"
    pids+=("$WORKER_PID")
    urls+=("$WORKER_URL")
  done
  for ((i = 1; i <= n; i++)); do
    bench_wait_ready "${urls[i - 1]}/q/health/ready" 180 "$WORK/worker-$i.log" || exit 1
  done
  jobs "$n" >/dev/null
  local took
  took="$(jobs "$JOBS")"
  for i in "${pids[@]}"; do bench_stop "$i"; done
  awk -v j="$JOBS" -v t="$took" 'BEGIN {printf "%.2f", j * 60 / t}'
}

PAIRS_FILE="$WORK/pairs"
: >"$PAIRS_FILE"
for ((p = 1; p <= PAIRS; p++)); do
  if ((p % 2)); then
    two="$(round 2)"
    one="$(round 1)"
  else
    one="$(round 1)"
    two="$(round 2)"
  fi
  echo "$two $one" >>"$PAIRS_FILE"
  bench_log "pair $p/$PAIRS: 2 workers $two jobs/min, 1 worker $one jobs/min"
done

if [[ -n "$JSON" ]]; then
  bench_write_json "$JSON" workers "Workers: jobs per minute, 2 workers vs 1" "jobs/min" true \
    "2 media workers, $JOBS jobs of a ${CLIP_SECONDS} s ${SIZE} H.264/AAC clip, upload to ready" \
    "1 media worker, the same jobs" "speedup ≥ 1.60× (median; needs 2 free cores)" 1.6 null \
    "$PAIRS_FILE" "\"workers\": [1, 2], \"jobs\": $JOBS, \"cores\": $(nproc)"
else
  bench_log "ratios (min median max): $(bench_ratios "$PAIRS_FILE")"
fi
