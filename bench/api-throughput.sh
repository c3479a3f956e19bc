#!/usr/bin/env bash
# API throughput against its anchor, nginx serving the same JSON bytes from a file, measured in
# the same run as alternating A/B pairs with wrk on loopback (issue 6's benchmark), plus a sweep
# of connection counts for the throughput-vs-connections plot.
#
#   bench/api-throughput.sh [--pairs 3] [--seconds 8] [--connections 64] [--sweep "16 64 256"]
#                           [--jvm image|dev] [--warm SECONDS] [--json FILE]
#
# --warm: seconds of load per endpoint before measuring (default: the run length, at least 4,
# doubled with the image's full JIT so that C2 has compiled the hot paths).
#
# --jvm image (the default) runs the API with the JVM options of its container image (full JIT,
# G1; deploy/docker/api-service.Dockerfile), as it runs in production; --jvm dev with those of
# ./capstan up (C1 only, serial GC: quick to start, about half the throughput).
#
# Starts its own embedded S3 and the packaged API (database capstan_bench_*, Redis namespace
# capstan-bench-*; both removed afterwards; in ./capstan bench, its own API on the suite's shared
# S3 and database) and prints a table; with --json it writes the result
# for ./capstan bench (which puts it in docs/BENCHMARKS.md). Needs: a built tree (./capstan
# build), wrk and nginx (apt-get install wrk nginx), MariaDB and Redis as for ./capstan up.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=3
SECONDS_PER_RUN=8
CONNECTIONS=64
SWEEP="16 64 256"
JVM=image
WARM=""
JSON=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --sweep) SWEEP="$2"; shift 2 ;;
    --jvm) JVM="$2"; shift 2 ;;
    --warm) WARM="$2"; shift 2 ;;
    --json) JSON="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "bench needs wrk (apt-get install wrk)" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || { echo "bench needs nginx (apt-get install nginx)" >&2; exit 1; }

bench_init api-throughput
case "$JVM" in
  image) API_FLAGS=("${IMAGE_API_FLAGS[@]}") ;;
  dev) API_FLAGS=("${SERVICE_FLAGS[@]}") ;;
  *) bench_die "--jvm is image or dev, not $JVM" ;;
esac
bench_log "API JVM flags ($JVM): ${API_FLAGS[*]}"
bench_start_s3
bench_start_api
bench_signup
bench_create_video
VIDEO="$VIDEO_ID"
CODE="$(bench_field code "$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{}' "$API/api/v1/videos/$VIDEO/shares")")"

# The anchor serves exactly the bytes the API answers.
NGINX_PORT="$(bench_free_port)"
mkdir -p "$WORK/www" "$WORK/tmp"
# nginx's workers run as an unprivileged user: they must be able to read the files.
chmod 755 "$WORK" "$WORK/www"
curl -fsS -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO" >"$WORK/www/video.json"
curl -fsS "$API/api/v1/public/shares/$CODE" >"$WORK/www/share.json"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    default_type application/json;
    root $WORK/www;
  }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
for f in video share; do
  cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT/$f.json") "$WORK/www/$f.json" ||
    bench_die "nginx does not serve $f.json (see $WORK/nginx-error.log)"
done

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"title":"created by wrk"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# CPU seconds (user + system) the server under test has used so far: the API process, or nginx's
# master and workers. On a machine other work competes for, req/s ratios mostly say who got the
# cores; CPU per request says what a request costs.
TICK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{s += $14 + $15} END {print s + 0}' "${@/#//proc/}" 2>/dev/null; }
server_pids() {
  if [[ "$1" == *nginx* ]]; then
    local master
    master="$(cat "$WORK/nginx.pid")"
    echo "$master/stat" $(pgrep -P "$master" | sed 's|$|/stat|')
  else
    echo "$API_PID/stat"
  fi
}

# run NAME CONNECTIONS URL [wrk args...] -> appends "NAME rps p99ms non2xx serverUs wrkUs" to
# results (the last two: CPU microseconds per request of the server and of wrk)
RESULTS="$WORK/results"
run() {
  local name="$1" conns="$2" url="$3"
  shift 3
  local out rps p99 non2xx reqs pids c0 c1 wrk_cpu server_us wrk_us
  pids="$(server_pids "$name")"
  # shellcheck disable=SC2086
  c0="$(cpu_ticks $pids)"
  out="$({ TIMEFORMAT='%U %S'; time wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url"; } 2>"$WORK/wrk-time")"
  # shellcheck disable=SC2086
  c1="$(cpu_ticks $pids)"
  wrk_cpu="$(awk 'END {print $1 + $2}' "$WORK/wrk-time")"
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")"
  non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  server_us="$(awk -v a="$c0" -v b="$c1" -v t="$TICK" -v n="$reqs" 'BEGIN {printf "%.1f", (b - a) / t * 1e6 / n}')"
  wrk_us="$(awk -v c="$wrk_cpu" -v n="$reqs" 'BEGIN {printf "%.1f", c * 1e6 / n}')"
  echo "$name $rps $p99 ${non2xx:-0} $server_us $wrk_us" >>"$RESULTS"
  printf '  %-24s %4d conns %10.0f req/s  p99 %7.2f ms  non-2xx %s  CPU/req: server %6.1f us, wrk %5.1f us  (load %s)\n' \
    "$name" "$conns" "$rps" "$p99" "${non2xx:-0}" "$server_us" "$wrk_us" "$(cut -d' ' -f1 /proc/loadavg)" >&2
  # Errors answered fast would pass for throughput: a run with any is no measurement.
  [[ "${non2xx:-0}" == 0 ]] || bench_die "$name got ${non2xx} non-2xx answers; the numbers would be meaningless"
}

AUTH=(-H "Authorization: Bearer $TOKEN")
if [[ -z "$WARM" ]]; then
  WARM=$((SECONDS_PER_RUN < 4 ? 4 : SECONDS_PER_RUN))
  # With the full JIT, C2 compiles the hot paths (the create's Hibernate and JDBC code above all)
  # during the first tens of seconds of load; measured before that, the runs would time the compiler.
  [[ "$JVM" == image ]] && WARM=$((WARM * 2))
fi
bench_log "warming up"
wrk -t2 -c32 -d"$((WARM + 4))s" "${AUTH[@]}" "$API/api/v1/videos/$VIDEO" >/dev/null
wrk -t2 -c32 -d"${WARM}s" "$API/api/v1/public/shares/$CODE" >/dev/null
wrk -t2 -c32 -d"${WARM}s" "${AUTH[@]}" -s "$WORK/post.lua" "$API/api/v1/videos" >/dev/null

for ((pair = 1; pair <= PAIRS; pair++)); do
  bench_log "pair $pair/$PAIRS"
  if ((pair % 2)); then
    run nginx-video "$CONNECTIONS" "http://127.0.0.1:$NGINX_PORT/video.json"
    run api-get-video "$CONNECTIONS" "$API/api/v1/videos/$VIDEO" "${AUTH[@]}"
    run nginx-share "$CONNECTIONS" "http://127.0.0.1:$NGINX_PORT/share.json"
    run api-public-share "$CONNECTIONS" "$API/api/v1/public/shares/$CODE"
  else
    run api-get-video "$CONNECTIONS" "$API/api/v1/videos/$VIDEO" "${AUTH[@]}"
    run nginx-video "$CONNECTIONS" "http://127.0.0.1:$NGINX_PORT/video.json"
    run api-public-share "$CONNECTIONS" "$API/api/v1/public/shares/$CODE"
    run nginx-share "$CONNECTIONS" "http://127.0.0.1:$NGINX_PORT/share.json"
  fi
  run api-create-video "$CONNECTIONS" "$API/api/v1/videos" "${AUTH[@]}" -s "$WORK/post.lua"
done
for conns in $SWEEP; do
  bench_log "sweep: $conns connections"
  run "sweep-nginx-$conns" "$conns" "http://127.0.0.1:$NGINX_PORT/video.json"
  run "sweep-api-$conns" "$conns" "$API/api/v1/videos/$VIDEO" "${AUTH[@]}"
done

# stats NAME COLUMN -> "min median max"
stats() {
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$RESULTS" | sort -g |
    awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
      printf "%.1f %.1f %.1f", a[1], m, a[NR]}'
}
median() { stats "$1" "$2" | awk '{print $2}'; }
pairs_of() { # SUBJECT ANCHOR -> lines "subject anchor" in measuring order
  paste -d' ' <(awk -v n="$1" '$1==n {print $2}' "$RESULTS") <(awk -v n="$2" '$1==n {print $2}' "$RESULTS")
}

# What the ratio would be with the 2 cores to wrk and the server alone: both CPU bound, req/s is
# inversely proportional to the CPU a request costs them together.
cpu_ratio() { # SUBJECT ANCHOR
  awk -v a="$(median "$2" 5)" -v aw="$(median "$2" 6)" -v s="$(median "$1" 5)" -v sw="$(median "$1" 6)" \
    'BEGIN {printf "%.2f", (a + aw) / (s + sw)}'
}

{
  echo "| what ($CONNECTIONS connections) | req/s min median max | p99 ms min median max | anchor req/s | ratio (median) | CPU us/req server + wrk (median): subject; anchor | CPU-cost ratio |"
  echo "|---|---|---|---|---|---|---|"
  for row in "GET /api/v1/videos/{id}:api-get-video:nginx-video" \
    "GET /api/v1/public/shares/{code}:api-public-share:nginx-share" \
    "POST /api/v1/videos:api-create-video:"; do
    IFS=: read -r label name anchor <<<"$row"
    if [[ -n "$anchor" ]]; then
      ratio="$(awk -v a="$(median "$name" 2)" -v b="$(median "$anchor" 2)" 'BEGIN {printf "%.2f", a/b}')"
      echo "| $label | $(stats "$name" 2) | $(stats "$name" 3) | $(stats "$anchor" 2) | ${ratio}× | $(median "$name" 5) + $(median "$name" 6); $(median "$anchor" 5) + $(median "$anchor" 6) | $(cpu_ratio "$name" "$anchor")× |"
    else
      echo "| $label | $(stats "$name" 2) | $(stats "$name" 3) | — | — | $(median "$name" 5) + $(median "$name" 6) | — |"
    fi
  done
}

if [[ -n "$JSON" ]]; then
  pairs_of api-get-video nginx-video >"$WORK/pairs"
  conns_json="$(tr -s ' ' ',' <<<"$(echo $SWEEP)")"
  api_json="$(for c in $SWEEP; do median "sweep-api-$c" 2; done | paste -sd,)"
  nginx_json="$(for c in $SWEEP; do median "sweep-nginx-$c" 2; done | paste -sd,)"
  share_ratio="$(awk -v a="$(median api-public-share 2)" -v b="$(median nginx-share 2)" 'BEGIN {printf "%.3f", a/b}')"
  bench_write_json "$JSON" api-throughput "API throughput: GET /api/v1/videos/{id} vs nginx" "req/s" true \
    "API, cached GET /api/v1/videos/{id}, wrk $CONNECTIONS connections, ${SECONDS_PER_RUN} s runs, JVM flags of the $JVM (${API_FLAGS[*]})" \
    "nginx serving the same JSON bytes from a file" "≥ 0.40× nginx (median); p99 ≤ 25 ms is in extra" 0.40 null \
    "$WORK/pairs" \
    "\"apiP99Ms\": $(median api-get-video 3), \"publicShareReqPerSec\": $(median api-public-share 2), \"publicShareRatioToNginx\": $share_ratio, \"publicShareP99Ms\": $(median api-public-share 3), \"createReqPerSec\": $(median api-create-video 2), \"createP99Ms\": $(median api-create-video 3), \"apiCpuUsPerReq\": $(median api-get-video 5), \"nginxCpuUsPerReq\": $(median nginx-video 5), \"wrkCpuUsPerReqApi\": $(median api-get-video 6), \"wrkCpuUsPerReqNginx\": $(median nginx-video 6), \"cpuCostRatio\": $(cpu_ratio api-get-video nginx-video), \"publicShareCpuCostRatio\": $(cpu_ratio api-public-share nginx-share), \"connections\": [$conns_json], \"apiReqPerSec\": [$api_json], \"nginxReqPerSec\": [$nginx_json]"
fi
