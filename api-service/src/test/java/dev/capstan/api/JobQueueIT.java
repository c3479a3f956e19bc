package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.job.WorkerHeartbeat;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.codec.StringCodec;

/**
 * The API's half of the job system on real MariaDB and Redis, with no worker running: the rows are
 * moved the way a worker would move them, and the reconciler, the retry endpoint and the admin view
 * are checked from the outside.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class JobQueueIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @Inject RedissonClient redisson;

  @Test
  void a_failed_attempt_is_queued_again_as_the_next_attempt_and_its_files_are_scheduled_to_go()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String jobId = awaitJob(id, "QUEUED");
    // What a worker writes after a transient failure.
    update("update jobs set state = 'FAILED', last_error = 'S3 down' where id = ?", jobId);
    update(
        "update videos set status = 'queued', progress_stage = 'retrying',"
            + " error_code = 'internal_error', error_message = 'An internal error stopped"
            + " processing.' where id = ?",
        id);

    await()
        .atMost(PATIENCE)
        .until(() -> "2".equals(column("select attempt from jobs where id = ?", jobId)));

    assertThat(column("select state from jobs where id = ?", jobId)).isEqualTo("QUEUED");
    assertThat(column("select run_after from jobs where id = ?", jobId)).isNotNull();
    assertThat(column("select last_error from jobs where id = ?", jobId)).isEqualTo("S3 down");
    assertThat(
            column(
                "select count(*) from storage_deletions where prefix = ?", "videos/" + id + "/a1/"))
        .isIn("1", "0"); // 0 once the sweep has removed it already
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("queued"))
        .body("progress.stage", equalTo("retrying"))
        .body("error.code", equalTo("internal_error"));
    // Published once the backoff is over, as attempt 2, on its lane.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(payloadsOf(JobLane.SHORT))
                    .anyMatch(p -> p.contains(jobId) && p.contains("\"attempt\":2")));
  }

  @Test
  void a_playable_video_whose_worker_died_is_queued_again_and_no_longer_points_at_its_files()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String jobId = awaitJob(id, "QUEUED");
    // A worker published the first segments (video playable at a1), then went silent.
    update(
        "update jobs set state = 'RUNNING', lease_owner = 'worker-gone', lease_expires_at = ?"
            + " where id = ?",
        LocalDateTime.now(ZoneOffset.UTC).minusSeconds(5),
        jobId);
    update(
        "update videos set status = 'playable', output_prefix = ? where id = ?",
        "videos/" + id + "/a1/",
        id);

    await()
        .atMost(PATIENCE)
        .until(() -> "2".equals(column("select attempt from jobs where id = ?", jobId)));

    assertThat(column("select status from videos where id = ?", id)).isEqualTo("queued");
    assertThat(column("select output_prefix from videos where id = ?", id)).isNull();
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("queued"))
        .body("progress.stage", equalTo("retrying"))
        .body("playback.hls", org.hamcrest.Matchers.nullValue());
  }

  @Test
  void a_running_job_whose_lease_expired_on_its_last_attempt_ends_dead_with_a_dead_letter()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String jobId = awaitJob(id, "QUEUED");
    update(
        "update jobs set state = 'RUNNING', attempt = 3, lease_owner = 'worker-gone',"
            + " lease_expires_at = ? where id = ?",
        LocalDateTime.now(ZoneOffset.UTC).minusSeconds(5),
        jobId);
    update("update videos set status = 'processing' where id = ?", id);

    await()
        .atMost(PATIENCE)
        .until(() -> "DEAD".equals(column("select state from jobs where id = ?", jobId)));

    assertThat(column("select last_error from jobs where id = ?", jobId)).contains("worker-gone");
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("failed"))
        .body("error.code", equalTo("internal_error"))
        .body("error.message", containsString("interrupted"));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(deadLetters())
                    .anyMatch(
                        e ->
                            jobId.equals(e.get(JobMessage.FIELD_JOB_ID))
                                && e.get(QueueNames.DEAD_LETTER_REASON)
                                    .startsWith("out of attempts (3)")));
  }

  @Test
  void a_chunk_whose_worker_died_is_queued_again_alone_while_its_flow_waits() throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String parentId = awaitJob(id, "QUEUED");
    String chunkId = waitingFlowWithRunningChunk(id, parentId, 1);

    await()
        .atMost(PATIENCE)
        .until(() -> "2".equals(column("select attempt from jobs where id = ?", chunkId)));

    assertThat(column("select state from jobs where id = ?", chunkId)).isEqualTo("QUEUED");
    assertThat(column("select state from jobs where id = ?", parentId)).isEqualTo("WAITING");
    assertThat(column("select status from videos where id = ?", id)).isEqualTo("processing");
    assertThat(
            column(
                "select count(*) from storage_deletions where prefix = ?", "videos/" + id + "/a1/"))
        .as("the flow's output stays")
        .isEqualTo("0");
    // Published again as the same chunk's next attempt.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(payloadsOf(JobLane.SHORT))
                    .anyMatch(
                        p ->
                            p.contains(chunkId)
                                && p.contains("\"attempt\":2")
                                && p.contains("\"parentJobId\":\"" + parentId)));
  }

  @Test
  void a_chunk_out_of_attempts_ends_its_flow_and_fails_the_video() throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String parentId = awaitJob(id, "QUEUED");
    String chunkId = waitingFlowWithRunningChunk(id, parentId, 3);
    String sibling = UUID.randomUUID().toString();
    insertChunk(id, parentId, sibling, 1, "QUEUED", 1);

    await()
        .atMost(PATIENCE)
        .until(() -> "DEAD".equals(column("select state from jobs where id = ?", chunkId)));

    assertFlowFailed(token, id, parentId, sibling);
  }

  @Test
  void an_audio_child_out_of_attempts_ends_its_flow_and_the_parent_says_why() throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String parentId = awaitJob(id, "QUEUED");
    String audioId =
        waitingFlowWithRunningChild(id, parentId, ChunkRange.audioOf(parentId, 1, 1, 30), 3);
    String sibling = UUID.randomUUID().toString();
    insertChunk(id, parentId, sibling, 0, "QUEUED", 1);

    await()
        .atMost(PATIENCE)
        .until(() -> "DEAD".equals(column("select state from jobs where id = ?", audioId)));

    assertThat(column("select last_error from jobs where id = ?", parentId))
        .startsWith("the audio rendition out of attempts: lease of worker-killed expired");
    assertFlowFailed(token, id, parentId, sibling);
  }

  /** The flow ended: parent and the other child DEAD, the video failed. */
  private static void assertFlowFailed(
      String token, String videoId, String parentId, String sibling) throws Exception {
    assertThat(column("select state from jobs where id = ?", parentId)).isEqualTo("DEAD");
    assertThat(column("select state from jobs where id = ?", sibling)).isEqualTo("DEAD");
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + videoId)
        .then()
        .body("status", equalTo("failed"))
        .body("error.code", equalTo("internal_error"));
  }

  /**
   * The video's job as a flow parent waiting for two chunks, chunk 0 running under a worker whose
   * lease ran out, at {@code attempt}; returns chunk 0's id.
   */
  private static String waitingFlowWithRunningChunk(String videoId, String parentId, int attempt)
      throws Exception {
    return waitingFlowWithRunningChild(videoId, parentId, chunkRange(parentId, 0), attempt);
  }

  /** As {@link #waitingFlowWithRunningChunk}, with {@code range} as the running child. */
  private static String waitingFlowWithRunningChild(
      String videoId, String parentId, ChunkRange range, int attempt) throws Exception {
    update("update jobs set state = 'WAITING', children_pending = 2 where id = ?", parentId);
    update("update videos set status = 'processing' where id = ?", videoId);
    String childId = UUID.randomUUID().toString();
    insertChild(videoId, parentId, childId, range, "RUNNING", attempt);
    update(
        "update jobs set lease_owner = 'worker-killed', lease_expires_at = ? where id = ?",
        LocalDateTime.now(ZoneOffset.UTC).minusSeconds(5),
        childId);
    return childId;
  }

  private static void insertChunk(
      String videoId, String parentId, String chunkId, int index, String state, int attempt)
      throws Exception {
    insertChild(videoId, parentId, chunkId, chunkRange(parentId, index), state, attempt);
  }

  /** Chunk {@code index} of a two-chunk flow of one-minute chunks at 30 fps. */
  private static ChunkRange chunkRange(String parentId, int index) {
    return new ChunkRange(
        parentId, 1, index, 2, index * 1800L, index == 0 ? 1800 : Long.MAX_VALUE, index * 15, 30);
  }

  private static void insertChild(
      String videoId, String parentId, String chunkId, ChunkRange range, String state, int attempt)
      throws Exception {
    TranscodeJob chunk =
        new TranscodeJob(chunkId, videoId, attempt, "videos/" + videoId + "/source", null, range);
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    update(
        "insert into jobs (id, video_id, kind, state, attempt, max_attempts, payload, lane,"
            + " parent_id, created_at, updated_at) values (?, ?, 'transcode_chunk', ?, ?, 3, ?,"
            + " 'short', ?, ?, ?)",
        chunkId,
        videoId,
        state,
        attempt,
        JobMessage.encode(JobKinds.TRANSCODE, chunkId, chunk).get(JobMessage.FIELD_PAYLOAD),
        parentId,
        now,
        now);
  }

  @Test
  void a_queued_job_whose_stream_entry_redis_lost_is_published_again() throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String jobId = awaitJob(id, "QUEUED");
    String first =
        await()
            .atMost(PATIENCE)
            .until(
                () -> column("select stream_entry_id from jobs where id = ?", jobId),
                e -> e != null);

    // As if Redis had restarted empty: the entry is gone, the row still says it was published.
    stream(JobLane.SHORT).remove(parse(first));

    String second =
        await()
            .atMost(PATIENCE)
            .until(
                () -> column("select stream_entry_id from jobs where id = ?", jobId),
                e -> e != null && !e.equals(first));
    assertThat(stream(JobLane.SHORT).range(1, parse(second), parse(second))).hasSize(1);
  }

  @Test
  void an_owner_retries_a_failed_video_as_a_new_attempt_with_a_fresh_budget() throws Exception {
    String token = ApiTestClient.signUp();
    String id = uploaded(token);
    String jobId = awaitJob(id, "QUEUED");
    update("update jobs set state = 'DEAD', attempt = 3 where id = ?", jobId);
    update(
        "update videos set status = 'failed', error_code = 'internal_error',"
            + " error_message = 'broke' where id = ?",
        id);

    given()
        .auth()
        .oauth2(token)
        .post("/api/v1/videos/" + id + "/retry")
        .then()
        .statusCode(202)
        .body("status", equalTo("queued"))
        .body("error", equalTo(null));

    String retried = awaitJob(id, "QUEUED");
    assertThat(retried).isNotEqualTo(jobId);
    assertThat(column("select attempt from jobs where id = ?", retried)).isEqualTo("4");
    assertThat(column("select max_attempts from jobs where id = ?", retried)).isEqualTo("6");
    await()
        .atMost(PATIENCE)
        .until(() -> column("select stream_entry_id from jobs where id = ?", retried) != null);
  }

  @Test
  void only_a_failed_video_of_ones_own_can_be_retried() {
    String owner = ApiTestClient.signUp();
    String id = uploaded(owner);

    given()
        .auth()
        .oauth2(owner)
        .post("/api/v1/videos/" + id + "/retry")
        .then()
        .statusCode(409)
        .body("code", equalTo("not_failed"));
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .post("/api/v1/videos/" + id + "/retry")
        .then()
        .statusCode(404);
    given().post("/api/v1/videos/" + id + "/retry").then().statusCode(401);
  }

  @Test
  void the_queue_view_is_for_admins_only_and_shows_lanes_jobs_and_live_workers() throws Exception {
    String user = ApiTestClient.signUp();
    given().auth().oauth2(user).get("/api/v1/admin/queue").then().statusCode(404);

    String byConfig = ApiTestClient.signUp("queue-admin@example.com");
    String email = "role-admin-" + UUID.randomUUID() + "@example.com";
    String byRole = ApiTestClient.signUp(email);
    update("update users set role = 'admin' where email = ?", email);
    uploaded(user);
    String workerKey = QueueNames.workerKey(CapstanTestServices.services.redisNamespace(), "w-7");
    Instant now = Instant.now();
    redisson
        .getBucket(workerKey, StringCodec.INSTANCE)
        .set(
            new WorkerHeartbeat("w-7", "host-7", null, null, null, null, null, null, now, null, now)
                .encode(),
            30,
            TimeUnit.SECONDS);

    for (String admin : new String[] {byConfig, byRole}) {
      given()
          .auth()
          .oauth2(admin)
          .get("/api/v1/admin/queue")
          .then()
          .statusCode(200)
          .body("lanes", hasSize(2))
          .body("lanes.lane", hasItem("long"))
          .body("lanes.find { it.lane == 'short' }.queued", org.hamcrest.Matchers.greaterThan(0))
          .body("workers.workerId", hasItem("w-7"))
          .body("deadLetters.jobs", org.hamcrest.Matchers.notNullValue());
    }
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                given()
                    .get("/q/metrics")
                    .then()
                    .body(
                        containsString("capstan_queue_depth{lane=\"short\"}"),
                        containsString("capstan_queue_lag{lane=\"long\"}"),
                        containsString("capstan_queue_oldest_age_seconds"),
                        containsString("capstan_workers_live 1.0")));
    redisson.getBucket(workerKey).delete();
  }

  private static String uploaded(String token) {
    String id = ApiTestClient.createVideo(token, "queue test");
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body("not really a video, no worker runs here".getBytes())
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    return id;
  }

  private static String awaitJob(String videoId, String state) {
    return await()
        .atMost(PATIENCE)
        .until(
            () ->
                column(
                    "select id from jobs where video_id = ? and state = ?"
                        + " order by attempt desc limit 1",
                    videoId,
                    state),
            v -> v != null);
  }

  private RStream<String, String> stream(JobLane lane) {
    return redisson.getStream(
        QueueNames.jobStream(CapstanTestServices.services.redisNamespace(), lane),
        StringCodec.INSTANCE);
  }

  private Collection<String> payloadsOf(JobLane lane) {
    return stream(lane).range(StreamMessageId.MIN, StreamMessageId.MAX).values().stream()
        .map(m -> m.get(JobMessage.FIELD_PAYLOAD))
        .toList();
  }

  private Collection<Map<String, String>> deadLetters() {
    return redisson
        .<String, String>getStream(
            QueueNames.deadLetterStream(CapstanTestServices.services.redisNamespace()),
            StringCodec.INSTANCE)
        .range(StreamMessageId.MIN, StreamMessageId.MAX)
        .values();
  }

  private static StreamMessageId parse(String id) {
    String[] parts = id.split("-");
    return new StreamMessageId(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }

  private static String column(String sql, Object... params) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void update(String sql, Object... params) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }
}
