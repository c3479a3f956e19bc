# Shared by backup.sh and restore.sh (sourced, not run). Settings come from the environment;
# credentials are only ever written to 0600 files in a private temp dir, never put on a
# command line (where `ps` would show them).
#
# Exit codes (both scripts):
#   0 success                 4 object storage: upload, download, list or verify failed
#   2 usage or configuration  5 the backup is safe, but pruning old dumps failed
#   3 database: connect, replica unhealthy or dump failed
#   6 restore target is not empty (use --replace)      7 loading the dump failed

EXIT_CONFIG=2
EXIT_DB=3
EXIT_STORAGE=4
EXIT_RETENTION=5
EXIT_TARGET=6
EXIT_LOAD=7

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2; }
fail() {
  local code="$1"
  shift
  log "ERROR: $*"
  exit "$code"
}

# A secret from VAR, or from the file named by VAR_FILE (Docker/Kubernetes secrets).
secret() {
  local name="$1" file_var="${1}_FILE"
  if [[ -n "${!file_var:-}" ]]; then
    [[ -r "${!file_var}" ]] || fail "$EXIT_CONFIG" "$file_var points at ${!file_var}, which is not readable"
    tr -d '\n' <"${!file_var}"
  else
    printf '%s' "${!name:-}"
  fi
}

cnf_str() {
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

backup_init() {
  command -v gzip >/dev/null || fail "$EXIT_CONFIG" "gzip is not installed"
  DB_CLIENT="$(command -v mariadb || command -v mysql || true)"
  DB_DUMP="$(command -v mariadb-dump || command -v mysqldump || true)"
  [[ -n "$DB_CLIENT" && -n "$DB_DUMP" ]] ||
    fail "$EXIT_CONFIG" "the MariaDB/MySQL client tools are not installed (mariadb-client)"

  DB_NAME="${BACKUP_DB_NAME:-capstan}"
  [[ "$DB_NAME" =~ ^[A-Za-z0-9_]+$ ]] || fail "$EXIT_CONFIG" "BACKUP_DB_NAME '$DB_NAME' is not a plain database name"
  S3_BUCKET="${BACKUP_S3_BUCKET:-}"
  [[ -n "$S3_BUCKET" ]] || fail "$EXIT_CONFIG" "BACKUP_S3_BUCKET is not set"
  S3_PREFIX="${BACKUP_S3_PREFIX-mysql/}"
  S3_ENDPOINT="${BACKUP_S3_ENDPOINT:-}"
  S3_REGION="${BACKUP_S3_REGION:-us-east-1}"
  RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-30}"
  [[ "$RETENTION_DAYS" =~ ^[0-9]+$ && "$RETENTION_DAYS" -ge 1 ]] ||
    fail "$EXIT_CONFIG" "BACKUP_RETENTION_DAYS must be a whole number of days >= 1"

  WORK="$(mktemp -d "${BACKUP_WORK_DIR:-${TMPDIR:-/tmp}}/capstan-backup.XXXXXX")" ||
    fail "$EXIT_CONFIG" "cannot create a work directory"
  chmod 700 "$WORK"
  trap 'rm -rf "$WORK"' EXIT
  s3_init
}

# Client option file for one server: [client] host, port, user, password.
write_db_cnf() { # file host port user password
  (
    umask 077
    {
      echo "[client]"
      echo "host=$2"
      echo "port=$3"
      echo "protocol=tcp"
      echo "user=$4"
      echo "password=$(cnf_str "$5")"
      echo "default-character-set=utf8mb4"
    } >"$1"
  )
}

# --- object storage: the AWS CLI when present, else s3cmd ---------------------------------
s3_init() {
  local tool="${BACKUP_S3_TOOL:-auto}" access secret_key
  if [[ "$tool" == auto ]]; then
    if command -v aws >/dev/null; then tool=aws; elif command -v s3cmd >/dev/null; then tool=s3cmd; else
      fail "$EXIT_CONFIG" "neither the AWS CLI nor s3cmd is installed (apt-get install s3cmd)"
    fi
  fi
  command -v "$tool" >/dev/null || fail "$EXIT_CONFIG" "BACKUP_S3_TOOL=$tool, but $tool is not installed"
  S3_TOOL="$tool"
  access="$(secret BACKUP_S3_ACCESS_KEY)"
  secret_key="$(secret BACKUP_S3_SECRET_KEY)"
  case "$S3_TOOL" in
    aws)
      (
        umask 077
        printf '[default]\nregion = %s\ns3 =\n  addressing_style = path\n' "$S3_REGION" >"$WORK/aws.config"
        if [[ -n "$access" ]]; then
          printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$access" "$secret_key" \
            >"$WORK/aws.credentials"
        fi
      )
      ;;
    s3cmd)
      [[ -n "$access" ]] || fail "$EXIT_CONFIG" "s3cmd needs BACKUP_S3_ACCESS_KEY and BACKUP_S3_SECRET_KEY"
      local host https=True
      if [[ -n "$S3_ENDPOINT" ]]; then
        host="${S3_ENDPOINT#*://}"
        host="${host%%/*}"
        [[ "$S3_ENDPOINT" == http://* ]] && https=False
      else
        host="s3.amazonaws.com"
      fi
      (
        umask 077
        {
          echo "[default]"
          echo "access_key = $access"
          echo "secret_key = $secret_key"
          echo "host_base = $host"
          # Path-style addressing against a custom endpoint; virtual hosts on AWS.
          if [[ -n "$S3_ENDPOINT" ]]; then echo "host_bucket = $host"; else echo "host_bucket = %(bucket)s.$host"; fi
          echo "use_https = $https"
          echo "bucket_location = $S3_REGION"
          echo "signature_v2 = False"
        } >"$WORK/s3cmd.cfg"
      )
      ;;
    *) fail "$EXIT_CONFIG" "BACKUP_S3_TOOL must be auto, aws or s3cmd, not '$S3_TOOL'" ;;
  esac
}

aws_s3() {
  local endpoint=() env_args=(AWS_CONFIG_FILE="$WORK/aws.config" AWS_PAGER=)
  if [[ -n "$S3_ENDPOINT" ]]; then endpoint=(--endpoint-url "$S3_ENDPOINT"); fi
  # Our keys, when given, win over whatever AWS_* the environment holds; without them the
  # CLI's own chain applies (instance profile, IRSA, AWS_* variables).
  if [[ -f "$WORK/aws.credentials" ]]; then
    env_args=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE
      "${env_args[@]}" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws.credentials")
  fi
  env "${env_args[@]}" aws "${endpoint[@]}" "$@"
}

s3_put() { # local-file key
  case "$S3_TOOL" in
    aws) aws_s3 s3 cp --only-show-errors "$1" "s3://$S3_BUCKET/$2" ;;
    s3cmd) s3cmd -c "$WORK/s3cmd.cfg" --no-progress put "$1" "s3://$S3_BUCKET/$2" >/dev/null ;;
  esac
}

s3_get() { # key local-file
  case "$S3_TOOL" in
    aws) aws_s3 s3 cp --only-show-errors "s3://$S3_BUCKET/$1" "$2" ;;
    s3cmd) s3cmd -c "$WORK/s3cmd.cfg" --no-progress --force get "s3://$S3_BUCKET/$1" "$2" >/dev/null ;;
  esac
}

s3_delete() { # key
  case "$S3_TOOL" in
    aws) aws_s3 s3 rm --only-show-errors "s3://$S3_BUCKET/$1" ;;
    s3cmd) s3cmd -c "$WORK/s3cmd.cfg" del "s3://$S3_BUCKET/$1" >/dev/null ;;
  esac
}

# Keys under a prefix, one a line, sorted.
s3_list() { # prefix
  local out
  case "$S3_TOOL" in
    aws)
      out="$(aws_s3 s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$1" \
        --query 'Contents[].Key' --output text)" || return 1
      [[ "$out" == None ]] && out=""
      tr '\t' '\n' <<<"$out" | sed '/^$/d' | sort
      ;;
    s3cmd)
      out="$(s3cmd -c "$WORK/s3cmd.cfg" ls "s3://$S3_BUCKET/$1")" || return 1
      awk -v p="s3://$S3_BUCKET/" '{ k = $NF; if (index(k, p) == 1) print substr(k, length(p) + 1) }' <<<"$out" | sort
      ;;
  esac
}

# Dumps of BACKUP_DB_NAME: <prefix><db>-YYYYmmddTHHMMSSZ.sql.gz, oldest first.
list_dumps() {
  s3_list "${S3_PREFIX}${DB_NAME}-" | grep -E "/?${DB_NAME}-[0-9]{8}T[0-9]{6}Z\.sql\.gz$" || true
}

dump_stamp() { # key -> YYYYmmddTHHMMSSZ
  local base="${1##*/}"
  base="${base#"${DB_NAME}"-}"
  printf '%s' "${base%.sql.gz}"
}

# A dump is usable when gzip reads it through and mariadb-dump's closing line is there.
verify_dump() { # local-file
  gzip -t "$1" 2>/dev/null || return 1
  gzip -dc "$1" | tail -n 1 | grep -q '^-- Dump completed'
}
