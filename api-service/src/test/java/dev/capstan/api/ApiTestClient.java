package dev.capstan.api;

import static io.restassured.RestAssured.given;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEvents;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** What most tests do first: sign up a fresh user and get their token. */
final class ApiTestClient {
  private ApiTestClient() {}

  static String signUp() {
    return signUp("user-" + UUID.randomUUID() + "@example.com");
  }

  static String signUp(String email) {
    return given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "correct horse battery", "name", "Test User"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }

  /** Creates a video (awaiting its upload) and answers its id. */
  static String createVideo(String token, String title) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  /** Shares a video ({@code body}: expiresAt, password) and answers the link's code. */
  static String share(String token, String videoId, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/videos/" + videoId + "/shares")
        .then()
        .statusCode(201)
        .extract()
        .path("code");
  }

  /** Publishes a video event on the test namespace's channel, as a media worker does. */
  static void publishAsAWorkerWould(RedissonClient redisson, VideoEvent event) {
    redisson
        .getTopic(
            VideoEvents.channel(CapstanTestServices.services.redisNamespace()),
            StringCodec.INSTANCE)
        .publish(VideoEvents.encode(event));
  }
}
