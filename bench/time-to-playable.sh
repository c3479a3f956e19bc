#!/usr/bin/env bash
# Time to playable, end to end on the packaged services: a generated 1080p30 H.264/AAC source
# (copyable: the worker remuxes it into the top HLS rung and publishes it segment by segment) is
# uploaded through the API; the subject is the time from upload complete (the PUT answered) to the
# first segment fetched through a share link (master -> first variant -> first presigned segment),
# as a viewer's player would, on a worker with its production settings: a source of at least
# `capstan.worker.chunking.min-duration` (3 min) goes through the chunked flow, whose parent
# stream-copies and publishes the top rung before the chunks encode the rest. The anchor is the
# time from upload complete to `ready` on the single-job path (chunking off: one worker encodes the
# whole ladder, which is what a viewer waits when playback needs the whole transcode first).
#
# Budget: a full encode of 10 min of 1080p takes an hour or more on 2 cores, so the anchor is
# measured ONCE per length, on its own worker, and only for the lengths in --anchor-lengths
# (default: all). Each anchor is kept in .capstan/bench/ttp-anchor-<length>min.txt (seconds, when,
# load average); a length whose anchor is not measured in this run is paired with that stored one,
# or else with the one kept in bench/anchors/ (the output says so, with its date), or measured
# without an anchor when there is none. The
# subject measurements delete the video once it plays, which frees the worker. The source is
# generated once and cached under .capstan/bench.
#
#   bench/time-to-playable.sh [--pairs 3] [--minutes 10] [--lengths "0.5 2 10"]
#                             [--anchor-lengths "0.5 2"] [--json FILE]
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=3
MINUTES=10
LENGTHS=""
ANCHOR_LENGTHS="all"
JSON=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --minutes) MINUTES="$2"; shift 2 ;;
    --lengths) LENGTHS="$2"; shift 2 ;;
    --anchor-lengths) ANCHOR_LENGTHS="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# Lengths in minutes, shortest first: a twentieth, a fifth and all of --minutes unless given
# (each length costs one full encode for its anchor).
[[ -n "$LENGTHS" ]] || LENGTHS="$(awk -v m="$MINUTES" 'BEGIN {printf "%.2f %.2f %.2f", m / 20, m / 5, m}')"
read -r -a LENGTH_LIST <<<"$LENGTHS"
LONGEST="${LENGTH_LIST[${#LENGTH_LIST[@]} - 1]}"

bench_init time-to-playable
CACHE="$BENCH_ROOT/.capstan/bench"
mkdir -p "$CACHE"
FFMPEG="$("$JAVA" --enable-native-access=ALL-UNNAMED -jar "$TOOLS_JAR" ffmpeg-path)"
ffmpeg() { LD_LIBRARY_PATH="$(dirname "$FFMPEG")" "$FFMPEG" -hide_banner -loglevel error -y "$@"; }

# The longest source, generated once: 1080p30 H.264 High (2 s GOP, about 3.5 Mb/s, under the
# 1080p rung's 5 Mb/s cap, so it is stream-copyable) with AAC-LC stereo; shorter ones are cut
# from it by stream copy.
SOURCE="$CACHE/ttp-1080p30-${LONGEST}min.mp4"
if [[ ! -f "$SOURCE" ]]; then
  bench_log "generating $LONGEST min of 1080p30 H.264/AAC into $SOURCE (once; cached)"
  ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -t "$(awk -v m="$LONGEST" 'BEGIN {print m * 60}')" -c:v libx264 -preset ultrafast -profile:v high \
    -pix_fmt yuv420p -b:v 3000k -maxrate 3500k -bufsize 7000k -g 60 -keyint_min 60 -sc_threshold 0 \
    -c:a aac -b:a 128k -ac 2 -movflags +faststart "$SOURCE.tmp.mp4"
  mv "$SOURCE.tmp.mp4" "$SOURCE"
fi
source_of() { # minutes -> file
  local out="$WORK/source-$1min.mp4"
  [[ -f "$out" ]] || ffmpeg -i "$SOURCE" -t "$(awk -v m="$1" 'BEGIN {print m * 60}')" -c copy \
    -movflags +faststart "$out"
  echo "$out"
}

bench_start_s3
bench_start_api
bench_signup

# start_worker CHUNKING: the one worker (heartbeat 1 s: a deleted video's job notices within a
# second that its lease is gone); chunking false for the anchor's single-job path, true (the
# production default, 3 min threshold) for the subject.
WORKER_PID=""
start_worker() {
  [[ -z "$WORKER_PID" ]] || { bench_stop "$WORKER_PID"; WORKER_PID=""; }
  CAPSTAN_WORKER_HEARTBEAT=PT1S CAPSTAN_WORKER_CHUNKING_ENABLED="$1" bench_start_worker 1
  bench_wait_ready "$WORKER_URL/q/health/ready" 180 "$WORK/worker-1.log" || exit 1
}

worker_idle() {
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    curl -fsS "$WORKER_URL/q/metrics" 2>/dev/null | grep -q '^capstan_worker_busy 0' && return 0
    sleep 0.2
  done
  bench_die "the worker is still busy after 120 s"
}

# measure FILE WAIT_READY -> "playable_seconds ready_seconds" (ready "-" when not waited for).
measure() {
  local file="$1" wait_ready="$2" code t0 master variant media segment playable ready="-" status
  bench_create_video
  code="$(bench_field code "$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{}' "$API/api/v1/videos/$VIDEO_ID/shares")")"
  [[ -n "$code" ]] || bench_die "creating a share link failed"
  curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: video/mp4' \
    --data-binary "@$file" "$API/api/v1/videos/$VIDEO_ID/source" || bench_die "upload failed"
  t0="$(bench_now)"
  local deadline=$((SECONDS + 1800))
  while :; do
    ((SECONDS < deadline)) || bench_die "video $VIDEO_ID not playable after 1800 s"
    if master="$(curl -fsS "$API/s/$code/hls/master.m3u8" 2>/dev/null)" &&
      variant="$(grep -v '^#' <<<"$master" | grep -m1 .)" &&
      media="$(curl -fsS "$API/s/$code/hls/$variant" 2>/dev/null)" &&
      segment="$(grep -v '^#' <<<"$media" | grep -m1 .)" &&
      curl -fsS -o /dev/null "$segment" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  playable="$(bench_since "$t0")"
  if [[ "$wait_ready" == true ]]; then
    while :; do
      ((SECONDS < deadline)) || bench_die "video $VIDEO_ID not ready after 1800 s"
      status="$(bench_field status "$(curl -fsS -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO_ID")")"
      [[ "$status" == failed ]] && bench_die "video $VIDEO_ID failed"
      [[ "$status" == ready ]] && break
      sleep 0.2
    done
    ready="$(bench_since "$t0")"
  else
    curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO_ID"
    worker_idle
  fi
  echo "$playable $ready"
}

wants_anchor() { [[ "$ANCHOR_LENGTHS" == all ]] || [[ " $ANCHOR_LENGTHS " == *" $1 "* ]]; }

# A source shorter than the chunking threshold (the worker's default, 3 min) is one job whether
# chunking is on or off: when no anchor is that long, one worker with the production settings
# measures both sides (no second start and warm-up).
ANCHOR_CHUNKING=true
for minutes in "${LENGTH_LIST[@]}"; do
  if wants_anchor "$minutes" && awk -v m="$minutes" 'BEGIN {exit !(m * 60 >= 180)}'; then
    ANCHOR_CHUNKING=false
  fi
done

# Anchors first, on a worker with chunking off (or on, see above), each stored for later runs.
declare -A ANCHOR ANCHOR_NOTE
for minutes in "${LENGTH_LIST[@]}"; do
  store="$CACHE/ttp-anchor-${minutes}min.txt"
  if wants_anchor "$minutes"; then
    if [[ -z "$WORKER_PID" ]]; then
      start_worker "$ANCHOR_CHUNKING"
      measure "$(source_of 0.1)" true >/dev/null # warm-up (JIT, connection pools), not measured
    fi
    read -r _ anchor <<<"$(measure "$(source_of "$minutes")" true)"
    echo "$anchor $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >"$store"
    ANCHOR[$minutes]="$anchor"
    ANCHOR_NOTE[$minutes]="measured in this run"
  elif [[ -f "$store" || -f "$BENCH_ROOT/bench/anchors/ttp-anchor-${minutes}min.txt" ]]; then
    # This machine's own measurement first, else the one kept in the repository (bench/anchors/).
    [[ -f "$store" ]] || store="$BENCH_ROOT/bench/anchors/ttp-anchor-${minutes}min.txt"
    read -r anchor when rest <<<"$(cat "$store")"
    ANCHOR[$minutes]="$anchor"
    ANCHOR_NOTE[$minutes]="measured once on $when ($rest), not in this run"
  else
    ANCHOR_NOTE[$minutes]="not measured (none stored)"
  fi
done

# The subject, on a worker with the production settings (the anchors' worker if it has them).
if [[ -z "$WORKER_PID" || "$ANCHOR_CHUNKING" == false ]]; then
  start_worker true
  measure "$(source_of 0.1)" true >/dev/null # warm-up, not measured
fi
PAIRS_FILE="$WORK/pairs"
: >"$PAIRS_FILE"
lengths_json="" capstan_json="" full_json=""
for minutes in "${LENGTH_LIST[@]}"; do
  file="$(source_of "$minutes")"
  playables=()
  for ((p = 1; p <= PAIRS; p++)); do
    read -r t _ <<<"$(measure "$file" false)"
    playables+=("$t")
  done
  median="$(printf '%s\n' "${playables[@]}" | sort -g |
    awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')"
  anchor="${ANCHOR[$minutes]:-}"
  bench_log "$minutes min: playable after ${playables[*]} s (median $median);" \
    "single-job ready after ${anchor:-?} s (${ANCHOR_NOTE[$minutes]})"
  seconds="$(awk -v m="$minutes" 'BEGIN {print m * 60}')"
  lengths_json+="${lengths_json:+, }$seconds"
  capstan_json+="${capstan_json:+, }$median"
  full_json+="${full_json:+, }${anchor:-null}"
  if [[ "$minutes" == "$LONGEST" && -n "$anchor" ]]; then
    for t in "${playables[@]}"; do echo "$t $anchor" >>"$PAIRS_FILE"; done
  fi
done
if [[ ! -s "$PAIRS_FILE" ]]; then
  [[ -z "$JSON" ]] || bench_die "no anchor for $LONGEST min: measure it once (--anchor-lengths)"
  bench_log "no anchor for $LONGEST min, so no ratio: measure it once (--anchor-lengths)"
  exit 0
fi

if [[ -n "$JSON" ]]; then
  bench_write_json "$JSON" time-to-playable "Time to playable: upload done to first segment played" \
    "s" false \
    "upload complete -> first segment fetched through a share link, ${LONGEST} min 1080p30 H.264/AAC (production settings: stream copy, progressive publishing, chunked flow from 3 min)" \
    "upload complete -> ready on the single-job path (${ANCHOR_NOTE[$LONGEST]})" \
    "≤ 3 s to playable (median)" null 3 "$PAIRS_FILE" \
    "\"lengthsSeconds\": [$lengths_json], \"capstanSeconds\": [$capstan_json], \"fullTranscodeSeconds\": [$full_json], \"cores\": $(nproc)"
else
  bench_log "ratios (min median max): $(bench_ratios "$PAIRS_FILE")"
fi
