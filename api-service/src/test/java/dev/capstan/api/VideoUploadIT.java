package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamRangeArgs;
import org.redisson.client.codec.StringCodec;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class VideoUploadIT {
  static Path clip;
  static Path dir;

  @Inject ObjectStore store;
  @Inject RedissonClient redisson;

  @BeforeAll
  static void makeClip() throws Exception {
    dir = Files.createTempDirectory("capstan-api-it");
    clip = SampleClips.generate(SampleClips.Spec.standard(1.0), dir.resolve("clip.mp4"));
  }

  private static String newVideo(String token) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "My clip"))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .body("status", equalTo("awaiting_upload"))
        .body("title", equalTo("My clip"))
        .extract()
        .path("id");
  }

  @Test
  void raw_upload_stores_the_bytes_writes_the_job_and_publishes_it() throws Exception {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    byte[] bytes = Files.readAllBytes(clip);

    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(bytes)
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202)
        .body("id", equalTo(id))
        .body("status", equalTo("queued"))
        .body("progress.stage", equalTo("queued"));

    Path stored = dir.resolve(id + ".stored");
    store.download(S3Keys.source(id), stored);
    assertThat(Files.readAllBytes(stored)).isEqualTo(bytes);

    String jobId = jobOf(id, "QUEUED");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(streamedPayloads()).contains(jobId);
              assertThat(column("select published_at from jobs where id = ?", jobId)).isNotNull();
            });
    Map<String, String> entry = streamEntry(jobId);
    TranscodeJob job = JobMessage.decode(JobKinds.TRANSCODE, entry);
    assertThat(job).isEqualTo(new TranscodeJob(jobId, id, 1, S3Keys.source(id)));

    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("status", equalTo("queued"))
        .body("createdAt", notNullValue());
  }

  @Test
  void multipart_upload_creates_and_queues_in_one_call() throws Exception {
    String token = ApiTestClient.signUp();
    String id =
        given()
            .auth()
            .oauth2(token)
            .multiPart("file", clip.toFile(), "video/mp4")
            .multiPart("title", "One shot")
            .post("/api/v1/videos")
            .then()
            .statusCode(202)
            .body("status", equalTo("queued"))
            .body("title", equalTo("One shot"))
            .extract()
            .path("id");
    assertThat(store.head(S3Keys.source(id)))
        .get()
        .extracting(ObjectStore.ObjectInfo::sizeBytes)
        .isEqualTo(Files.size(clip));
    assertThat(jobOf(id, "QUEUED")).isNotNull();
  }

  @Test
  void another_users_video_is_not_found_for_reading_or_uploading() {
    String owner = ApiTestClient.signUp();
    String stranger = ApiTestClient.signUp();
    String id = newVideo(owner);
    given()
        .auth()
        .oauth2(stranger)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("code", equalTo("not_found"));
    given()
        .auth()
        .oauth2(stranger)
        .contentType("video/mp4")
        .body(new byte[] {1, 2, 3})
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(404);
  }

  @Test
  void a_second_upload_to_the_same_video_is_a_conflict() throws Exception {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    byte[] bytes = Files.readAllBytes(clip);
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(bytes)
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(bytes)
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(409)
        .body("code", equalTo("already_uploaded"));
  }

  @Test
  void empty_body_is_refused_and_the_video_still_waits_for_its_upload() {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(new byte[0])
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("code", equalTo("empty_upload"));
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("awaiting_upload"));
    assertThat(store.head(S3Keys.source(id))).isEmpty();
  }

  @Test
  void multipart_without_a_file_part_or_with_an_empty_file_is_a_clear_400() throws Exception {
    String token = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(token)
        .multiPart("title", "no file")
        .post("/api/v1/videos")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("code", equalTo("missing_file"));
    Path empty = Files.createFile(dir.resolve("empty-" + System.nanoTime() + ".mp4"));
    given()
        .auth()
        .oauth2(token)
        .multiPart("file", empty.toFile(), "video/mp4")
        .post("/api/v1/videos")
        .then()
        .statusCode(400)
        .body("code", equalTo("empty_upload"));
  }

  @Test
  void text_and_random_bytes_are_accepted_for_the_worker_to_judge() throws Exception {
    String token = ApiTestClient.signUp();
    Path text = Files.writeString(dir.resolve("notes.txt"), "this is not a video\n".repeat(50));
    byte[] random = new byte[64 * 1024];
    new Random(1).nextBytes(random);
    given()
        .auth()
        .oauth2(token)
        .multiPart("file", text.toFile(), "text/plain")
        .post("/api/v1/videos")
        .then()
        .statusCode(202)
        .body("status", equalTo("queued"));
    String id = newVideo(token);
    given()
        .auth()
        .oauth2(token)
        .contentType("application/octet-stream")
        .body(random)
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
  }

  @Test
  void announced_size_beyond_the_limit_is_refused_with_413_before_any_byte_is_read()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /api/v1/videos/"
                  + id
                  + "/source HTTP/1.1\r\n"
                  + "Host: localhost\r\n"
                  + "Authorization: Bearer "
                  + token
                  + "\r\n"
                  + "Content-Type: video/mp4\r\n"
                  + "Content-Length: 999999999999\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      assertThat(status).contains("413");
      StringBuilder headers = new StringBuilder();
      int bodyLength = 0;
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        headers.append(line.toLowerCase()).append('\n');
        if (line.toLowerCase().startsWith("content-length:")) {
          bodyLength = Integer.parseInt(line.substring(15).strip());
        }
      }
      char[] body = new char[bodyLength];
      int read = 0;
      while (read < bodyLength) {
        read += in.read(body, read, bodyLength - read);
      }
      assertThat(headers.toString()).contains("content-type: application/problem+json");
      assertThat(new String(body)).contains("\"code\":\"payload_too_large\"");
    }
  }

  @Test
  void chunked_body_that_grows_past_the_limit_is_cut_off_with_413() throws Exception {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    long limit = 16L * 1024 * 1024;
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + RestAssured.port + "/api/v1/videos/" + id + "/source"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "video/mp4")
            .PUT(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(new byte[(int) limit + 1024 * 1024])))
            .build();
    int status;
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      status = r.statusCode();
      assertThat(r.body()).contains("payload_too_large");
    } catch (IOException closedWhileSending) {
      // The server may close the connection as soon as it has answered; what matters is below.
      status = 413;
    }
    assertThat(status).isEqualTo(413);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("awaiting_upload"));
    assertThat(store.head(S3Keys.source(id))).isEmpty();
  }

  @Test
  void oversized_json_is_refused_with_413() {
    String token = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "x".repeat(2 * 1024 * 1024)))
        .post("/api/v1/videos")
        .then()
        .statusCode(413)
        .body("code", equalTo("payload_too_large"));
  }

  @Test
  void a_job_whose_publication_was_lost_is_published_again_by_the_sweep() throws Exception {
    String token = ApiTestClient.signUp();
    String id = newVideo(token);
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(Files.readAllBytes(clip))
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    String jobId = jobOf(id, "QUEUED");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(streamedPayloads()).contains(jobId);
              assertThat(column("select published_at from jobs where id = ?", jobId)).isNotNull();
            });
    // As if Redis had lost the entry and the publication had never been recorded.
    stream().remove(streamIdOf(jobId));
    update("update jobs set published_at = null where id = ?", jobId);
    assertThat(streamedPayloads()).doesNotContain(jobId);

    // The entry is added first, then the publication is recorded: wait for both.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(streamedPayloads()).contains(jobId);
              assertThat(column("select published_at from jobs where id = ?", jobId)).isNotNull();
            });
  }

  private RStream<String, String> stream() {
    return redisson.getStream(
        QueueNames.jobStream(CapstanTestServices.services.redisNamespace()), StringCodec.INSTANCE);
  }

  private String streamedPayloads() {
    return stream()
        .range(StreamRangeArgs.startId(StreamMessageId.MIN).endId(StreamMessageId.MAX))
        .values()
        .toString();
  }

  private Map<String, String> streamEntry(String jobId) {
    return stream()
        .range(StreamRangeArgs.startId(StreamMessageId.MIN).endId(StreamMessageId.MAX))
        .values()
        .stream()
        .filter(e -> jobId.equals(e.get(JobMessage.FIELD_JOB_ID)))
        .findFirst()
        .orElseThrow();
  }

  private StreamMessageId streamIdOf(String jobId) {
    return stream()
        .range(StreamRangeArgs.startId(StreamMessageId.MIN).endId(StreamMessageId.MAX))
        .entrySet()
        .stream()
        .filter(e -> jobId.equals(e.getValue().get(JobMessage.FIELD_JOB_ID)))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  private static String jobOf(String videoId, String state) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s =
            c.prepareStatement("select id from jobs where video_id = ? and state = ?")) {
      s.setString(1, videoId);
      s.setString(2, state);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("a %s job for video %s", state, videoId).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static Object column(String sql, String id) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getObject(1);
      }
    }
  }

  private static void update(String sql, String id) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      s.executeUpdate();
    }
  }
}
