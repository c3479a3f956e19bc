#!/bin/sh
# One-shot MinIO setup for the compose/swarm stacks (run by the minio-init service with the
# minio/mc image): the media bucket and the backup bucket, each with its own access key that
# may touch only its bucket. Safe to run again; it converges.
#
#   MINIO_ROOT_USER / MINIO_ROOT_PASSWORD          MinIO's admin login
#   CAPSTAN_S3_BUCKET, CAPSTAN_S3_ACCESS_KEY, CAPSTAN_S3_SECRET_KEY    the services' bucket
#   BACKUP_S3_BUCKET, BACKUP_S3_ACCESS_KEY, BACKUP_S3_SECRET_KEY       the nightly dumps
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}"
: "${CAPSTAN_S3_ACCESS_KEY:?}" "${CAPSTAN_S3_SECRET_KEY:?}"
: "${BACKUP_S3_ACCESS_KEY:?}" "${BACKUP_S3_SECRET_KEY:?}"

mc alias set capstan "${MINIO_URL:-http://minio:9000}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

# bucket user secret
bucket_with_owner() {
  mc mb --ignore-existing "capstan/$1"
  cat >"/tmp/$1-rw.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$1"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                 "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$1/*"]
    }
  ]
}
JSON
  mc admin policy create capstan "$1-rw" "/tmp/$1-rw.json" >/dev/null
  mc admin user add capstan "$2" "$3" >/dev/null
  if ! mc admin policy attach capstan "$1-rw" --user "$2" >/dev/null 2>&1; then
    # Attaching twice is refused; check it is attached rather than failing a rerun.
    mc admin user info capstan "$2" | grep -q "$1-rw"
  fi
  echo "minio-init: bucket $1 ready, writable by $2"
}

bucket_with_owner "${CAPSTAN_S3_BUCKET:-capstan}" "$CAPSTAN_S3_ACCESS_KEY" "$CAPSTAN_S3_SECRET_KEY"
bucket_with_owner "${BACKUP_S3_BUCKET:-capstan-backups}" "$BACKUP_S3_ACCESS_KEY" "$BACKUP_S3_SECRET_KEY"
