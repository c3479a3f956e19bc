package dev.capstan.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import dev.capstan.api.webhook.service.WebhookSignature;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.devtools.media.SampleClips;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged API instances on one database and one Redis, as behind a load balancer; and the
 * webhook outbox across an outage of every API instance. The caches are given TTLs of minutes here,
 * so a change seen within seconds on the other instance can only come from its invalidation.
 */
class ScaleOutSystemIT {
  /** Far below every TTL configured below. */
  private static final Duration AT_ONCE = Duration.ofSeconds(5);

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  record Received(Map<String, String> headers, String body) {}

  static Path root;
  static TestServices services;
  static Map<String, String> env;
  static HttpServer receiver;
  static final List<Received> received = new CopyOnWriteArrayList<>();
  ServiceProcess a;
  ServiceProcess b;
  ServiceProcess worker;

  @BeforeAll
  static void startTheServices() throws Exception {
    root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    services = TestServices.start("scaleout");
    env = new HashMap<>(services.environment());
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    env.put("CAPSTAN_CACHE_VIDEO_TTL", "PT10M");
    env.put("CAPSTAN_CACHE_VIDEO_NEAR_TTL", "PT10M");
    env.put("CAPSTAN_CACHE_SESSION_TTL", "PT10M");
    env.put("CAPSTAN_CACHE_SESSION_NEAR_TTL", "PT10M");
    env.put("CAPSTAN_CACHE_SHARE_TTL", "PT10M");
    env.put("CAPSTAN_CACHE_SHARE_NEAR_TTL", "PT10M");
    env.put("CAPSTAN_WEBHOOKS_ENCRYPTION_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    env.put("CAPSTAN_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true");
    env.put("CAPSTAN_WEBHOOKS_SEND_EVERY", "PT0.5S");
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          Map<String, String> headers = new HashMap<>();
          exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          received.add(new Received(headers, body));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterAll
  static void stopTheServices() throws Exception {
    if (receiver != null) {
      receiver.stop(0);
    }
    if (services != null) {
      services.close();
    }
  }

  @AfterEach
  void stopTheProcesses() {
    for (ServiceProcess p : new ServiceProcess[] {a, b, worker}) {
      if (p != null) {
        p.close();
      }
    }
  }

  @Test
  void a_rename_a_revocation_a_logout_and_a_delete_on_one_instance_reach_the_other_at_once()
      throws Exception {
    a = ServiceProcess.start("scaleout-api-a", jar("api-service"), env, logs());
    b = ServiceProcess.start("scaleout-api-b", jar("api-service"), env, logs());
    String token = signUp(a);
    String id = create(a, token, "before");
    String code =
        as(a, token)
            .contentType(ContentType.JSON)
            .body(Map.of())
            .post("/api/v1/videos/" + id + "/shares")
            .then()
            .statusCode(201)
            .extract()
            .path("code");
    // B has the video, the link and the session in its caches (and Redis has them too).
    as(b, token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("title", equalTo("before"));
    given().baseUri(b.baseUrl()).get("/api/v1/public/shares/" + code).then().statusCode(200);
    JsonPath cached = publicShare(b, code);

    as(a, token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "after"))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200);

    await()
        .atMost(AT_ONCE)
        .untilAsserted(
            () ->
                as(b, token)
                    .get("/api/v1/videos/" + id)
                    .then()
                    .statusCode(200)
                    .body("title", equalTo("after")));
    await()
        .atMost(AT_ONCE)
        .untilAsserted(
            () -> assertThat(publicShare(b, code).getString("title")).isEqualTo("after"));
    // Apart from the rename, what B serves from its caches is what A loads from the database.
    Map<String, Object> expected = new HashMap<>(cached.getMap(""));
    expected.put("title", "after");
    assertThat(publicShare(a, code).getMap("")).isEqualTo(expected);
    assertThat(publicShare(b, code).getMap("")).isEqualTo(expected);

    as(a, token).delete("/api/v1/shares/" + code).then().statusCode(204);
    await()
        .atMost(AT_ONCE)
        .untilAsserted(
            () ->
                given()
                    .baseUri(b.baseUrl())
                    .get("/api/v1/public/shares/" + code)
                    .then()
                    .statusCode(404));

    as(a, token).delete("/api/v1/videos/" + id).then().statusCode(204);
    await()
        .atMost(AT_ONCE)
        .untilAsserted(() -> as(b, token).get("/api/v1/videos/" + id).then().statusCode(404));

    as(a, token).post("/api/v1/auth/logout").then().statusCode(204);
    await()
        .atMost(AT_ONCE)
        .untilAsserted(
            () ->
                as(b, token)
                    .get("/api/v1/videos")
                    .then()
                    .statusCode(401)
                    .body("code", equalTo("invalid_token")));
  }

  @Test
  void a_video_that_becomes_ready_while_no_api_runs_is_delivered_once_an_api_starts()
      throws Exception {
    a = ServiceProcess.start("scaleout-api-outage", jar("api-service"), env, logs());
    String token = signUp(a);
    String secret =
        as(a, token)
            .contentType(ContentType.JSON)
            .body(Map.of("url", hookUrl(), "events", List.of("video.ready")))
            .post("/api/v1/webhooks")
            .then()
            .statusCode(201)
            .extract()
            .path("secret");
    String id = create(a, token, "during the outage");
    Path clip =
        SampleClips.generate(
            SampleClips.Spec.standard(1.0),
            Files.createTempDirectory("capstan-scaleout-").resolve("one.mp4"));
    as(a, token)
        .contentType("video/mp4")
        .body(Files.readAllBytes(clip))
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    a.close();
    a = null;

    // No API instance runs while the worker finishes the video.
    worker = ServiceProcess.start("scaleout-worker", jar("media-worker"), env, logs());
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "ready".equals(one("select status from videos where id = ?", id)));
    // Captured with the change: the video's ready event (and one per rendition, which this
    // webhook did not subscribe to).
    assertThat(
            one(
                "select count(*) from webhook_outbox where video_id = ? and event_type = ?",
                id,
                "video.ready"))
        .isEqualTo("1");
    assertThat(received).isEmpty();

    a = ServiceProcess.start("scaleout-api-after", jar("api-service"), env, logs());
    b = ServiceProcess.start("scaleout-api-after-b", jar("api-service"), env, logs());

    await().atMost(PATIENCE).until(() -> !received.isEmpty());
    Received r = received.get(0);
    assertThat(r.headers().get("capstan-event")).isEqualTo("video.ready");
    assertThat(WebhookSignature.verify(secret, r.headers().get("capstan-signature"), r.body()))
        .isTrue();
    JsonPath body = JsonPath.from(r.body());
    assertThat(body.getString("data.video.id")).isEqualTo(id);
    assertThat(body.getString("data.video.status")).isEqualTo("ready");
    assertThat(body.getString("data.video.title")).isEqualTo("during the outage");
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                "delivered"
                    .equals(
                        one(
                            "select d.status from webhook_deliveries d where d.event_key like ?",
                            "video.ready:" + id + ":%")));
    assertThat(one("select count(*) from webhook_outbox where video_id = ?", id)).isEqualTo("0");
    // Two instances were relaying and sending: still exactly one delivery, sent once.
    assertThat(received).hasSize(1);
  }

  // --- helpers -------------------------------------------------------------------------------

  private static JsonPath publicShare(ServiceProcess api, String code) {
    return given()
        .baseUri(api.baseUrl())
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static RequestSpecification as(ServiceProcess api, String token) {
    return given().baseUri(api.baseUrl()).auth().oauth2(token);
  }

  private static String signUp(ServiceProcess api) {
    return given()
        .baseUri(api.baseUrl())
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "email", "scale-" + UUID.randomUUID() + "@example.com",
                "password", "system test password",
                "name", "Scale"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }

  private static String create(ServiceProcess api, String token, String title) {
    return as(api, token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  private static String hookUrl() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  private static String one(String sql, Object... params) throws Exception {
    try (Connection c = services.database().connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static Path jar(String module) {
    return root.resolve(module + "/target/quarkus-app/quarkus-run.jar");
  }

  private static Path logs() throws IOException {
    return Files.createDirectories(root.resolve("system-tests/target/service-logs"));
  }
}
