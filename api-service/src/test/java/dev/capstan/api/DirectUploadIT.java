package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.api.upload.service.DirectUploadService;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Uploads that go from the client straight to S3 through presigned part URLs. */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class DirectUploadIT {
  private static final int MIB = 1024 * 1024;
  private final HttpClient http = HttpClient.newHttpClient();

  @Inject ObjectStore store;
  @Inject DirectUploadService uploads;

  private static String video(String token) {
    return ApiTestClient.createVideo(token, "direct");
  }

  private static JsonPath start(String token, String id, long size) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("sizeBytes", size, "contentType", "video/mp4"))
        .post("/api/v1/videos/" + id + "/uploads")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath();
  }

  private String put(String url, byte[] body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("ETag").orElseThrow();
  }

  @Test
  void parts_sent_straight_to_s3_resume_after_an_interruption_and_queue_the_video()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    // Under the 16 MiB upload limit of the test profile: two parts, the last one short.
    byte[] file = new byte[9 * MIB + 321];
    new Random(9).nextBytes(file);

    JsonPath upload = start(token, id, file.length);
    assertThat(upload.getLong("partSize")).isEqualTo(8L * MIB);
    assertThat(upload.getInt("partCount")).isEqualTo(2);
    List<Map<String, Object>> parts = upload.getList("parts");
    assertThat(parts).hasSize(2);

    // Part 1 arrives, then the connection "drops".
    put((String) parts.get(0).get("url"), Arrays.copyOfRange(file, 0, 8 * MIB));

    JsonPath resumed =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id + "/uploads")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(resumed.getList("received.partNumber", Integer.class)).containsExactly(1);
    assertThat(resumed.getList("parts.partNumber", Integer.class)).containsExactly(2);
    assertThat(resumed.getString("uploadId")).isEqualTo(upload.getString("uploadId"));

    List<Map<String, Object>> completed = new ArrayList<>();
    completed.add(Map.of("partNumber", 1, "etag", resumed.getString("received[0].etag")));
    List<Map<String, Object>> rest = resumed.getList("parts");
    for (Map<String, Object> part : rest) {
      int n = (Integer) part.get("partNumber");
      byte[] chunk =
          Arrays.copyOfRange(file, (n - 1) * 8 * MIB, Math.min(file.length, n * 8 * MIB));
      completed.add(Map.of("partNumber", n, "etag", put((String) part.get("url"), chunk)));
    }

    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("parts", completed))
        .post("/api/v1/videos/" + id + "/uploads/complete")
        .then()
        .statusCode(202)
        .body("status", equalTo("queued"));

    Path stored = Files.createTempFile("direct", ".bin");
    store.download(S3Keys.source(id), stored);
    assertThat(Files.readAllBytes(stored)).isEqualTo(file);
    given().auth().oauth2(token).get("/api/v1/videos/" + id + "/uploads").then().statusCode(404);
  }

  @Test
  void completing_with_missing_parts_is_refused_and_the_upload_stays_resumable() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    JsonPath upload = start(token, id, 9L * MIB);
    String etag = put(upload.getString("parts[0].url"), new byte[8 * MIB]);
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("parts", List.of(Map.of("partNumber", 1, "etag", etag))))
        .post("/api/v1/videos/" + id + "/uploads/complete")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("code", equalTo("incomplete_upload"));
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id + "/uploads")
        .then()
        .statusCode(200)
        .body("parts.partNumber", org.hamcrest.Matchers.contains(2));
  }

  @Test
  void abort_removes_the_upload_and_a_new_one_can_start() {
    String token = ApiTestClient.signUp();
    String id = video(token);
    String first = start(token, id, 1000).getString("uploadId");
    given().auth().oauth2(token).delete("/api/v1/videos/" + id + "/uploads").then().statusCode(204);
    assertThat(store.pendingUploads(S3Keys.source(id))).isEmpty();
    assertThat(start(token, id, 1000).getString("uploadId")).isNotEqualTo(first);
  }

  @Test
  void sizes_beyond_the_limit_and_strangers_are_refused() {
    String token = ApiTestClient.signUp();
    String id = video(token);
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("sizeBytes", 1L << 40))
        .post("/api/v1/videos/" + id + "/uploads")
        .then()
        .statusCode(413)
        .body("code", equalTo("payload_too_large"));
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .contentType(ContentType.JSON)
        .body(Map.of("sizeBytes", 10))
        .post("/api/v1/videos/" + id + "/uploads")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("sizeBytes", 0))
        .post("/api/v1/videos/" + id + "/uploads")
        .then()
        .statusCode(400)
        .body("code", equalTo("validation_failed"));
  }

  @Test
  void a_short_last_part_that_does_not_match_the_announced_size_is_caught() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    JsonPath upload = start(token, id, 5000);
    String etag = put(upload.getString("parts[0].url"), new byte[4000]);
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("parts", List.of(Map.of("partNumber", 1, "etag", etag))))
        .post("/api/v1/videos/" + id + "/uploads/complete")
        .then()
        .statusCode(400)
        .body("code", equalTo("size_mismatch"));
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("awaiting_upload"));
    assertThat(store.head(S3Keys.source(id))).isEmpty();
  }

  @Test
  void uploads_abandoned_longer_than_the_limit_are_aborted_by_the_cleanup() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    start(token, id, 1000);
    try (var c = CapstanTestServices.services.database().connect();
        var s =
            c.prepareStatement(
                "update videos set upload_started_at = now(6) - interval 2 day where id = ?")) {
      s.setString(1, id);
      s.executeUpdate();
    }
    uploads.abortAbandoned();
    assertThat(store.pendingUploads(S3Keys.source(id))).isEmpty();
    given().auth().oauth2(token).get("/api/v1/videos/" + id + "/uploads").then().statusCode(404);
    assertThat(start(token, id, 1000).getInt("partCount")).isEqualTo(1);
  }
}
