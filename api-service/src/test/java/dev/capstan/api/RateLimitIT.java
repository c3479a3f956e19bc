package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-user limits (the test profile allows 12 comments a minute). */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class RateLimitIT {

  @Test
  void the_call_past_the_limit_gets_429_with_retry_after_and_other_users_are_unaffected() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "busy");
    for (int i = 0; i < 12; i++) {
      given()
          .auth()
          .oauth2(token)
          .contentType(ContentType.JSON)
          .body(Map.of("body", "c" + i))
          .post("/api/v1/videos/" + id + "/comments")
          .then()
          .statusCode(201);
    }
    Response refused =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("body", "one too many"))
            .post("/api/v1/videos/" + id + "/comments");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.jsonPath().getString("code")).isEqualTo("rate_limited");
    assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);

    // Reading is not limited, and another user has their own budget.
    given().auth().oauth2(token).get("/api/v1/videos/" + id + "/comments").then().statusCode(200);
    String other = ApiTestClient.signUp();
    String otherVideo = ApiTestClient.createVideo(other, "calm");
    given()
        .auth()
        .oauth2(other)
        .contentType(ContentType.JSON)
        .body(Map.of("body", "hi"))
        .post("/api/v1/videos/" + otherVideo + "/comments")
        .then()
        .statusCode(201);
  }
}
