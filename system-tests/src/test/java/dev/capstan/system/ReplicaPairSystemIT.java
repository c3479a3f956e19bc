package dev.capstan.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.fixtures.ReplicationPair;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged API instances on one live primary + replica pair (deploy/mysql/local-replication.sh)
 * and one Redis: what a user writes through one instance, the other shows on the very next request
 * — the metadata cache is shared and evicted, and the writer's reads are pinned to the primary on
 * every instance.
 */
class ReplicaPairSystemIT {
  static ReplicationPair pair;
  static TestServices services;
  static ServiceProcess a;
  static ServiceProcess b;

  @BeforeAll
  static void startTwoApisOnAReplicatedDatabase() throws Exception {
    Path root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    pair = ReplicationPair.start();
    System.setProperty("dev.capstan.test.db.url", pair.primaryUrl(""));
    System.setProperty("dev.capstan.test.db.user", "root");
    System.setProperty("dev.capstan.test.db.password", "");
    try {
      services = TestServices.start("replica_system");
    } finally {
      System.clearProperty("dev.capstan.test.db.url");
      System.clearProperty("dev.capstan.test.db.user");
      System.clearProperty("dev.capstan.test.db.password");
    }
    Map<String, String> env = new HashMap<>(services.environment());
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    env.put("QUARKUS_DATASOURCE_REPLICA_JDBC_URL", pair.replicaUrl(services.database().name()));
    env.put("QUARKUS_DATASOURCE_REPLICA_USERNAME", "root");
    env.put("QUARKUS_DATASOURCE_REPLICA_PASSWORD", "");
    Path jar = root.resolve("api-service/target/quarkus-app/quarkus-run.jar");
    Path logs = root.resolve("system-tests/target/service-logs");
    a = ServiceProcess.start("api-a", jar, env, logs);
    b = ServiceProcess.start("api-b", jar, env, logs);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (ServiceProcess p : new ServiceProcess[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    try {
      if (services != null) {
        services.close();
      }
    } finally {
      if (pair != null) {
        pair.close();
      }
    }
  }

  @Test
  void a_rename_through_one_instance_shows_on_the_next_request_to_the_other() {
    for (ServiceProcess api : new ServiceProcess[] {a, b}) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "up"
                      .equals(
                          given()
                              .baseUri(api.baseUrl())
                              .get("/q/health/ready")
                              .then()
                              .extract()
                              .path("checks.find { it.name == 'database-replica' }.data.state")));
    }
    String token = signUp();
    String id =
        given()
            .baseUri(a.baseUrl())
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of("title", "first name"))
            .post("/api/v1/videos")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    // B caches the video.
    assertThat(title(b, token, id)).isEqualTo("first name");
    assertThat(title(b, token, id)).isEqualTo("first name");

    for (int i = 1; i <= 5; i++) {
      String name = "name " + i;
      given()
          .baseUri(a.baseUrl())
          .auth()
          .oauth2(token)
          .contentType(ContentType.JSON)
          .body(Map.of("title", name))
          .patch("/api/v1/videos/" + id)
          .then()
          .statusCode(200);
      assertThat(title(b, token, id)).as("GET on the other instance").isEqualTo(name);
      JsonPath list =
          given()
              .baseUri(b.baseUrl())
              .auth()
              .oauth2(token)
              .get("/api/v1/videos")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      assertThat(list.getList("items.title", String.class))
          .as("listing on the other instance")
          .containsExactly(name);
    }
  }

  private static String title(ServiceProcess api, String token, String id) {
    return given()
        .baseUri(api.baseUrl())
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .extract()
        .path("title");
  }

  private static String signUp() {
    return given()
        .baseUri(a.baseUrl())
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "email", "pair-" + UUID.randomUUID() + "@example.com",
                "password", "system test password",
                "name", "Pair"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }
}
