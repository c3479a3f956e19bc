#!/usr/bin/env bash
# Memory of the real media worker while it transcodes issue 3's benchmark source: peak RSS of the
# packaged worker process (VmHWM, reset through /proc/PID/clear_refs before each job) from the
# upload of a generated 1080p30 H.264/AAC clip until the video is `ready` (download from S3, the
# whole ladder + MP4 + poster + storyboard, upload), against the peak RSS of the ffmpeg CLI doing
# the same ladder in one process with a split graph (side B of the transcode benchmark), on the
# same file. Alternating, --pairs times. The worker runs as `./capstan up` runs it (SerialGC,
# -Xmx384m, MALLOC_ARENA_MAX=2) with its default thread budget (one per core); it has done one small job first.
#
#   bench/worker-memory.sh [--pairs 3] [--seconds 12] [--json FILE]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=3
CLIP_SECONDS=12
JSON=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --seconds) CLIP_SECONDS="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

BENCH_JAR="$BENCH_ROOT/bench/target/capstan-bench.jar"
[[ -f "$BENCH_JAR" ]] || bench_die "needs $BENCH_JAR (./mvnw -pl bench -am package -DskipTests)"
bench_init worker-memory
bench_start_s3
bench_start_api
bench_signup
bench_start_worker 1
bench_wait_ready "$WORKER_URL/q/health/ready" 180 "$WORK/worker-1.log" || exit 1
echo 5 >"/proc/$WORKER_PID/clear_refs" 2>/dev/null ||
  bench_die "cannot reset the worker's peak RSS (/proc/$WORKER_PID/clear_refs): needs Linux and the same user"

SOURCE="$WORK/source-1080p30.mp4"
WARMUP="$WORK/warmup.mp4"
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$TOOLS_JAR" clip --out "$SOURCE" \
  --seconds "$CLIP_SECONDS" --size 1920x1080 >/dev/null
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$TOOLS_JAR" clip --out "$WARMUP" \
  --seconds 2 --size 320x180 >/dev/null

# job FILE -> prints "peakRssMB seconds": uploads FILE as a new video and waits until it is ready.
job() {
  local t0 body status deadline=$((SECONDS + 900))
  bench_create_video
  echo 5 >"/proc/$WORKER_PID/clear_refs"
  t0="$(bench_now)"
  curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: video/mp4' \
    --data-binary "@$1" "$API/api/v1/videos/$VIDEO_ID/source" || bench_die "upload of $1 failed"
  while :; do
    ((SECONDS < deadline)) || bench_die "video $VIDEO_ID not ready after 900 s"
    body="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO_ID")"
    status="$(bench_field status "$body")"
    [[ "$status" == failed ]] && bench_die "video $VIDEO_ID failed: $body"
    [[ "$status" == ready ]] && break
    sleep 0.2
  done
  local took hwm
  took="$(bench_since "$t0")"
  hwm="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$WORKER_PID/status")"
  curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO_ID" || true
  echo "$hwm $took"
}

# split -> prints the ffmpeg CLI's peak RSS on the same source.
split() {
  rm -rf "$WORK/split"
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$BENCH_JAR" ffmpeg-split --source "$SOURCE" \
    --out "$WORK/split" 2>>"$WORK/split.log" | sed -n 's/^RESULT .*peakRssMB=\([0-9.]*\).*/\1/p'
}

bench_log "warm-up job (a 2 s clip)"
job "$WARMUP" >/dev/null
IDLE_RSS="$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$WORKER_PID/status")"
PAIRS_FILE="$WORK/pairs"
TOOK_FILE="$WORK/took"
: >"$PAIRS_FILE"
: >"$TOOK_FILE"
for ((p = 1; p <= PAIRS; p++)); do
  if ((p % 2)); then
    read -r worker took <<<"$(job "$SOURCE")"
    ffmpeg_rss="$(split)"
  else
    ffmpeg_rss="$(split)"
    read -r worker took <<<"$(job "$SOURCE")"
  fi
  [[ -n "$ffmpeg_rss" ]] || bench_die "the ffmpeg CLI run printed no RESULT: $(tail -5 "$WORK/split.log")"
  echo "$worker $ffmpeg_rss" >>"$PAIRS_FILE"
  echo "$took" >>"$TOOK_FILE"
  bench_log "pair $p/$PAIRS: worker peak RSS $worker MB (job $took s), ffmpeg CLI $ffmpeg_rss MB"
done

if [[ -n "$JSON" ]]; then
  bench_write_json "$JSON" worker-memory "Worker peak RSS: transcoding the 1080p ladder vs ffmpeg CLI (split)" "MB" false \
    "peak RSS (VmHWM) of the packaged media worker (-Xmx384m, SerialGC, MALLOC_ARENA_MAX=2, threads one per core) from upload to ready of a ${CLIP_SECONDS} s 1920x1080 30 fps H.264/AAC clip" \
    "peak RSS of the ffmpeg CLI doing the same ladder in one process (split graph) on the same file" \
    "worker peak RSS ≤ 768 MB (median)" null 768 \
    "$PAIRS_FILE" "\"sourceSeconds\": $CLIP_SECONDS, \"workerIdleRssMB\": $IDLE_RSS, \"cores\": $(nproc), \"jobSeconds\": [$(paste -sd, "$TOOK_FILE")]"
else
  bench_log "ratios (min median max): $(bench_ratios "$PAIRS_FILE")"
fi
