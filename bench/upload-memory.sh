#!/usr/bin/env bash
# Memory of the API during a big streamed upload: peak RSS of the API process (VmHWM, reset
# through /proc/PID/clear_refs before each upload) while a 2 GiB body is PUT to
# /api/v1/videos/{id}/source, against the same for a 64 MiB body. The body is generated on the
# fly (zeros piped into curl, chunked), never written to disk by the benchmark; the embedded S3
# stores it, and each video is deleted afterwards. Flat memory means a ratio near 1.
#
#   bench/upload-memory.sh [--pairs 3] [--big-mib 2048] [--small-mib 64] [--json FILE]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=3
BIG=2048
SMALL=64
JSON=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --big-mib) BIG="$2"; shift 2 ;;
    --small-mib) SMALL="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_init upload-memory
bench_start_s3
bench_start_api
bench_signup
echo 5 >"/proc/$API_PID/clear_refs" 2>/dev/null ||
  bench_die "cannot reset the API's peak RSS (/proc/$API_PID/clear_refs): needs Linux and the same user"

# upload MIB -> prints "peakRssMB MiB/s"
upload() {
  local mib="$1" t0 took
  bench_create_video
  echo 5 >"/proc/$API_PID/clear_refs"
  t0="$(bench_now)"
  head -c "$((mib * 1024 * 1024))" /dev/zero |
    curl -fsS -o /dev/null -T - -H "Authorization: Bearer $TOKEN" -H 'Content-Type: video/mp4' \
      "$API/api/v1/videos/$VIDEO_ID/source" || bench_die "the $mib MiB upload failed"
  took="$(bench_since "$t0")"
  local hwm
  hwm="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$API_PID/status")"
  curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO_ID" || true
  awk -v h="$hwm" -v m="$mib" -v t="$took" 'BEGIN {printf "%s %.1f", h, m / t}'
}

bench_log "warm-up upload of $SMALL MiB"
upload "$SMALL" >/dev/null
PAIRS_FILE="$WORK/pairs"
SPEED_FILE="$WORK/speed"
: >"$PAIRS_FILE"
for ((p = 1; p <= PAIRS; p++)); do
  if ((p % 2)); then
    big_run="$(upload "$BIG")"
    small_run="$(upload "$SMALL")"
  else
    small_run="$(upload "$SMALL")"
    big_run="$(upload "$BIG")"
  fi
  read -r big big_speed <<<"$big_run"
  read -r small small_speed <<<"$small_run"
  echo "$big $small" >>"$PAIRS_FILE"
  echo "$big_speed" >>"$SPEED_FILE"
  bench_log "pair $p/$PAIRS: peak RSS $big MB during $BIG MiB ($big_speed MiB/s), $small MB during $SMALL MiB"
done

if [[ -n "$JSON" ]]; then
  bench_write_json "$JSON" upload-memory "API memory: $BIG MiB streamed upload vs $SMALL MiB" "MB" false \
    "peak RSS of the API (-Xmx512m) while a $BIG MiB body streams through PUT .../source to S3" \
    "peak RSS of the same API during a $SMALL MiB upload" \
    "peak RSS ≤ 1.10× the small upload's (median): memory does not grow with size" 1.10 null \
    "$PAIRS_FILE" "\"bigMiB\": $BIG, \"smallMiB\": $SMALL, \"bigUploadMiBPerSecond\": [$(paste -sd, "$SPEED_FILE")]"
else
  bench_log "ratios (min median max): $(bench_ratios "$PAIRS_FILE")"
fi
