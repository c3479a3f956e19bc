package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.fixtures.LocalS3Process;
import dev.capstan.devtools.fixtures.ReplicationPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The compose stack's replication, without Docker: deploy/mysql/local-replication.sh starts two
 * scratch MariaDB servers with deploy/mysql/primary.cnf and replica.cnf and sets them up with the
 * image's init scripts (deploy/mysql/initdb), the one way Capstan makes a replica. The replica must
 * follow the primary, refuse application writes, copy existing data when made afresh, and serve the
 * nightly backup only while it replicates.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MariaDbReplicationIT {
  private static final String APP_PASSWORD = "app-pw";
  private static final Map<String, String> SECRETS =
      Map.of(
          "CAPSTAN_DB_REPL_PASSWORD", "repl\"pw#1",
          "CAPSTAN_DB_BACKUP_PASSWORD", "backup'pw\\2",
          "CAPSTAN_DB_EXPORTER_PASSWORD", "exporter-pw");

  private static ReplicationPair pair;

  @BeforeAll
  static void startServers() throws Exception {
    Tools.require("mariadb-install-db", "mariadb-server");
    pair = ReplicationPair.start(SECRETS);
    try (Connection c = pair.primary();
        Statement s = c.createStatement()) {
      // The application account, as the image makes it from MARIADB_USER (replicated).
      s.execute("CREATE USER capstan@'%' IDENTIFIED BY '" + APP_PASSWORD + "'");
      s.execute("GRANT ALL ON capstan.* TO capstan@'%'");
    }
  }

  @AfterAll
  static void stopServers() {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  @Order(1)
  void the_replica_follows_the_primary_with_gtids() throws Exception {
    assertThat(pair.log("start"))
        .contains("replicates from primary 127.0.0.1:" + pair.primaryPort());
    try (Connection c = primary("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE capstan.videos (id INT PRIMARY KEY, title VARCHAR(50))");
      s.execute("INSERT INTO capstan.videos VALUES (1, 'one'), (2, 'two'), (3, 'three')");
      s.execute("CREATE TABLE capstan.comments (id INT PRIMARY KEY)");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> countOnReplica("capstan.videos") == 3);
    await().atMost(Duration.ofSeconds(20)).until(() -> tableExists("comments"));
    try (Connection c = pair.replica();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("Using_Gtid")).isEqualTo("Slave_Pos");
    }
    // Running the init script again (a restarted container) changes nothing.
    assertThat(initScript("replica", "20-follow-primary.sh").stderr())
        .contains("already configured");
  }

  @Test
  @Order(2)
  void the_application_account_cannot_write_to_the_replica() throws Exception {
    try (Connection c = replica("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("INSERT INTO capstan.videos VALUES (9, 'nope')"))
          .hasMessageContaining("read-only");
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM capstan.videos")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
    }
  }

  @Test
  @Order(3)
  void service_accounts_have_what_backup_and_exporter_need_and_no_more() throws Exception {
    for (int port : List.of(pair.primaryPort(), pair.replicaPort())) {
      try (Connection c = connect(port, "exporter", SECRETS.get("CAPSTAN_DB_EXPORTER_PASSWORD"));
          Statement st = c.createStatement()) {
        st.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_connected'").close();
      }
      try (Connection c =
              connect(port, "capstan_backup", SECRETS.get("CAPSTAN_DB_BACKUP_PASSWORD"));
          Statement st = c.createStatement()) {
        assertThat(count(c, "capstan.videos")).isEqualTo(3);
        assertThatThrownBy(() -> st.execute("DELETE FROM capstan.videos"))
            .isInstanceOf(SQLException.class);
      }
    }
    try (Connection c = primary("repl", SECRETS.get("CAPSTAN_DB_REPL_PASSWORD"))) {
      assertThat(c.isValid(2)).isTrue();
    }
  }

  @Test
  @Order(4)
  void the_backup_dumps_a_replicating_replica_and_refuses_a_stopped_one() throws Exception {
    try (LocalS3Process s3 = LocalS3Process.start("backups")) {
      Map<String, String> env = new HashMap<>();
      System.getenv().keySet().stream()
          .filter(k -> k.startsWith("BACKUP_") || k.startsWith("AWS_"))
          .forEach(k -> env.put(k, null));
      env.put("BACKUP_DB_HOST", "127.0.0.1");
      env.put("BACKUP_DB_PORT", String.valueOf(pair.replicaPort()));
      env.put("BACKUP_DB_USER", "capstan_backup");
      env.put("BACKUP_DB_PASSWORD", SECRETS.get("CAPSTAN_DB_BACKUP_PASSWORD"));
      env.put("BACKUP_DB_NAME", "capstan");
      env.put("BACKUP_S3_ENDPOINT", s3.endpoint());
      env.put("BACKUP_S3_BUCKET", s3.bucket());
      env.put("BACKUP_S3_ACCESS_KEY", LocalS3Process.ACCESS_KEY);
      env.put("BACKUP_S3_SECRET_KEY", LocalS3Process.SECRET_KEY);
      env.put("BACKUP_S3_TOOL", "s3cmd");
      List<String> backup = List.of("bash", Repo.path("deploy/backup/backup.sh").toString());

      Tools.Result ok = Tools.run(backup, env, Duration.ofMinutes(2));
      assertThat(ok.exitCode()).as(ok.stderr()).isZero();
      assertThat(ok.stderr()).contains("from the replica 127.0.0.1:" + pair.replicaPort());

      pair.onReplica("STOP SLAVE SQL_THREAD");
      Tools.Result refused = Tools.run(backup, env, Duration.ofMinutes(2));
      assertThat(refused.exitCode()).isEqualTo(3);
      assertThat(refused.stderr()).contains("is a replica that is not replicating");
      pair.onReplica("START SLAVE SQL_THREAD");
    }
  }

  @Test
  @Order(5)
  void a_replica_made_afresh_copies_what_the_primary_already_holds() throws Exception {
    try (Connection c = primary("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO capstan.videos VALUES (4, 'written before the new replica')");
    }
    pair.recreateReplica();
    assertThat(pair.log("start")).contains("replicates from primary");
    assertThat(countOnReplica("capstan.videos")).isEqualTo(4);
    try (Connection c = primary("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO capstan.videos VALUES (5, 'and after')");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> countOnReplica("capstan.videos") == 5);
  }

  private static Tools.Result initScript(String role, String script) {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("MARIADB_ROOT_PASSWORD", "");
    env.put("MARIADB_DATABASE", "capstan");
    env.put("MARIADB_LOCAL_SOCKET", pair.dir().resolve(role + "/mysqld.sock").toString());
    env.put("CAPSTAN_DB_ROLE", role);
    env.put("CAPSTAN_DB_PRIMARY_HOST", "127.0.0.1");
    env.put("CAPSTAN_DB_PRIMARY_PORT", String.valueOf(pair.primaryPort()));
    env.put("CAPSTAN_DB_PRIMARY_WAIT_SECONDS", "20");
    return Tools.run(
        List.of(Repo.path("deploy/mysql/initdb/" + script).toString()), env, Duration.ofMinutes(2));
  }

  private static Connection connect(int port, String user, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", user, password);
  }

  private static Connection primary(String user, String password) throws SQLException {
    return connect(pair.primaryPort(), user, password);
  }

  private static Connection replica(String user, String password) throws SQLException {
    return connect(pair.replicaPort(), user, password);
  }

  private static int countOnReplica(String table) throws SQLException {
    try (Connection c = pair.replica()) {
      return count(c, table);
    }
  }

  private static int count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static boolean tableExists(String table) throws SQLException {
    try (Connection c = pair.replica();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'capstan'"
                    + " AND table_name = '"
                    + table
                    + "'")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }
}
