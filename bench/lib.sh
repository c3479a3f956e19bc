# Shared by the bench/*.sh benchmarks (sourced, not run): a JDK, the packaged jars, a private
# embedded S3, database and Redis namespace per run (removed afterwards), the services as
# processes, and the result file in the suite's JSON format (see docs/BENCHMARKS.md).
#
# BENCH_STACK=DIR (set by ./capstan bench, which runs bench/stack.sh): a script then uses the
# suite's one embedded S3, API (the flags of ./capstan up), database and Redis namespace from
# DIR/stack.env instead of starting its own; an API with other flags (the image's) is still its
# own, on the shared S3 and database. The stack's owner removes the database and keys.
# shellcheck shell=bash

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API_JAR="$BENCH_ROOT/api-service/target/quarkus-app/quarkus-run.jar"
WORKER_JAR="$BENCH_ROOT/media-worker/target/quarkus-app/quarkus-run.jar"
TOOLS_JAR="$BENCH_ROOT/dev-tools/target/dev-tools.jar"
# The services run with the flags ./capstan up gives them (quick to start: C1 only, serial GC)...
SERVICE_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
# ...unless a benchmark measures the API as it is shipped: the JVM options of its image (full JIT,
# G1), read from deploy/docker/api-service.Dockerfile; the heap stays -Xmx512m here.
IMAGE_API_FLAGS=(--enable-native-access=ALL-UNNAMED)
read -ra _image_opts <<<"$(sed -n 's/.*JAVA_OPTS="\([^"]*\)".*/\1/p' \
  "$BENCH_ROOT/deploy/docker/api-service.Dockerfile")"
IMAGE_API_FLAGS+=("${_image_opts[@]}")
# bench_start_api uses these; a benchmark may set them to IMAGE_API_FLAGS.
API_FLAGS=("${SERVICE_FLAGS[@]}")
DB_HOST="${CAPSTAN_DB_HOST:-127.0.0.1}"
DB_PORT="${CAPSTAN_DB_PORT:-3306}"
DB_USER="${CAPSTAN_DB_USER:-root}"
DB_PASSWORD="${CAPSTAN_DB_PASSWORD:-}"
REDIS_URL="${CAPSTAN_REDIS_URL:-redis://127.0.0.1:6379}"

# Functions run inside $(...) too: make a failure there a failure.
shopt -s inherit_errexit

bench_log() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
bench_die() { bench_log "$*"; exit 1; }

# A JDK 21+ (JAVA_HOME if it is one, else the first under /usr/lib/jvm).
bench_java() {
  major() { "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1; }
  if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/java" || "$(major "$JAVA_HOME/bin/java")" -lt 21 ]]; then
    JAVA_HOME=""
    local jdk
    for jdk in /usr/lib/jvm/*; do
      if [[ -x "$jdk/bin/javac" && "$(major "$jdk/bin/java")" -ge 21 ]]; then
        JAVA_HOME="$jdk"
        break
      fi
    done
  fi
  [[ -n "$JAVA_HOME" ]] || bench_die "needs a JDK 21 or newer"
  export JAVA_HOME
  JAVA="$JAVA_HOME/bin/java"
}

# bench_init NAME: JDK, jars, a work folder, unique database/namespace names, cleanup on exit.
bench_init() {
  BENCH_NAME="$1"
  bench_java
  command -v curl >/dev/null || bench_die "needs curl"
  local jar
  for jar in "$API_JAR" "$WORKER_JAR" "$TOOLS_JAR"; do
    [[ -f "$jar" ]] || (cd "$BENCH_ROOT" && ./capstan build) || bench_die "cannot build $jar"
  done
  WORK="$(mktemp -d "/tmp/capstan-$BENCH_NAME.XXXXXX")"
  RUN_ID="b$$$(date +%s)"
  DB="capstan_bench_$RUN_ID"
  NS="capstan-bench-$RUN_ID"
  BENCH_OWNS_DATA=true
  if bench_shared; then
    # shellcheck source=/dev/null
    source "$BENCH_STACK/stack.env"
    BENCH_OWNS_DATA=false
    bench_log "using the suite's shared S3 and API (database $DB)"
  fi
  BENCH_PIDS=()
  : >"$WORK/pids"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# bench_track PID: stopped at exit, even when started inside $(...).
bench_track() {
  BENCH_PIDS+=("$1")
  echo "$1" >>"$WORK/pids"
}

bench_cleanup() {
  local pid pids
  mapfile -t pids < <(cat "$WORK/pids" 2>/dev/null)
  for pid in "${BENCH_PIDS[@]}" "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Children are waited for; processes started inside $(...) are not ours to wait: poll them,
  # and after 30 s (a worker may be draining a job) stop them hard.
  local deadline=$((SECONDS + 30))
  for pid in "${BENCH_PIDS[@]}" "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  # BENCH_KEEP_LOGS=DIR keeps the services' logs (e.g. the worker's stage times) past the run.
  [[ -z "${BENCH_KEEP_LOGS:-}" ]] || { mkdir -p "$BENCH_KEEP_LOGS" && cp "$WORK"/*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null; } || true
  if [[ "$BENCH_OWNS_DATA" == true ]]; then
    mariadb -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER" ${DB_PASSWORD:+-p"$DB_PASSWORD"} \
      -e "DROP DATABASE IF EXISTS $DB" 2>/dev/null || true
    local redis_host="${REDIS_URL#*://}"
    redis_host="${redis_host%%/*}"
    redis-cli -h "${redis_host%%:*}" -p "${redis_host##*:}" --scan --pattern "$NS:*" 2>/dev/null |
      xargs -r redis-cli -h "${redis_host%%:*}" -p "${redis_host##*:}" del >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}

# Whether the suite's shared stack is up (see the top of this file).
bench_shared() { [[ -n "${BENCH_STACK:-}" && -f "$BENCH_STACK/stack.env" ]]; }

bench_free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# bench_start_s3: the embedded S3 on a free port, data under $WORK/s3 (or the shared stack's),
# and the services' settings for it, the database and the Redis namespace.
bench_start_s3() {
  if bench_shared; then
    S3_PORT="$STACK_S3_PORT"
  else
    S3_PORT="$(bench_free_port)"
    "$JAVA" -Xmx256m -jar "$TOOLS_JAR" s3 --port "$S3_PORT" --data "$WORK/s3" >"$WORK/s3.log" 2>&1 &
    bench_track $!
    local i
    for ((i = 0; i < 600; i++)); do
      grep -q READY "$WORK/s3.log" 2>/dev/null && break
      sleep 0.1
    done
    grep -q READY "$WORK/s3.log" || bench_die "embedded S3 did not start: $(tail -5 "$WORK/s3.log")"
  fi
  export QUARKUS_DATASOURCE_JDBC_URL="jdbc:mariadb://$DB_HOST:$DB_PORT/$DB?createDatabaseIfNotExist=true"
  export QUARKUS_DATASOURCE_USERNAME="$DB_USER" QUARKUS_DATASOURCE_PASSWORD="$DB_PASSWORD"
  export CAPSTAN_REDIS_URL="$REDIS_URL" CAPSTAN_REDIS_NAMESPACE="$NS"
  export CAPSTAN_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" CAPSTAN_S3_ACCESS_KEY=capstan
  export CAPSTAN_S3_SECRET_KEY=capstan-secret CAPSTAN_RATE_LIMITS_ENABLED=false
  export CAPSTAN_AUTH_BCRYPT_COST=4
  # Every API on one database needs the same key (the shared stack's, when there is one).
  CAPSTAN_WEBHOOKS_ENCRYPTION_KEY="${STACK_WEBHOOKS_KEY:-$(head -c 32 /dev/urandom | base64)}"
  export CAPSTAN_WEBHOOKS_ENCRYPTION_KEY
  export QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL=WARN
}

# bench_wait_ready URL SECONDS LOG: polls every 50 ms; on timeout prints the log's tail, fails.
bench_wait_ready() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  tail -n 30 "$3" >&2
  bench_log "not ready at $1 within $2 s (log $3)"
  return 1
}

# bench_start_api: sets API_PID, API_PORT, API; waits until ready. With the shared stack and
# the default flags, its API (not stopped by this script).
bench_start_api() {
  if bench_shared && [[ "${API_FLAGS[*]}" == "${SERVICE_FLAGS[*]}" ]]; then
    API_PORT="$STACK_API_PORT" API_PID="$STACK_API_PID" API="http://127.0.0.1:$STACK_API_PORT"
    bench_wait_ready "$API/q/health/ready" 30 "$STACK_API_LOG" || exit 1
    return
  fi
  API_PORT="$(bench_free_port)"
  QUARKUS_HTTP_PORT="$API_PORT" "$JAVA" "${API_FLAGS[@]}" -Xmx512m -jar "$API_JAR" \
    >"$WORK/api.log" 2>&1 &
  API_PID=$!
  bench_track "$API_PID"
  API="http://127.0.0.1:$API_PORT"
  bench_wait_ready "$API/q/health/ready" 180 "$WORK/api.log" || exit 1
}

# bench_start_worker N: worker N with its health port; sets WORKER_PID (not waited for).
bench_start_worker() {
  local port
  port="$(bench_free_port)"
  QUARKUS_HTTP_PORT="$port" CAPSTAN_WORKER_ID="bench-worker-$1-$RUN_ID" \
    MALLOC_ARENA_MAX=2 "$JAVA" "${SERVICE_FLAGS[@]}" "-Xmx${BENCH_WORKER_HEAP:-384m}" -jar "$WORKER_JAR" >"$WORK/worker-$1.log" 2>&1 &
  WORKER_PID=$!
  WORKER_URL="http://127.0.0.1:$port"
  bench_track "$WORKER_PID"
}

# bench_stop PID: SIGTERM and wait (a worker drains its job first).
bench_stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

bench_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2" | head -1; }

# bench_signup: a user of this run; sets TOKEN.
bench_signup() {
  TOKEN="$(bench_field token "$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$RUN_ID@capstan.local\",\"password\":\"bench password\",\"name\":\"Bench\"}" \
    "$API/api/v1/auth/signup")")"
  [[ -n "$TOKEN" ]] || bench_die "sign-up failed"
}

# bench_create_video: sets VIDEO_ID.
bench_create_video() {
  VIDEO_ID="$(bench_field id "$(curl -fsS -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"title":"benchmark"}' "$API/api/v1/videos")")"
  [[ -n "$VIDEO_ID" ]] || bench_die "creating a video failed"
}

bench_now() { date +%s.%N; }
bench_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.3f", e - s}'; }

json_str() { local s="${1//\\/\\\\}"; printf '"%s"' "${s//\"/\\\"}"; }

# bench_ratios PAIRS_FILE: "min median max" of subject/anchor over lines "subject anchor".
bench_ratios() {
  awk '$2 > 0 {print $1 / $2}' "$1" | sort -g |
    awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
      printf "%.2f %.2f %.2f", a[1], m, a[NR]}'
}

# bench_median FILE COLUMN
bench_median() {
  awk -v c="$2" '{print $c}' "$1" | sort -g |
    awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

# bench_write_json FILE ID TITLE UNIT HIGHER_IS_BETTER SUBJECT ANCHOR TARGET_TEXT TARGET_RATIO
#                  TARGET_ABSOLUTE PAIRS_FILE [EXTRA_JSON_MEMBERS]
# Ratio/absolute "null" when not set; pairs are lines "subject anchor"; the extra members are
# written inside {} as given ("\"k\": 1, \"l\": [1, 2]"). Also prints the ratios.
bench_write_json() {
  local file="$1" pairs
  pairs="$(awk 'BEGIN {sep=""} {printf "%s{\"subject\": %s, \"anchor\": %s}", sep, $1, $2; sep=", "}' "${11}")"
  {
    printf '{"benchmark": %s, "title": %s, "unit": %s, "higherIsBetter": %s,\n' \
      "$(json_str "$2")" "$(json_str "$3")" "$(json_str "$4")" "$5"
    printf ' "subject": %s, "anchor": %s,\n' "$(json_str "$6")" "$(json_str "$7")"
    printf ' "pairs": [%s],\n' "$pairs"
    printf ' "target": {"description": %s, "ratio": %s, "absolute": %s},\n' "$(json_str "$8")" "$9" "${10}"
    printf ' "extra": {%s}}\n' "${12:-}"
  } >"$file"
  read -r rmin rmed rmax <<<"$(bench_ratios "${11}")"
  bench_log "$3: ratio min $rmin / median $rmed / max $rmax ($(wc -l <"${11}") pairs) -> $file"
}
