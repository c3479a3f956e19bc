package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import dev.capstan.api.webhook.service.WebhookSignature;
import dev.capstan.model.event.WebhookEvents;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signed webhook deliveries to a real HTTP receiver on loopback, with retries and the log. */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class WebhookIT {
  record Received(Map<String, String> headers, String body) {}

  HttpServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger failuresToSimulate = new AtomicInteger();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          Map<String, String> headers = new java.util.HashMap<>();
          exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          received.add(new Received(headers, body));
          int status = failuresToSimulate.getAndDecrement() > 0 ? 503 : 204;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private String hookUrl() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  /** Writes the event into webhook_outbox as the worker's JobStore does, with the video's facts. */
  static void captureAsAWorkerWould(String videoId, String type, Instant at) throws Exception {
    try (Connection c = CapstanTestServices.services.database().connect()) {
      String userId;
      String title;
      try (PreparedStatement q =
          c.prepareStatement("SELECT user_id, title, status FROM videos WHERE id = ?")) {
        q.setString(1, videoId);
        try (ResultSet rs = q.executeQuery()) {
          assertThat(rs.next()).isTrue();
          userId = rs.getString(1);
          title = rs.getString(2);
        }
      }
      String key = WebhookEvents.key(type, videoId, at);
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO webhook_outbox (user_id, video_id, event_key, event_type, payload,"
                  + " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))")) {
        ins.setString(1, userId);
        ins.setString(2, videoId);
        ins.setString(3, key);
        ins.setString(4, type);
        ins.setString(
            5,
            WebhookEvents.payload(
                key,
                type,
                at,
                WebhookEvents.videoFacts(videoId, title, "ready", 1.0, 320, 180, null, null)));
        ins.executeUpdate();
      }
    }
  }

  private static String video(String token) {
    return ApiTestClient.createVideo(token, "hooked");
  }

  @Test
  void a_ready_video_captured_by_a_worker_is_delivered_once_signed_and_logged() throws Exception {
    String token = ApiTestClient.signUp();
    JsonPath hook =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("url", hookUrl(), "events", List.of("video.ready", "video.failed")))
            .post("/api/v1/webhooks")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    String secret = hook.getString("secret");
    assertThat(secret).startsWith("whsec_");
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/webhooks")
        .then()
        .body("[0].secret", org.hamcrest.Matchers.nullValue());

    String id = video(token);
    // The event as a worker captures it, twice (say, relayed by two instances): one delivery.
    Instant at = Instant.now();
    captureAsAWorkerWould(id, "video.ready", at);
    captureAsAWorkerWould(id, "video.ready", at);

    await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= 1);
    Received r = received.get(0);
    assertThat(r.headers().get("capstan-event")).isEqualTo("video.ready");
    assertThat(r.headers().get("idempotency-key")).startsWith("video.ready:" + id);
    assertThat(WebhookSignature.verify(secret, r.headers().get("capstan-signature"), r.body()))
        .isTrue();
    assertThat(
            WebhookSignature.verify("whsec_wrong", r.headers().get("capstan-signature"), r.body()))
        .isFalse();
    JsonPath body = JsonPath.from(r.body());
    assertThat(body.getString("type")).isEqualTo("video.ready");
    assertThat(body.getString("data.video.id")).isEqualTo(id);
    assertThat(body.getString("data.video.title")).isEqualTo("hooked");

    String hookId = hook.getString("id");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(token)
                    .get("/api/v1/webhooks/" + hookId + "/deliveries")
                    .then()
                    .body("items.size()", equalTo(1))
                    .body("items[0].status", equalTo("delivered"))
                    .body("items[0].lastStatusCode", equalTo(204)));
    assertThat(received).hasSize(1);
  }

  @Test
  void a_failing_receiver_gets_retries_and_a_delivery_can_be_replayed() {
    failuresToSimulate.set(2);
    String token = ApiTestClient.signUp();
    String hookId =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("url", hookUrl(), "events", List.of("video.deleted")))
            .post("/api/v1/webhooks")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    String id = video(token);
    given().auth().oauth2(token).delete("/api/v1/videos/" + id).then().statusCode(204);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(token)
                    .get("/api/v1/webhooks/" + hookId + "/deliveries")
                    .then()
                    .body("items[0].status", equalTo("delivered"))
                    .body("items[0].attempts", equalTo(3)));
    assertThat(received).hasSize(3);
    assertThat(received)
        .extracting(x -> x.headers().get("capstan-delivery"))
        .containsOnly(received.get(0).headers().get("capstan-delivery"));
    assertThat(JsonPath.from(received.get(0).body()).getString("data.video.id")).isEqualTo(id);

    String deliveryId =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/webhooks/" + hookId + "/deliveries")
            .then()
            .extract()
            .path("items[0].id");
    given()
        .auth()
        .oauth2(token)
        .post("/api/v1/webhooks/" + hookId + "/deliveries/" + deliveryId + "/redeliver")
        .then()
        .statusCode(200)
        .body("status", equalTo("pending"));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
  }

  @Test
  void bad_urls_unknown_events_and_strangers_are_refused() {
    String token = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("url", "ftp://example.com/x", "events", List.of("video.ready")))
        .post("/api/v1/webhooks")
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid_webhook_url"));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("url", hookUrl(), "events", List.of("video.exploded")))
        .post("/api/v1/webhooks")
        .then()
        .statusCode(400)
        .body("code", equalTo("unknown_event"));
    String hookId =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("url", hookUrl(), "events", List.of("video.ready")))
            .post("/api/v1/webhooks")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    String stranger = ApiTestClient.signUp();
    given()
        .auth()
        .oauth2(stranger)
        .get("/api/v1/webhooks/" + hookId + "/deliveries")
        .then()
        .statusCode(404);
    given().auth().oauth2(stranger).delete("/api/v1/webhooks/" + hookId).then().statusCode(404);
  }
}
