package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.share.service.ShareLinkCache;
import dev.capstan.api.video.service.VideoCache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The hot reads (a video by id, a share link by code) answer the same from each tier: the database
 * (cold), this instance's memory, and Redis (as another instance would find it). Share views are
 * counted in Redis and reach the database in batches without being lost or counted twice.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class HotPathCacheIT {
  @Inject RedissonClient redisson;
  @Inject VideoCache videos;
  @Inject ShareLinkCache shares;

  @Test
  void a_ready_video_and_its_share_link_answer_the_same_cold_from_memory_and_from_redis()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "tiers");
    String code = ApiTestClient.share(token, id, Map.of());
    finishAsAWorkerWould(id);

    Map<String, Object> cold = comparable(ownerView(token, id));
    Map<String, Object> fromMemory = comparable(ownerView(token, id));
    Map<String, Object> fromRedis =
        comparable(afterForgetting("video", id, videos::loads, () -> ownerView(token, id)));
    assertThat(cold.get("status")).isEqualTo("ready");
    assertThat(cold.get("playback")).asString().contains("download.mp4");
    assertThat(fromMemory).isEqualTo(cold);
    assertThat(fromRedis).isEqualTo(cold);

    Map<String, Object> shareCold = comparable(publicView(code));
    Map<String, Object> shareFromMemory = comparable(publicView(code));
    Map<String, Object> shareFromRedis =
        comparable(afterForgetting("share", code, shares::loads, () -> publicView(code)));
    assertThat(shareCold.get("title")).isEqualTo("tiers");
    assertThat(shareCold.get("ownerName")).isNotNull();
    assertThat(shareCold.get("posterUrl")).asString().contains("thumb.jpg");
    assertThat(shareFromMemory).isEqualTo(shareCold);
    assertThat(shareFromRedis).isEqualTo(shareCold);
  }

  @Test
  void a_revoked_link_is_gone_at_once_and_stays_gone() {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "revoked");
    String code = ApiTestClient.share(token, id, Map.of());
    given().get("/api/v1/public/shares/" + code).then().statusCode(200);

    given().auth().oauth2(token).delete("/api/v1/shares/" + code).then().statusCode(204);

    given().get("/api/v1/public/shares/" + code).then().statusCode(404);
    given().get("/s/" + code).then().statusCode(404);
  }

  @Test
  void views_counted_in_redis_reach_the_database_once_and_the_owner_sees_them_at_once()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "viewed");
    String code = ApiTestClient.share(token, id, Map.of());
    for (int i = 0; i < 5; i++) {
      given().get("/api/v1/public/shares/" + code).then().statusCode(200);
    }

    // Counted asynchronously: visible to the owner as soon as Redis has them...
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(listedViews(token, code)).isEqualTo(5));
    // ...in the database after a flush, and not counted twice on the way.
    await().atMost(Duration.ofSeconds(15)).until(() -> storedViews(code) == 5);
    assertThat(listedViews(token, code)).isEqualTo(5);
    given().get("/api/v1/public/shares/" + code).then().statusCode(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> storedViews(code) == 6);
    assertThat(listedViews(token, code)).isEqualTo(6);
  }

  // --- helpers -------------------------------------------------------------------------------

  private static Map<String, Object> ownerView(String token, String id) {
    return given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getMap("");
  }

  private static Map<String, Object> publicView(String code) {
    return given()
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getMap("");
  }

  /** The answer with presigned URLs cut at their query (the signature's time differs per call). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> comparable(Map<String, Object> answer) {
    Map<String, Object> out = new LinkedHashMap<>();
    answer.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> m) {
            out.put(k, comparable((Map<String, Object>) m));
          } else if (v instanceof String s && s.startsWith("http") && s.contains("X-Amz-")) {
            out.put(k, s.substring(0, s.indexOf('?')));
          } else {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * What another instance's invalidation does to ours: memory forgets, Redis keeps. Returns the
   * first answer that had to go past memory (the message is applied asynchronously).
   */
  private Map<String, Object> afterForgetting(
      String cache, String key, LongSupplier loads, Supplier<Map<String, Object>> read) {
    long before = loads.getAsLong();
    redisson
        .getTopic(ns() + ":cache:invalidations", StringCodec.INSTANCE)
        .publish(cache + "|" + key);
    AtomicReference<Map<String, Object>> answer = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              answer.set(read.get());
              return loads.getAsLong() > before;
            });
    assertThat(redisson.getBucket(ns() + ":" + cache + ":" + key).isExists()).isTrue();
    return answer.get();
  }

  private void finishAsAWorkerWould(String id) throws Exception {
    String prefix = "videos/" + id + "/a1/";
    try (Connection c = CapstanTestServices.services.database().connect()) {
      for (String[] r :
          new String[][] {
            {"mp4", "720p", prefix + "mp4/download.mp4"},
            {"thumbnail", "poster", prefix + "thumb.jpg"},
            {"hls", "master", prefix + "hls/master.m3u8"}
          }) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO renditions (video_id, attempt, kind, name, s3_key, size_bytes,"
                    + " created_at) VALUES (?, 1, ?, ?, ?, 100, UTC_TIMESTAMP(6))")) {
          ps.setString(1, id);
          ps.setString(2, r[0]);
          ps.setString(3, r[1]);
          ps.setString(4, r[2]);
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE videos SET status = 'ready', output_prefix = ?, duration_seconds = 1.5,"
                  + " width = 320, height = 180, progress_percent = 100, progress_stage = 'done'"
                  + " WHERE id = ?")) {
        ps.setString(1, prefix);
        ps.setString(2, id);
        ps.executeUpdate();
      }
    }
  }

  private static long listedViews(String token, String code) {
    return given()
        .auth()
        .oauth2(token)
        .get("/api/v1/shares")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("items.find { it.code == '" + code + "' }.viewCount");
  }

  private static long storedViews(String code) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT view_count FROM share_links WHERE code = ?")) {
      ps.setString(1, code);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }

  private static String ns() {
    return CapstanTestServices.services.redisNamespace();
  }
}
