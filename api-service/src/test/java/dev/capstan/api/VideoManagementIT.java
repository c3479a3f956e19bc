package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class VideoManagementIT {
  @Inject ObjectStore store;

  private static String create(String token, String title) {
    return ApiTestClient.createVideo(token, title);
  }

  @Test
  void listing_pages_through_my_videos_newest_first_without_gaps_or_repeats() {
    String token = ApiTestClient.signUp();
    String other = ApiTestClient.signUp();
    create(other, "not mine");
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      created.add(create(token, "video " + i));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      var request = given().auth().oauth2(token).queryParam("limit", 3);
      if (cursor != null) {
        request.queryParam("cursor", cursor);
      }
      JsonPath page = request.get("/api/v1/videos").then().statusCode(200).extract().jsonPath();
      seen.addAll(page.getList("items.id", String.class));
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(created.reversed());
  }

  @Test
  void bad_cursor_and_limit_are_clear_400s() {
    String token = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(token)
        .queryParam("cursor", "!!not-ours")
        .get("/api/v1/videos")
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid_cursor"));
    given()
        .auth()
        .oauth2(token)
        .queryParam("limit", 1000)
        .get("/api/v1/videos")
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid_limit"));
  }

  @Test
  void patch_changes_only_the_given_fields() {
    String token = ApiTestClient.signUp();
    String id = create(token, "before");
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("description", "about it"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("title", equalTo("before"))
        .body("description", equalTo("about it"));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "after"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("title", equalTo("after"))
        .body("description", equalTo("about it"));
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .contentType(ContentType.JSON)
        .body(Map.of("title", "hijack"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(404);
  }

  @Test
  void hostile_titles_are_stored_and_returned_verbatim() {
    String token = ApiTestClient.signUp();
    String hostile = "<script>alert(1)</script>'; DROP TABLE videos; -- ../../etc/passwd 🎬";
    String id = create(token, hostile);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("title", equalTo(hostile));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "x".repeat(10_000)))
        .post("/api/v1/videos")
        .then()
        .statusCode(400)
        .body("code", equalTo("validation_failed"));
  }

  @Test
  void delete_removes_the_video_at_once_and_its_objects_soon_after() throws Exception {
    String token = ApiTestClient.signUp();
    String id = create(token, "to delete");
    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(new byte[] {0, 0, 0, 24})
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    store.putStream(
        S3Keys.downloadMp4(S3Keys.attemptPrefix(id, 1)),
        new ByteArrayInputStream(new byte[] {1}),
        "video/mp4");

    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .delete("/api/v1/videos/" + id)
        .then()
        .statusCode(404);
    given().auth().oauth2(token).delete("/api/v1/videos/" + id).then().statusCode(204);
    given().auth().oauth2(token).get("/api/v1/videos/" + id).then().statusCode(404);
    assertThat(count("select count(*) from jobs where video_id = ?", id)).isZero();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(store.head(S3Keys.source(id))).isEmpty();
              assertThat(store.head(S3Keys.downloadMp4(S3Keys.attemptPrefix(id, 1)))).isEmpty();
            });
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos")
        .then()
        .body("items.find { it.id == '" + id + "' }", nullValue());
  }

  private static long count(String sql, String id) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void invalid_utf8_is_a_clear_400_and_filenames_never_reach_storage_keys() throws Exception {
    String token = ApiTestClient.signUp();
    byte[] broken = "{\"title\":\"\u00ff\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    broken[10] = (byte) 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
    broken[11] = (byte) 0x41;
    given()
        .auth()
        .oauth2(token)
        .contentType("application/json")
        .body(broken)
        .post("/api/v1/videos")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");

    java.nio.file.Path file = java.nio.file.Files.createTempFile("upload", ".mp4");
    java.nio.file.Files.write(file, new byte[] {0, 0, 0, 24, 1, 2, 3});
    String id =
        given()
            .auth()
            .oauth2(token)
            .multiPart(
                "file", "../../etc/passwd", java.nio.file.Files.readAllBytes(file), "video/mp4")
            .post("/api/v1/videos")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertThat(store.head(S3Keys.source(id))).isPresent();
    assertThat(store.head("etc/passwd")).isEmpty();
    assertThat(store.head("videos/etc/passwd")).isEmpty();
  }
}
