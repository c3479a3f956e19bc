package dev.capstan.api.db;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Replica routing on a live pair started by deploy/mysql/local-replication.sh. Which server served
 * a read is told by the data itself: a title changed on the replica alone (outside its binary log)
 * shows only in answers read from the replica, and the primary's title only in answers read from
 * the primary.
 */
@QuarkusTest
@TestProfile(ReplicaProfile.class)
class ReplicaRoutingIT {
  @Inject RedissonClient redisson;

  @ConfigProperty(name = "capstan.redis.namespace")
  String namespace;

  record User(String token, String id) {}

  @Test
  void lag_tolerant_reads_come_from_the_replica_and_writes_go_to_the_primary() throws Exception {
    User u = signUp();
    String id = createVideo(u, "on the primary");
    awaitOnReplica("SELECT COUNT(*) FROM videos WHERE id = ?", id);
    awaitReplicaState("up");
    unpin(u);

    setTitleOnReplicaOnly(id, "only on the replica");
    try {
      assertThat(listTitles(u)).containsExactly("only on the replica");
      // The owner's GET fills the shared metadata cache, so it always reads the primary.
      String title =
          given()
              .auth()
              .oauth2(u.token)
              .get("/api/v1/videos/" + id)
              .then()
              .statusCode(200)
              .extract()
              .path("title");
      assertThat(title).isEqualTo("on the primary");
    } finally {
      setTitleOnReplicaOnly(id, "on the primary");
    }

    rename(u, id, "renamed");
    assertThat(onPrimary("SELECT title FROM videos WHERE id = ?", id)).isEqualTo("renamed");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "renamed".equals(onReplica("SELECT title FROM videos WHERE id = ?", id)));

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .contains("agroal_active_count{datasource=\"replica\"")
        .contains("agroal_active_count{datasource=\"default\"")
        .contains("capstan_db_replica_lag_seconds")
        .contains("capstan_db_replica_usable 1.0");
  }

  @Test
  void a_writer_reads_their_own_writes_while_replication_is_delayed() throws Exception {
    User u = signUp();
    String id = createVideo(u, "before");
    awaitOnReplica("SELECT COUNT(*) FROM videos WHERE id = ?", id);
    awaitReplicaState("up");

    ReplicaTestServices.pair.onReplica("STOP SLAVE SQL_THREAD");
    try {
      rename(u, id, "after");
      assertThat(onPrimary("SELECT title FROM videos WHERE id = ?", id)).isEqualTo("after");
      assertThat(onReplica("SELECT title FROM videos WHERE id = ?", id)).isEqualTo("before");
      // The writer is pinned to the primary and sees the rename ...
      assertThat(listTitles(u)).containsExactly("after");
      // ... while a read that is not pinned gets the replica's stale copy: the delay is real.
      unpin(u);
      assertThat(listTitles(u)).containsExactly("before");

      // A link created now exists on the primary only: the replica's "not found" is rechecked.
      String code = share(u, id);
      given().get("/api/v1/public/shares/" + code).then().statusCode(200);
      given().get("/api/v1/public/shares/" + code + "/comments").then().statusCode(200);

      // Past the lag bound every read uses the primary; readiness says degraded, still UP.
      awaitReplicaState("lagging");
      JsonPath ready = readiness();
      assertThat(ready.getString("status")).isEqualTo("UP");
      assertThat(ready.getBoolean("checks.find { it.name == 'database-replica' }.data.degraded"))
          .isTrue();
      unpin(u);
      assertThat(listTitles(u)).containsExactly("after");
    } finally {
      ReplicaTestServices.pair.onReplica("START SLAVE SQL_THREAD");
    }
    awaitReplicaState("up");
    assertThat(onReplica("SELECT title FROM videos WHERE id = ?", id)).isEqualTo("after");
  }

  @Test
  void reads_survive_the_replica_stopping_under_load_and_return_to_it_when_it_is_back()
      throws Exception {
    User u = signUp();
    String id = createVideo(u, "steady");
    String code = share(u, id);
    awaitOnReplica("SELECT COUNT(*) FROM share_links WHERE code = ?", code);
    awaitReplicaState("up");
    unpin(u);
    setTitleOnReplicaOnly(id, "steady, says the replica");
    try {
      assertThat(listTitles(u)).containsExactly("steady, says the replica");

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger requests = new AtomicInteger();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService load = Executors.newFixedThreadPool(4);
      for (int i = 0; i < 4; i++) {
        boolean publicPage = i % 2 == 1;
        load.submit(
            () -> {
              while (running.get()) {
                int status =
                    publicPage
                        ? given().get("/api/v1/public/shares/" + code + "/comments").statusCode()
                        : given().auth().oauth2(u.token).get("/api/v1/videos").statusCode();
                requests.incrementAndGet();
                if (status != 200) {
                  failures.add(String.valueOf(status));
                }
              }
            });
      }
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > 40);
        ReplicaTestServices.pair.stopReplica();
        awaitReplicaState("down");
        int afterStop = requests.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.get() > afterStop + 40);
        assertThat(readiness().getString("status")).isEqualTo("UP");
        assertThat(listTitles(u)).containsExactly("steady");
      } finally {
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      }
      System.out.printf(
          "replica stopped under load: %d requests, %d failed%n", requests.get(), failures.size());
      assertThat(failures).as("failed requests").isEmpty();

      ReplicaTestServices.pair.startAgain();
      awaitReplicaState("up");
      assertThat(listTitles(u)).containsExactly("steady, says the replica");
    } finally {
      if (!ReplicaTestServices.pair.replicaRunning()) {
        ReplicaTestServices.pair.startAgain();
      }
      setTitleOnReplicaOnly(id, "steady");
    }
  }

  private static User signUp() {
    JsonPath body =
        given()
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "email", "replica-" + UUID.randomUUID() + "@example.com",
                    "password", "correct horse battery",
                    "name", "Replica Reader"))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new User(body.getString("token"), body.getString("user.id"));
  }

  private static String createVideo(User u, String title) {
    return given()
        .auth()
        .oauth2(u.token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  private static void rename(User u, String id, String title) {
    given()
        .auth()
        .oauth2(u.token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .patch("/api/v1/videos/" + id)
        .then()
        .statusCode(200);
  }

  private static String share(User u, String id) {
    return given()
        .auth()
        .oauth2(u.token)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/api/v1/videos/" + id + "/shares")
        .then()
        .statusCode(201)
        .extract()
        .path("code");
  }

  private static List<String> listTitles(User u) {
    return given()
        .auth()
        .oauth2(u.token)
        .get("/api/v1/videos")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("items.title", String.class);
  }

  private static JsonPath readiness() {
    return given().get("/q/health/ready").then().extract().jsonPath();
  }

  private static void awaitReplicaState(String state) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                state.equals(
                    readiness()
                        .getString("checks.find { it.name == 'database-replica' }.data.state")));
  }

  /** The read-your-writes window of {@code u} has passed. */
  private void unpin(User u) {
    redisson.getBucket(namespace + ":db:wrote:" + u.id, StringCodec.INSTANCE).delete();
  }

  private static Connection database(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://127.0.0.1:" + port + "/" + ReplicaTestServices.database(), "root", "");
  }

  private static String onPrimary(String sql, String arg) throws SQLException {
    try (Connection c = database(ReplicaTestServices.pair.primaryPort())) {
      return single(c, sql, arg);
    }
  }

  private static String onReplica(String sql, String arg) throws SQLException {
    try (Connection c = database(ReplicaTestServices.pair.replicaPort())) {
      return single(c, sql, arg);
    }
  }

  private static void awaitOnReplica(String countSql, String arg) {
    await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(onReplica(countSql, arg)));
  }

  private static String single(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Changes a title on the replica alone: root may write there, outside the binary log. */
  private static void setTitleOnReplicaOnly(String id, String title) throws SQLException {
    try (Connection c = database(ReplicaTestServices.pair.replicaPort());
        Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_log_bin = 0");
      try (PreparedStatement p = c.prepareStatement("UPDATE videos SET title = ? WHERE id = ?")) {
        p.setString(1, title);
        p.setString(2, id);
        assertThat(p.executeUpdate()).isEqualTo(1);
      }
    }
  }
}
