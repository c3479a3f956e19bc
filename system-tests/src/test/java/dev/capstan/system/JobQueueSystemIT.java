package dev.capstan.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.devtools.fixtures.LocalS3Process;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.devtools.media.SampleClips;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job system proven by killing things: the packaged API and workers run as processes on
 * MariaDB, the embedded S3 and a Redis server of this test's own (so it can be wiped and restarted
 * without touching anyone else's), with short leases and backoffs. Workers are started per test and
 * killed as the test says.
 */
class JobQueueSystemIT {
  /**
   * What one 320x180 clip with sound yields: MP4, poster, storyboard sheet and cues, its one HLS
   * rung, the audio rendition and the master playlist.
   */
  private static final int RENDITIONS_PER_CLIP = 7;

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  static Path root;
  static Path work;
  static TestServices services;
  static int redisPort;
  static Process redis;
  static ServiceProcess api;
  static Map<String, String> env;
  static String token;
  static Path oneSecond;
  static Path twentySeconds;
  final List<ServiceProcess> workers = new ArrayList<>();

  @BeforeAll
  static void startTheStack() throws Exception {
    root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    work = Files.createTempDirectory("capstan-queue-system-");
    services = TestServices.start("queue");
    redisPort = freePort();
    startRedis();
    env = new HashMap<>(services.environment());
    env.put("CAPSTAN_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    env.put("CAPSTAN_RATE_LIMITS_VIDEO_CREATES", "1000");
    env.put("CAPSTAN_RATE_LIMITS_UPLOADS", "1000");
    env.put("CAPSTAN_JOBS_MAX_ATTEMPTS", "3");
    env.put("CAPSTAN_JOBS_REPUBLISH_EVERY", "PT0.5S");
    env.put("CAPSTAN_JOBS_REPUBLISH_AFTER", "PT2S");
    env.put("CAPSTAN_JOBS_RETRY_BACKOFF", "PT0.3S");
    env.put("CAPSTAN_JOBS_RETRY_MAX_BACKOFF", "PT1S");
    env.put("CAPSTAN_STORAGE_DELETION_SWEEP_EVERY", "PT1S");
    env.put("CAPSTAN_WORKER_LEASE", "PT3S");
    env.put("CAPSTAN_WORKER_HEARTBEAT", "PT1S");
    env.put("CAPSTAN_WORKER_RECLAIM_IDLE", "PT2S");
    env.put("CAPSTAN_WORKER_BLOCK", "PT0.5S");
    env.put("CAPSTAN_WORKER_REGISTRY_EVERY", "PT1S");
    env.put("QUARKUS_SHUTDOWN_TIMEOUT", "40s");
    api = ServiceProcess.start("queue-api", jar("api-service"), env, logs());
    token = signUp();
    oneSecond = SampleClips.generate(SampleClips.Spec.standard(1.0), work.resolve("one.mp4"));
    twentySeconds =
        SampleClips.generate(SampleClips.Spec.standard(20.0), work.resolve("twenty.mp4"));
  }

  @AfterAll
  static void stopTheStack() throws Exception {
    if (api != null) {
      api.close();
    }
    if (redis != null) {
      redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (services != null) {
      services.close();
    }
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(ServiceProcess::close);
  }

  @Test
  void a_worker_killed_mid_transcode_leaves_the_job_to_another_and_no_trace_of_its_attempt()
      throws Exception {
    ServiceProcess doomed = startWorkers("kill-a").get(0);
    String id = upload(twentySeconds);
    awaitTranscoding(id);

    doomed.kill();
    startWorkers("kill-b");

    JsonPath video = awaitSettled(id);
    assertThat(video.getString("status")).isEqualTo("ready");
    assertThat(rows("select attempt from renditions where video_id = ?", id))
        .as("exactly one set of renditions, of the attempt that finished")
        .hasSize(RENDITIONS_PER_CLIP)
        .containsOnly("2");
    assertThat(one("select output_prefix from videos where id = ?", id))
        .isEqualTo("videos/" + id + "/a2/");
    assertThat(one("select state from jobs where video_id = ?", id)).isEqualTo("SUCCEEDED");
    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(objectsUnder("videos/" + id + "/a1/")).isEmpty());
    Path a2 =
        services.s3().dataDir().resolve(services.s3().bucket()).resolve("videos/" + id + "/a2/");
    assertThat(objectsUnder("videos/" + id + "/a2/"))
        .contains(
            a2.resolve("mp4/download.mp4"), a2.resolve("thumb.jpg"), a2.resolve("hls/master.m3u8"));
  }

  @Test
  void a_worker_told_to_stop_mid_job_finishes_it_and_exits_with_0() throws Exception {
    ServiceProcess worker = startWorkers("drain").get(0);
    String id = upload(twentySeconds);
    awaitTranscoding(id);

    int exit = worker.terminate(Duration.ofSeconds(60));

    assertThat(exit).isZero();
    JsonPath video = awaitSettled(id);
    assertThat(video.getString("status")).isEqualTo("ready");
    assertThat(one("select attempt from jobs where video_id = ?", id))
        .as("finished by the draining worker, not retried")
        .isEqualTo("1");
  }

  @Test
  void redis_wiped_and_restarted_while_jobs_are_queued_and_running_loses_none() throws Exception {
    startWorkers("wipe");
    List<String> ids = new ArrayList<>();
    ids.add(upload(twentySeconds));
    for (int i = 0; i < 5; i++) {
      ids.add(upload(oneSecond));
    }
    awaitTranscoding(ids.get(0));

    redisCli("FLUSHALL");
    redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    startRedis();

    for (String id : ids) {
      assertThat(awaitSettled(id).getString("status")).as(id).isEqualTo("ready");
      assertThat(rows("select id from renditions where video_id = ?", id))
          .hasSize(RENDITIONS_PER_CLIP);
    }
  }

  @Test
  void a_poison_job_ends_dead_after_its_attempts_and_does_not_hold_up_the_others()
      throws Exception {
    startWorkers("poison");
    String poison = create("poison");
    // Every attempt's result is refused by the database: a failure on our side, always.
    for (int attempt = 1; attempt <= 3; attempt++) {
      execute(
          "insert into renditions (video_id, attempt, kind, name, s3_key, size_bytes, created_at)"
              + " values (?, ?, 'mp4', '720p', 'taken', 0, now())",
          poison,
          attempt);
    }
    putSource(poison, oneSecond);
    String good1 = upload(oneSecond);
    String good2 = upload(oneSecond);

    JsonPath dead = awaitSettled(poison);
    assertThat(dead.getString("status")).isEqualTo("failed");
    assertThat(dead.getString("error.code")).isEqualTo("internal_error");
    assertThat(one("select state from jobs where video_id = ?", poison)).isEqualTo("DEAD");
    assertThat(one("select attempt from jobs where video_id = ?", poison)).isEqualTo("3");
    assertThat(one("select last_error from jobs where video_id = ?", poison)).contains("Duplicate");
    String jobId = one("select id from jobs where video_id = ?", poison);
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(redisCli("XRANGE", namespace() + ":jobs:dead", "-", "+"))
                    .contains(jobId));
    assertThat(awaitSettled(good1).getString("status")).isEqualTo("ready");
    assertThat(awaitSettled(good2).getString("status")).isEqualTo("ready");
  }

  @Test
  void a_soak_of_twenty_jobs_across_two_workers_with_one_killed_midway_ends_all_ready_once()
      throws Exception {
    // All queued first, so the workers are busy from the start and one can be killed mid-job.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(upload(oneSecond));
    }
    String in = "'" + String.join("','", ids) + "'";
    List<ServiceProcess> pair = startWorkers("soak-a", "soak-b");
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                count(
                        "select count(*) from jobs where state = 'SUCCEEDED' and video_id in ("
                            + in
                            + ")")
                    >= 5);
    // Killed while it holds a job, so that job has to be recovered.
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                count(
                        "select count(*) from jobs where state = 'RUNNING'"
                            + " and lease_owner = 'soak-a' and video_id in ("
                            + in
                            + ")")
                    > 0);
    pair.get(0).kill();

    for (String id : ids) {
      assertThat(awaitSettled(id).getString("status")).as(id).isEqualTo("ready");
    }
    long ready = count("select count(*) from videos where status = 'ready' and id in (" + in + ")");
    long renditions = count("select count(*) from renditions where video_id in (" + in + ")");
    long duplicates =
        count(
            "select count(*) from (select video_id from renditions where video_id in ("
                + in
                + ") group by video_id having count(*) <> "
                + RENDITIONS_PER_CLIP
                + ") d");
    long retried =
        count("select count(*) from jobs where attempt > 1 and video_id in (" + in + ")");
    System.out.printf(
        "soak: %d/20 ready, %d renditions (%d expected), %d videos with duplicates,"
            + " %d jobs retried after the kill%n",
        ready, renditions, 20 * RENDITIONS_PER_CLIP, duplicates, retried);
    assertThat(ready).isEqualTo(20);
    assertThat(renditions).isEqualTo(20L * RENDITIONS_PER_CLIP);
    assertThat(duplicates).isZero();
    assertThat(retried).as("the job the killed worker held").isPositive();
  }

  // --- the stack -------------------------------------------------------------------------------

  private List<ServiceProcess> startWorkers(String... ids) throws Exception {
    List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
    for (String id : ids) {
      Map<String, String> e = new HashMap<>(env);
      e.put("CAPSTAN_WORKER_ID", id);
      starting.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return ServiceProcess.start(id, jar("media-worker"), e, logs());
                } catch (Exception ex) {
                  throw new IllegalStateException(ex);
                }
              }));
    }
    List<ServiceProcess> started = new ArrayList<>();
    for (CompletableFuture<ServiceProcess> f : starting) {
      ServiceProcess p = f.get(180, TimeUnit.SECONDS);
      workers.add(p);
      started.add(p);
    }
    return started;
  }

  private static void startRedis() throws IOException {
    redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(redisPort),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(logs().resolve("queue-redis.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> redisCli("PING").contains("PONG"));
  }

  private static String redisCli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(redisPort)));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  private static String namespace() {
    return services.redisNamespace();
  }

  private static Path jar(String module) {
    return root.resolve(module + "/target/quarkus-app/quarkus-run.jar");
  }

  private static Path logs() throws IOException {
    return Files.createDirectories(root.resolve("system-tests/target/service-logs"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // --- REST ----------------------------------------------------------------------------------

  private static String signUp() {
    return given()
        .baseUri(api.baseUrl())
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "email", "queue-" + UUID.randomUUID() + "@example.com",
                "password", "system test password",
                "name", "Queue"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }

  private static RequestSpecification asUser() {
    return given().baseUri(api.baseUrl()).auth().oauth2(token);
  }

  private static String create(String title) {
    return asUser()
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  private static void putSource(String id, Path clip) throws IOException {
    asUser()
        .contentType("video/mp4")
        .body(Files.readAllBytes(clip))
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202)
        .body("status", equalTo("queued"));
  }

  private static String upload(Path clip) throws IOException {
    String id = create(clip.getFileName().toString());
    putSource(id, clip);
    return id;
  }

  private static JsonPath video(String id) {
    return asUser().get("/api/v1/videos/" + id).then().statusCode(200).extract().jsonPath();
  }

  private static void awaitTranscoding(String id) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> "transcoding".equals(video(id).getString("progress.stage")));
  }

  private static JsonPath awaitSettled(String id) {
    return await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> video(id),
            v -> "ready".equals(v.getString("status")) || "failed".equals(v.getString("status")));
  }

  // --- database and storage -------------------------------------------------------------------

  private static List<String> rows(String sql, Object... params) throws Exception {
    try (Connection c = services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static String one(String sql, Object... params) throws Exception {
    List<String> r = rows(sql, params);
    assertThat(r).as(sql).hasSize(1);
    return r.get(0);
  }

  private static long count(String sql) throws Exception {
    return Long.parseLong(one(sql));
  }

  private static void execute(String sql, Object... params) throws Exception {
    try (Connection c = services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  /** Objects under a key prefix, read straight from the embedded S3's folder. */
  private static List<Path> objectsUnder(String prefix) throws IOException {
    LocalS3Process s3 = services.s3();
    Path dir = s3.dataDir().resolve(s3.bucket()).resolve(prefix);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
