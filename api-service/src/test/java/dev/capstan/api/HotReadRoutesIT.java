package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hot reads answered on the event loop from memory ({@code HotReadRoutes}) answer exactly what
 * the REST resources answer, and everything they must refuse still reaches the REST resources, even
 * while the video, the session or the link sit in this instance's memory.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class HotReadRoutesIT {
  @Inject MeterRegistry registry;

  @Test
  void a_video_in_memory_is_answered_from_memory_with_the_bytes_the_rest_resource_writes() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "hot <b>'quoted'</b> \"title\" ✓");

    double before = hotReads("video", "memory");
    Response cold = ownerGet(token, id);
    Response warm = ownerGet(token, id);
    Response warmAgain = ownerGet(token, id);

    assertThat(hotReads("video", "memory")).isEqualTo(before + 2);
    assertThat(warm.asByteArray()).isEqualTo(cold.asByteArray());
    assertThat(warmAgain.asByteArray()).isEqualTo(cold.asByteArray());
    assertThat(warm.contentType()).isEqualTo(cold.contentType()).startsWith("application/json");
    assertThat(warm.jsonPath().getString("title")).isEqualTo("hot <b>'quoted'</b> \"title\" ✓");
  }

  @Test
  void a_change_is_answered_at_once_not_the_json_rendered_before_it() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "before");
    ownerGet(token, id);
    ownerGet(token, id);

    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "after"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200);

    assertThat(ownerGet(token, id).jsonPath().getString("title")).isEqualTo("after");
    assertThat(ownerGet(token, id).jsonPath().getString("title")).isEqualTo("after");
  }

  @Test
  void another_user_an_unknown_token_and_no_token_are_refused_while_the_video_is_in_memory() {
    String owner = ApiTestClient.signUp();
    String other = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(owner, "private");
    ownerGet(owner, id);
    ownerGet(owner, id);
    // The other user's session is in memory too.
    given().auth().oauth2(other).get("/api/v1/videos").then().statusCode(200);

    given()
        .auth()
        .oauth2(other)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("code", equalTo("not_found"));
    given()
        .auth()
        .oauth2("cap_not-a-token")
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(401)
        .body("code", equalTo("invalid_token"));
    given()
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(401)
        .body("code", equalTo("unauthenticated"));
  }

  @Test
  void a_session_revoked_by_logout_is_refused_at_once_though_it_was_in_memory() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "mine");
    ownerGet(token, id);
    ownerGet(token, id);

    given().auth().oauth2(token).post("/api/v1/auth/logout").then().statusCode(204);

    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(401)
        .body("code", equalTo("invalid_token"));
  }

  @Test
  void a_share_link_in_memory_is_answered_from_memory_with_the_bytes_the_rest_resource_writes() {
    String token = ApiTestClient.signUp();
    String code =
        ApiTestClient.share(token, ApiTestClient.createVideo(token, "shared ✓"), Map.of());

    double before = hotReads("share", "memory");
    Response cold = publicGet(code);
    Response warm = publicGet(code);

    assertThat(hotReads("share", "memory")).isEqualTo(before + 1);
    assertThat(warm.asByteArray()).isEqualTo(cold.asByteArray());
    assertThat(warm.contentType()).isEqualTo(cold.contentType()).startsWith("application/json");
    assertThat(warm.jsonPath().getString("title")).isEqualTo("shared ✓");
  }

  @Test
  void a_protected_link_in_memory_still_needs_its_password() {
    String token = ApiTestClient.signUp();
    String code =
        ApiTestClient.share(
            token, ApiTestClient.createVideo(token, "secret"), Map.of("password", "open sesame"));
    for (int i = 0; i < 2; i++) {
      given()
          .header("X-Share-Password", "open sesame")
          .get("/api/v1/public/shares/" + code)
          .then()
          .statusCode(200);
    }

    given()
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(401)
        .body("code", equalTo("share_password_required"));
    given()
        .header("X-Share-Password", "wrong")
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(401)
        .body("code", equalTo("share_password_invalid"));
  }

  @Test
  void a_link_in_memory_is_refused_as_soon_as_it_expires() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "short lived");
    Instant expiresAt = Instant.now().plusSeconds(2);
    String code = ApiTestClient.share(token, id, Map.of("expiresAt", expiresAt.toString()));
    publicGet(code);
    publicGet(code);

    // Well before the link leaves memory (capstan.cache.share-near-ttl, 10 s).
    await()
        .atMost(Duration.ofSeconds(4))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                given()
                    .get("/api/v1/public/shares/" + code)
                    .then()
                    .statusCode(404)
                    .body("code", equalTo("not_found")));
    assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
  }

  @Test
  void a_revoked_link_in_memory_is_gone_at_once() {
    String token = ApiTestClient.signUp();
    String code = ApiTestClient.share(token, ApiTestClient.createVideo(token, "revoked"), Map.of());
    publicGet(code);
    publicGet(code);

    given().auth().oauth2(token).delete("/api/v1/shares/" + code).then().statusCode(204);

    given().get("/api/v1/public/shares/" + code).then().statusCode(404);
  }

  @Test
  void near_cache_hits_and_loads_are_published_as_metrics() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "metrics");
    ownerGet(token, id);
    ownerGet(token, id);

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern("capstan_cache_near_hits_total\\{cache=\"video\"[^}]*} [1-9]")
        .containsPattern("capstan_cache_near_loads_total\\{cache=\"video\"[^}]*} [1-9]")
        .containsPattern("capstan_cache_near_hits_total\\{cache=\"session\"[^}]*} [1-9]")
        .containsPattern("capstan_hot_reads_total\\{answered=\"memory\",read=\"video\"[^}]*} [1-9]")
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\","
                + "status=\"200\",uri=\"/api/v1/videos/{id}\"}");
  }

  private static Response ownerGet(String token, String id) {
    return given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .extract()
        .response();
  }

  private static Response publicGet(String code) {
    return given().get("/api/v1/public/shares/" + code).then().statusCode(200).extract().response();
  }

  private double hotReads(String read, String answered) {
    var counter =
        registry.find("capstan.hot.reads").tag("read", read).tag("answered", answered).counter();
    return counter == null ? 0 : counter.count();
  }
}
