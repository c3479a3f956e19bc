package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class ShareLinkIT {

  private static String video(String token, String title) {
    return ApiTestClient.createVideo(token, title);
  }

  private static String share(String token, String videoId, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/videos/" + videoId + "/shares")
        .then()
        .statusCode(201)
        .body("code", matchesPattern("[A-Za-z0-9_-]{16}"))
        .body("url", matchesPattern(".*/s/[A-Za-z0-9_-]{16}"))
        .extract()
        .path("code");
  }

  @Test
  void anyone_with_the_link_sees_the_public_facts_without_signing_in() {
    String token = ApiTestClient.signUp();
    String id = video(token, "Shared talk");
    String code = share(token, id, Map.of());
    given()
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .body("code", equalTo(code))
        .body("title", equalTo("Shared talk"))
        .body("ownerName", equalTo("Test User"))
        .body("status", equalTo("awaiting_upload"));
  }

  @Test
  void codes_are_unique_and_unguessable_looking() {
    String token = ApiTestClient.signUp();
    String id = video(token, "many links");
    Set<String> codes = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      codes.add(share(token, id, Map.of()));
    }
    assertThat(codes).hasSize(20);
  }

  @Test
  void password_protected_link_needs_the_right_password() {
    String token = ApiTestClient.signUp();
    String code = share(token, video(token, "secret"), Map.of("password", "open sesame"));
    given()
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("code", equalTo("share_password_required"));
    given()
        .header("X-Share-Password", "wrong")
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(401)
        .body("code", equalTo("share_password_invalid"));
    given()
        .header("X-Share-Password", "open sesame")
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .body("title", equalTo("secret"));
  }

  @Test
  void unknown_revoked_and_expired_links_are_all_the_same_404() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, "short lived");
    String expiring =
        share(token, id, Map.of("expiresAt", Instant.now().plusSeconds(2).toString()));
    String revoked = share(token, id, Map.of());
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .delete("/api/v1/shares/" + revoked)
        .then()
        .statusCode(404);
    given().auth().oauth2(token).delete("/api/v1/shares/" + revoked).then().statusCode(204);

    given()
        .get("/api/v1/public/shares/" + revoked)
        .then()
        .statusCode(404)
        .body("code", equalTo("not_found"));
    given().get("/api/v1/public/shares/AAAAAAAAAAAAAAAA").then().statusCode(404);
    given().get("/api/v1/public/shares/..%2F..%2Fetc").then().statusCode(404);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () -> given().get("/api/v1/public/shares/" + expiring).then().statusCode(404));
  }

  @Test
  void expiry_in_the_past_is_refused() {
    String token = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("expiresAt", "2020-01-01T00:00:00Z"))
        .post("/api/v1/videos/" + video(token, "x") + "/shares")
        .then()
        .statusCode(400)
        .body("code", equalTo("validation_failed"));
  }

  @Test
  void only_the_owner_can_share_and_list_shows_only_mine() {
    String owner = ApiTestClient.signUp();
    String stranger = ApiTestClient.signUp();
    String id = video(owner, "mine");
    given()
        .auth()
        .oauth2(stranger)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/api/v1/videos/" + id + "/shares")
        .then()
        .statusCode(404);
    String code = share(owner, id, Map.of());
    given()
        .auth()
        .oauth2(owner)
        .get("/api/v1/shares")
        .then()
        .statusCode(200)
        .body("items.code", org.hamcrest.Matchers.hasItem(code))
        .body("items[0].videoTitle", equalTo("mine"));
    given()
        .auth()
        .oauth2(stranger)
        .get("/api/v1/shares")
        .then()
        .statusCode(200)
        .body("items", org.hamcrest.Matchers.empty());
  }
}
