# syntax=docker/dockerfile:1.7
# Capstan API service image. Build from the repository root (the Maven reactor needs every
# module the API depends on):
#   docker build -f deploy/docker/api-service.Dockerfile -t capstan/api-service:0.1.0 .
# deploy/docker/api-service.Dockerfile.dockerignore keeps build outputs and local state out of
# the context.

# --- build: the Maven wrapper on a JDK 21 ------------------------------------------------------
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY . .
# The BuildKit cache mount keeps ~/.m2 between builds; tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl api-service -am package -DskipTests -Dspotless.check.skip=true

# --- run: the Quarkus fast-jar on a JRE 21 -----------------------------------------------------
FROM eclipse-temurin:21-jre-noble
# curl for HEALTHCHECK; nothing else is added to the JRE image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 capstan \
    && useradd --system --uid 10001 --gid capstan --home-dir /app --shell /usr/sbin/nologin capstan
WORKDIR /app
# Fast-jar layers, least to most often changed, so a code change rebuilds only the last ones.
COPY --from=build --chown=10001:10001 /src/api-service/target/quarkus-app/lib/ /app/lib/
COPY --from=build --chown=10001:10001 /src/api-service/target/quarkus-app/*.jar /app/
COPY --from=build --chown=10001:10001 /src/api-service/target/quarkus-app/app/ /app/app/
COPY --from=build --chown=10001:10001 /src/api-service/target/quarkus-app/quarkus/ /app/quarkus/

# The heap follows the container's memory limit; the rest is left for metaspace, threads,
# direct buffers (8 MiB upload parts) and the page cache of multipart temp files.
ENV QUARKUS_HTTP_PORT=8080 \
    JAVA_OPTS="-XX:MaxRAMPercentage=70.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${QUARKUS_HTTP_PORT}/q/health/ready" || exit 1
# exec: the JVM is PID 1 and receives SIGTERM from docker stop / Kubernetes directly.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar"]
