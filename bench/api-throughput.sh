#!/usr/bin/env bash
# API throughput against its anchor, nginx serving the same JSON bytes from a file, measured in
# the same run as alternating A/B pairs with wrk on loopback (issue 6's benchmark).
#
#   bench/api-throughput.sh [--pairs 3] [--seconds 8] [--connections 64] [--json FILE]
#
# Starts its own embedded S3 and the packaged API (database capstan_bench_*, Redis namespace
# capstan-bench-*; both removed afterwards), prints a table and rewrites the "API throughput"
# section of docs/BENCHMARKS.md; with --json, also writes the shared benchmark result object (the
# cached GET's pairs, the share and create figures under "extra"). Needs: a built tree (./capstan build), wrk and nginx
# (apt-get install wrk nginx), MariaDB and Redis as for ./capstan up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PAIRS=3
SECONDS_PER_RUN=8
CONNECTIONS=64
JSON_OUT=""
while (($#)); do
  case "$1" in
    --pairs) PAIRS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --json) JSON_OUT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool (apt-get install $tool)" >&2; exit 1; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || { echo "bench needs nginx (apt-get install nginx)" >&2; exit 1; }

major() { "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1; }
if [[ -z "${JAVA_HOME:-}" || "$(major "$JAVA_HOME/bin/java")" -lt 21 ]]; then
  JAVA_HOME=""
  for jdk in /usr/lib/jvm/*; do
    if [[ -x "$jdk/bin/javac" && "$(major "$jdk/bin/java")" -ge 21 ]]; then
      JAVA_HOME="$jdk"
      break
    fi
  done
fi
[[ -n "$JAVA_HOME" ]] || { echo "bench needs a JDK 21 or newer" >&2; exit 1; }
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
API_JAR=api-service/target/quarkus-app/quarkus-run.jar
TOOLS_JAR=dev-tools/target/dev-tools.jar
[[ -f "$API_JAR" && -f "$TOOLS_JAR" ]] || ./capstan build

WORK="$(mktemp -d /tmp/capstan-bench.XXXXXX)"
# nginx started as root serves from unprivileged workers ("nobody"): they must be able to read
# the anchor's files, or every anchor request is a fast 403.
chmod 755 "$WORK"
RUN="bench$$"
DB="capstan_bench_$RUN"
PIDS=()
cleanup() {
  ((${#PIDS[@]})) && kill "${PIDS[@]}" 2>/dev/null || true
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
  redis-cli --scan --pattern "capstan-bench-$RUN:*" 2>/dev/null | xargs -r redis-cli del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
S3_PORT="$(free_port)"
API_PORT="$(free_port)"
NGINX_PORT="$(free_port)"

"$JAVA" -Xmx256m -jar "$TOOLS_JAR" s3 --port "$S3_PORT" --data "$WORK/s3" >"$WORK/s3.log" 2>&1 &
PIDS+=($!)
until grep -q READY "$WORK/s3.log" 2>/dev/null; do sleep 0.2; done

QUARKUS_HTTP_PORT="$API_PORT" \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:mariadb://127.0.0.1:3306/$DB?createDatabaseIfNotExist=true" \
  QUARKUS_DATASOURCE_USERNAME=root QUARKUS_DATASOURCE_PASSWORD= \
  CAPSTAN_REDIS_NAMESPACE="capstan-bench-$RUN" \
  CAPSTAN_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" CAPSTAN_S3_ACCESS_KEY=capstan \
  CAPSTAN_S3_SECRET_KEY=capstan-secret CAPSTAN_RATE_LIMITS_ENABLED=false \
  QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL=WARN \
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx512m -jar "$API_JAR" >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/q/health/ready" 2>/dev/null && break
  sleep 0.25
done
API="http://127.0.0.1:$API_PORT"

field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2" | head -1; }
TOKEN="$(field token "$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"bench@capstan.local","password":"bench password","name":"Bench"}' "$API/api/v1/auth/signup")")"
VIDEO="$(field id "$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"Benchmark video"}' "$API/api/v1/videos")")"
CODE="$(field code "$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{}' "$API/api/v1/videos/$VIDEO/shares")")"

# The anchor serves exactly the bytes the API answers.
mkdir -p "$WORK/www"
curl -fsS -H "Authorization: Bearer $TOKEN" "$API/api/v1/videos/$VIDEO" >"$WORK/www/video.json"
curl -fsS "$API/api/v1/public/shares/$CODE" >"$WORK/www/share.json"
cat >"$WORK/nginx.conf" <<EOF
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
EOF
mkdir -p "$WORK/tmp"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"title":"created by wrk"}'
wrk.headers["Content-Type"] = "application/json"
EOF

# run NAME URL [wrk args...] -> appends "NAME rps p99ms" to results
RESULTS="$WORK/results"
run() {
  local name="$1" url="$2"
  shift 2
  local out
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url")"
  local rps p99
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")"
  local non2xx
  non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
  echo "$name $rps $p99 ${non2xx:-0}" >>"$RESULTS"
  if [[ "${non2xx:-0}" != 0 ]]; then
    echo "$name answered ${non2xx} non-2xx responses: the measurement is void" >&2
    exit 1
  fi
  printf '  %-22s %10.0f req/s  p99 %7.2f ms  non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}" >&2
}

AUTH=(-H "Authorization: Bearer $TOKEN")
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "warming up" >&2
wrk -t2 -c32 -d12s "${AUTH[@]}" "$API/api/v1/videos/$VIDEO" >/dev/null
wrk -t2 -c32 -d8s "$API/api/v1/public/shares/$CODE" >/dev/null
wrk -t2 -c32 -d8s "${AUTH[@]}" -s "$WORK/post.lua" "$API/api/v1/videos" >/dev/null

for ((pair = 1; pair <= PAIRS; pair++)); do
  echo "pair $pair/$PAIRS" >&2
  run nginx-video "http://127.0.0.1:$NGINX_PORT/video.json"
  run api-get-video "$API/api/v1/videos/$VIDEO" "${AUTH[@]}"
  run nginx-share "http://127.0.0.1:$NGINX_PORT/share.json"
  run api-public-share "$API/api/v1/public/shares/$CODE"
  run api-create-video "$API/api/v1/videos" "${AUTH[@]}" -s "$WORK/post.lua"
done

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# stats NAME COLUMN -> "min median max"
stats() {
  awk -v n="$1" -v c="$2" '$1==n {print $c}' "$RESULTS" | sort -g |
    awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f", a[1], a[int((NR+1)/2)], a[NR]}'
}
median() { stats "$1" "$2" | awk '{print $2}'; }

CPU="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}')"
row() { # label name anchor target_ratio target_p99
  local label="$1" name="$2" anchor="$3" want_ratio="$4" want_p99="$5"
  local rps p99 ratio met
  rps="$(stats "$name" 2)"
  p99="$(stats "$name" 3)"
  if [[ -n "$anchor" ]]; then
    # subject/anchor per pair (the runs alternate, so the n-th of each belong together)
    local ratios
    ratios="$(paste -d' ' <(awk -v n="$name" '$1==n {print $2}' "$RESULTS") \
      <(awk -v n="$anchor" '$1==n {print $2}' "$RESULTS") | awk '{printf "%.2f\n", $1/$2}' |
      sort -g | awk '{a[NR]=$1} END {printf "%s %s %s", a[1], a[int((NR+1)/2)], a[NR]}')"
    ratio="$(awk '{print $2}' <<<"$ratios")"
    met="$(awk -v r="$ratio" -v w="$want_ratio" -v p="$(median "$name" 3)" -v wp="$want_p99" \
      'BEGIN {print (r >= w && p <= wp) ? "yes" : "no"}')"
    echo "| $label | $rps | $p99 | $(stats "$anchor" 2) | $(stats "$anchor" 3) | $ratios (**${ratio}×**) | ≥ ${want_ratio}× and p99 ≤ ${want_p99} ms | $met |"
  else
    met="$(awk -v m="$(median "$name" 2)" -v w="$want_ratio" 'BEGIN {print (m >= w) ? "yes" : "no"}')"
    echo "| $label | $rps | $p99 | — | — | — | ≥ ${want_ratio} req/s | $met |"
  fi
}

SECTION="$WORK/section.md"
{
  echo "<!-- api-throughput: generated by bench/api-throughput.sh — do not edit -->"
  echo "## API throughput (wrk, loopback, ${CONNECTIONS} connections)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "$(nproc) cores ($CPU), $(free -g | awk '/Mem:/ {print $2}') GiB," \
    "java $("$JAVA" -version 2>&1 | head -1 | sed 's/.*version "\([^"]*\)".*/\1/'), $("$NGINX" -v 2>&1 | sed 's/.*\///')."
  echo "$PAIRS alternating pairs of ${SECONDS_PER_RUN} s; min / median / max. The anchor is nginx serving the"
  echo "same JSON bytes from a file. wrk, the API (or nginx), MariaDB and Redis share the machine;"
  echo "load average (1/5/15 min) before the runs $LOAD_BEFORE, after them $LOAD_AFTER (on $(nproc) cores:"
  echo "anything well above 1 per core means other work competed for the CPU)."
  echo
  echo "| what | req/s | p99 ms | anchor req/s | anchor p99 ms | ratio per pair (median) | target | met |"
  echo "|---|---|---|---|---|---|---|---|"
  row "GET /api/v1/videos/{id} (cached)" api-get-video nginx-video 0.4 25
  row "GET /api/v1/public/shares/{code}" api-public-share nginx-share 0.4 25
  row "POST /api/v1/videos (JSON create)" api-create-video "" 1000 0
  echo "<!-- /api-throughput -->"
} >"$SECTION"
cat "$SECTION"

if [[ -n "$JSON_OUT" ]]; then
  python3 - "$RESULTS" "$JSON_OUT" "$CONNECTIONS" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" <<'PY'
import json, statistics, sys
results, out, connections, commit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
runs = {}
for line in open(results):
    name, rps, p99, non2xx = line.split()
    runs.setdefault(name, []).append({"rps": float(rps), "p99": float(p99), "non2xx": int(non2xx)})
def pairs(subject, anchor):
    return [{"subject": s["rps"], "anchor": a["rps"]} for s, a in zip(runs[subject], runs[anchor])]
def ratios(ps):
    r = sorted(p["subject"] / p["anchor"] for p in ps)
    return {"min": r[0], "median": statistics.median(r), "max": r[-1]}
video, share = pairs("api-get-video", "nginx-video"), pairs("api-public-share", "nginx-share")
creates = [r["rps"] for r in runs["api-create-video"]]
json.dump({
    "benchmark": "api-throughput",
    "title": "Cached GET /api/v1/videos/{id} vs nginx serving the same bytes (wrk, %d connections)" % connections,
    "unit": "req/s",
    "higherIsBetter": True,
    "subject": "Capstan API, GET /api/v1/videos/{id} (cached)",
    "anchor": "nginx serving the same JSON bytes from a file",
    "pairs": video,
    "target": {"description": "ratio >= 0.40 and p99 <= 25 ms", "ratio": 0.4, "absolute": None},
    "extra": {
        "commit": commit,
        "getVideoRatios": ratios(video),
        "getVideoP99Ms": [r["p99"] for r in runs["api-get-video"]],
        "publicShare": {"pairs": share, "ratios": ratios(share),
                        "p99Ms": [r["p99"] for r in runs["api-public-share"]]},
        "createVideo": {"reqPerSec": creates, "median": statistics.median(creates),
                        "target": 1000, "p99Ms": [r["p99"] for r in runs["api-create-video"]]},
        "non2xx": {k: sum(r["non2xx"] for r in v) for k, v in runs.items()},
    },
}, open(out, "w"), indent=2)
PY
  echo "wrote $JSON_OUT" >&2
fi

DOC=docs/BENCHMARKS.md
[[ -f "$DOC" ]] || printf '# Benchmarks\n\nEach section is written by the script it names; rerun it to refresh.\n\n' >"$DOC"
if grep -q '<!-- api-throughput:' "$DOC"; then
  awk -v f="$SECTION" '
    /<!-- api-throughput:/ {while ((getline l < f) > 0) print l; skip=1; next}
    /<!-- \/api-throughput -->/ {skip=0; next}
    !skip {print}' "$DOC" >"$WORK/doc" && cp "$WORK/doc" "$DOC"
else
  { echo; cat "$SECTION"; } >>"$DOC"
fi
echo "wrote $DOC" >&2
