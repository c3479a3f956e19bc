# syntax=docker/dockerfile:1.7
# The nightly backup job (deploy/backup): MariaDB's client tools from the server image, plus
# s3cmd for the upload. Build context is deploy/backup:
#   docker build -f deploy/docker/backup.Dockerfile -t capstan/backup:0.1.0 deploy/backup
FROM mariadb:10.11
RUN apt-get update \
    && apt-get install -y --no-install-recommends s3cmd ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --chmod=0755 backup.sh restore.sh /opt/capstan/
COPY --chmod=0644 lib.sh /opt/capstan/
# The image's own unprivileged user; the job writes only to its temp dir.
USER mysql
# A one-shot job, not a server: nothing to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/opt/capstan/backup.sh"]
