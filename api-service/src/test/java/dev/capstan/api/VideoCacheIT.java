package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.model.event.VideoEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** The video:{id} metadata cache: served from Redis, evicted by writes and by video events. */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class VideoCacheIT {
  @Inject RedissonClient redisson;

  private static void setStatusBehindTheApisBack(String id, String status) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s = c.prepareStatement("update videos set status = ? where id = ?")) {
      s.setString(1, status);
      s.setString(2, id);
      s.executeUpdate();
    }
  }

  private String cacheKey(String id) {
    return CapstanTestServices.services.redisNamespace() + ":video:" + id;
  }

  @Test
  void reads_come_from_the_cache_until_an_event_or_a_write_evicts_it() throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "cached");
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("awaiting_upload"));
    org.assertj.core.api.Assertions.assertThat(
            redisson.getBucket(cacheKey(id), StringCodec.INSTANCE).isExists())
        .isTrue();

    // A change nobody announced is not seen while the entry lives...
    setStatusBehindTheApisBack(id, "processing");
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("status", equalTo("awaiting_upload"));

    // ...a worker's event evicts it on every instance...
    ApiTestClient.publishAsAWorkerWould(
        redisson, VideoEvent.progress(id, 20, "transcoding", null, Instant.now()));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(token)
                    .get("/api/v1/videos/" + id)
                    .then()
                    .body("status", equalTo("processing")));

    // ...and the API's own writes evict it at once (read-your-writes).
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "renamed"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .body("title", equalTo("renamed"));
  }

  @Test
  void a_cached_video_is_still_404_for_anyone_but_its_owner() {
    String owner = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(owner, "mine");
    given().auth().oauth2(owner).get("/api/v1/videos/" + id).then().statusCode(200);
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(404);
  }
}
