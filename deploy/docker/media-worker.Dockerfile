# syntax=docker/dockerfile:1.7
# Capstan media worker image. Build from the repository root:
#   docker build -f deploy/docker/media-worker.Dockerfile -t capstan/media-worker:0.1.0 .
# FFmpeg comes inside the JavaCV jars (GPL build with libx264); no system ffmpeg is installed.

# --- build: the Maven wrapper on a JDK 21 ------------------------------------------------------
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl media-worker -am package -DskipTests -Dspotless.check.skip=true

# --- run: the Quarkus fast-jar on a JRE 21 -----------------------------------------------------
FROM eclipse-temurin:21-jre-noble
# libpulse0: libavdevice in JavaCV's FFmpeg natives links libpulse.so.0. curl: HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpulse0 curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 capstan \
    && useradd --system --uid 10001 --gid capstan --home-dir /app --shell /usr/sbin/nologin capstan \
    && mkdir -p /work /tmp/javacpp \
    && chown 10001:10001 /work /tmp/javacpp
WORKDIR /app
COPY --from=build --chown=10001:10001 /src/media-worker/target/quarkus-app/lib/ /app/lib/
COPY --from=build --chown=10001:10001 /src/media-worker/target/quarkus-app/*.jar /app/
COPY --from=build --chown=10001:10001 /src/media-worker/target/quarkus-app/app/ /app/app/
COPY --from=build --chown=10001:10001 /src/media-worker/target/quarkus-app/quarkus/ /app/quarkus/

# FFmpeg's frames and codec buffers live outside the Java heap, so the heap gets half of the
# container's memory limit. JavaCPP unpacks its natives (~86 MB) into a writable cache dir;
# sources and outputs are staged under /work (mount a volume there for large sources).
# Every encoder runs on its own thread; glibc would give each its own malloc arena, and the
# worker's peak RSS crept up job after job (711, 740, 768 MB); two arenas keep it flat.
ENV QUARKUS_HTTP_PORT=8081 \
    MALLOC_ARENA_MAX=2 \
    CAPSTAN_WORKER_WORK_DIR=/work \
    JAVA_OPTS="-XX:MaxRAMPercentage=12.5 -XX:InitialRAMPercentage=5.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp --enable-native-access=ALL-UNNAMED"
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${QUARKUS_HTTP_PORT}/q/health/ready" || exit 1
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar"]
