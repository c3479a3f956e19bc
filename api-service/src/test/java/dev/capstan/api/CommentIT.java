package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class CommentIT {

  private static String video(String token) {
    return ApiTestClient.createVideo(token, "talk");
  }

  private static String share(String token, String videoId, Map<String, Object> body) {
    return ApiTestClient.share(token, videoId, body);
  }

  private static String comment(String token, String videoId, String code, Map<String, Object> b) {
    var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(b);
    if (code != null) {
      request.header("X-Share-Code", code);
    }
    return request
        .post("/api/v1/videos/" + videoId + "/comments")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  @Test
  void owner_and_link_holders_comment_reply_and_react_and_everyone_reads_the_thread() {
    String owner = ApiTestClient.signUp();
    String viewer = ApiTestClient.signUp();
    String id = video(owner);
    String code = share(owner, id, Map.of());

    String first = comment(owner, id, null, Map.of("body", "Welcome!", "timestampSeconds", 1.5));
    comment(viewer, id, code, Map.of("body", "Thanks", "parentId", first));
    comment(viewer, id, code, Map.of("body", "👍", "type", "emoji"));

    JsonPath page =
        given()
            .get("/api/v1/public/shares/" + code + "/comments")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page.getList("items.body", String.class)).containsExactly("Welcome!", "👍");
    assertThat(page.getString("items[0].author.name")).isEqualTo("Test User");
    assertThat(page.getDouble("items[0].timestampSeconds")).isEqualTo(1.5);
    assertThat(page.getList("items[0].replies.body", String.class)).containsExactly("Thanks");
    assertThat(page.getString("items[1].type")).isEqualTo("emoji");

    given()
        .auth()
        .oauth2(owner)
        .get("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(200)
        .body("items", hasSize(2));
  }

  @Test
  void without_a_link_or_with_another_videos_link_a_stranger_sees_404() {
    String owner = ApiTestClient.signUp();
    String stranger = ApiTestClient.signUp();
    String id = video(owner);
    String otherCode = share(owner, video(owner), Map.of());
    given()
        .auth()
        .oauth2(stranger)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(stranger)
        .header("X-Share-Code", otherCode)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(404);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(401);
  }

  @Test
  void a_protected_link_needs_its_password_to_comment() {
    String owner = ApiTestClient.signUp();
    String viewer = ApiTestClient.signUp();
    String id = video(owner);
    String code = share(owner, id, Map.of("password", "letmein"));
    given()
        .auth()
        .oauth2(viewer)
        .header("X-Share-Code", code)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(401)
        .body("code", equalTo("share_password_required"));
    given()
        .auth()
        .oauth2(viewer)
        .header("X-Share-Code", code)
        .header("X-Share-Password", "letmein")
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(201);
  }

  @Test
  void authors_delete_their_own_comments_and_owners_moderate_theirs() {
    String owner = ApiTestClient.signUp();
    String viewer = ApiTestClient.signUp();
    String other = ApiTestClient.signUp();
    String id = video(owner);
    String code = share(owner, id, Map.of());
    String mine = comment(viewer, id, code, Map.of("body", "mine"));
    String rude = comment(other, id, code, Map.of("body", "rude"));
    given()
        .auth()
        .oauth2(viewer)
        .delete("/api/v1/videos/" + id + "/comments/" + rude)
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(viewer)
        .delete("/api/v1/videos/" + id + "/comments/" + mine)
        .then()
        .statusCode(204);
    given()
        .auth()
        .oauth2(owner)
        .delete("/api/v1/videos/" + id + "/comments/" + rude)
        .then()
        .statusCode(204);
    given().get("/api/v1/public/shares/" + code + "/comments").then().body("items", hasSize(0));
  }

  @Test
  void comments_page_oldest_first_and_bad_input_is_refused() {
    String owner = ApiTestClient.signUp();
    String id = video(owner);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      bodies.add("c" + i);
      comment(owner, id, null, Map.of("body", "c" + i));
    }
    JsonPath first =
        given()
            .auth()
            .oauth2(owner)
            .queryParam("limit", 3)
            .get("/api/v1/videos/" + id + "/comments")
            .then()
            .extract()
            .jsonPath();
    JsonPath second =
        given()
            .auth()
            .oauth2(owner)
            .queryParam("limit", 3)
            .queryParam("cursor", first.getString("nextCursor"))
            .get("/api/v1/videos/" + id + "/comments")
            .then()
            .extract()
            .jsonPath();
    List<String> seen = new ArrayList<>(first.getList("items.body", String.class));
    seen.addAll(second.getList("items.body", String.class));
    assertThat(seen).containsExactlyElementsOf(bodies);
    assertThat(second.getString("nextCursor")).isNull();

    given()
        .auth()
        .oauth2(owner)
        .contentType(ContentType.JSON)
        .body(Map.of("body", " "))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(400)
        .body("code", equalTo("validation_failed"));
    given()
        .auth()
        .oauth2(owner)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "x".repeat(5001)))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(400);
    given()
        .auth()
        .oauth2(owner)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi", "parentId", "0195f3a2-7c1e-7000-8000-000000000001"))
        .post("/api/v1/videos/" + id + "/comments")
        .then()
        .statusCode(404);
  }

  @Test
  void opening_a_share_link_counts_a_view() {
    String owner = ApiTestClient.signUp();
    String code = share(owner, video(owner), Map.of());
    given().get("/api/v1/public/shares/" + code).then().statusCode(200);
    given().get("/api/v1/public/shares/" + code).then().statusCode(200);
    // Views are counted after the answer is sent and gathered in batches: visible within moments.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(owner)
                    .get("/api/v1/shares")
                    .then()
                    .body("items.find { it.code == '" + code + "' }.viewCount", equalTo(2)));
  }
}
