package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.fixtures.Fixtures;
import dev.capstan.devtools.fixtures.LocalS3Process;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The compose stack's replication, without Docker: two scratch MariaDB servers started with
 * deploy/mysql/primary.cnf and replica.cnf, prepared the way the official image prepares a fresh
 * datadir, then the init scripts of deploy/mysql/initdb run as the image runs them. The replica
 * must follow the primary, refuse application writes, and serve the nightly backup only while it
 * replicates.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MariaDbReplicationIT {
  private static final String ROOT_PASSWORD = "root-Pw'1";
  private static final String APP_PASSWORD = "app-pw";
  private static final Map<String, String> SECRETS =
      Map.of(
          "CAPSTAN_DB_REPL_PASSWORD", "repl\"pw#1",
          "CAPSTAN_DB_BACKUP_PASSWORD", "backup'pw\\2",
          "CAPSTAN_DB_EXPORTER_PASSWORD", "exporter-pw");

  private static Path work;
  private static Server primary;
  private static Server replica;

  /** One scratch server: datadir, socket, port and the mariadbd process. */
  private record Server(String role, Path dir, int port, Process process) {
    Path socket() {
      return dir.resolve("mysqld.sock");
    }

    Connection connect(String user, String password) throws SQLException {
      return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", user, password);
    }

    Connection root() throws SQLException {
      return connect("root", ROOT_PASSWORD);
    }
  }

  @BeforeAll
  static void startServers() throws Exception {
    work = Files.createTempDirectory("capstan-replication-");
    CompletableFuture<Server> p = CompletableFuture.supplyAsync(() -> start("primary"));
    CompletableFuture<Server> r = CompletableFuture.supplyAsync(() -> start("replica"));
    primary = p.join();
    replica = r.join();
    for (Server s : List.of(primary, replica)) {
      imageLikeSetup(s);
    }
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    for (Server s : new Server[] {primary, replica}) {
      if (s != null) {
        s.process.destroy();
        if (!s.process.waitFor(30, TimeUnit.SECONDS)) {
          s.process.destroyForcibly();
        }
      }
    }
    Fixtures.deleteTree(work);
  }

  @Test
  @Order(1)
  void the_replica_copies_existing_data_and_then_follows_the_primary() throws Exception {
    try (Connection c = primary.connect("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE capstan.videos (id INT PRIMARY KEY, title VARCHAR(50))");
      s.execute("INSERT INTO capstan.videos VALUES (1, 'before the replica existed')");
    }
    assertThat(initScript(primary, "10-accounts.sh").exitCode()).isZero();
    assertThat(initScript(replica, "10-accounts.sh").exitCode()).isZero();
    Tools.Result follow = initScript(replica, "20-follow-primary.sh");
    assertThat(follow.exitCode()).as(follow.output()).isZero();
    assertThat(follow.stderr()).contains("replicating from 127.0.0.1:" + primary.port);

    assertThat(count(replica, "capstan.videos")).isEqualTo(1);
    try (Connection c = primary.connect("capstan", APP_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO capstan.videos VALUES (2, 'after'), (3, 'after, too')");
      s.execute("CREATE TABLE capstan.comments (id INT PRIMARY KEY)");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> count(replica, "capstan.videos") == 3);
    await().atMost(Duration.ofSeconds(20)).until(() -> tableExists(replica, "comments"));
    // Running it again (a restarted init) changes nothing.
    assertThat(initScript(replica, "20-follow-primary.sh").stderr()).contains("already configured");
  }

  @Test
  @Order(2)
  void the_application_account_cannot_write_to_the_replica() throws Exception {
    try (Connection c = replica.connect("capstan", APP_PASSWORD);
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
    for (Server s : List.of(primary, replica)) {
      try (Connection c = s.connect("exporter", SECRETS.get("CAPSTAN_DB_EXPORTER_PASSWORD"));
          Statement st = c.createStatement()) {
        st.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_connected'").close();
      }
      try (Connection c = s.connect("capstan_backup", SECRETS.get("CAPSTAN_DB_BACKUP_PASSWORD"));
          Statement st = c.createStatement()) {
        assertThat(count(c, "capstan.videos")).isEqualTo(3);
        assertThatThrownBy(() -> st.execute("DELETE FROM capstan.videos"))
            .isInstanceOf(SQLException.class);
      }
    }
    try (Connection c = primary.connect("repl", SECRETS.get("CAPSTAN_DB_REPL_PASSWORD"))) {
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
      env.put("BACKUP_DB_PORT", String.valueOf(replica.port));
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
      assertThat(ok.stderr()).contains("from the replica 127.0.0.1:" + replica.port);

      try (Connection c = replica.root();
          Statement s = c.createStatement()) {
        s.execute("STOP SLAVE SQL_THREAD");
      }
      Tools.Result refused = Tools.run(backup, env, Duration.ofMinutes(2));
      assertThat(refused.exitCode()).isEqualTo(3);
      assertThat(refused.stderr()).contains("is a replica that is not replicating");
      try (Connection c = replica.root();
          Statement s = c.createStatement()) {
        s.execute("START SLAVE SQL_THREAD");
      }
    }
  }

  private static Tools.Result initScript(Server server, String script) {
    Map<String, String> env = new HashMap<>(SECRETS);
    env.put("MARIADB_ROOT_PASSWORD", ROOT_PASSWORD);
    env.put("MARIADB_DATABASE", "capstan");
    env.put("MARIADB_LOCAL_SOCKET", server.socket().toString());
    env.put("CAPSTAN_DB_ROLE", server.role);
    env.put("CAPSTAN_DB_PRIMARY_HOST", "127.0.0.1");
    env.put("CAPSTAN_DB_PRIMARY_PORT", String.valueOf(primary.port));
    env.put("CAPSTAN_DB_PRIMARY_WAIT_SECONDS", "20");
    return Tools.run(
        List.of(Repo.path("deploy/mysql/initdb/" + script).toString()), env, Duration.ofMinutes(2));
  }

  /** What the official image does to a fresh datadir before running the init scripts. */
  private static void imageLikeSetup(Server s) {
    String sql =
        String.join(
            "\n",
            "SET SESSION sql_log_bin = 0;",
            "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');",
            "FLUSH PRIVILEGES;",
            "ALTER USER root@localhost IDENTIFIED BY '" + ROOT_PASSWORD.replace("'", "\\'") + "';",
            "CREATE USER root@'%' IDENTIFIED BY '" + ROOT_PASSWORD.replace("'", "\\'") + "';",
            "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;",
            "CREATE DATABASE capstan CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
            "CREATE USER capstan@'%' IDENTIFIED BY '" + APP_PASSWORD + "';",
            "GRANT ALL ON capstan.* TO capstan@'%';");
    Path file = s.dir.resolve("setup.sql");
    try {
      Files.writeString(file, sql);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Tools.Result r =
        Tools.run(
            List.of(
                "bash",
                "-c",
                "mariadb --no-defaults -uroot -S \"$1\" < \"$2\"",
                "setup",
                s.socket().toString(),
                file.toString()),
            Map.of(),
            Duration.ofSeconds(30));
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private static Server start(String role) {
    try {
      Path installDb = Tools.require("mariadb-install-db", "mariadb-server");
      Path mariadbd =
          Tools.find("mariadbd").orElseGet(() -> Tools.require("mysqld", "mariadb-server"));
      Path dir = work.resolve(role);
      Files.createDirectories(dir);
      String user = System.getProperty("user.name");
      Tools.Result init =
          Tools.run(
              List.of(
                  installDb.toString(),
                  "--no-defaults",
                  "--datadir=" + dir.resolve("data"),
                  "--auth-root-authentication-method=normal",
                  "--skip-test-db",
                  "--user=" + user),
              Map.of(),
              Duration.ofMinutes(2));
      assertThat(init.exitCode()).as(init.output()).isZero();
      int port = freePort();
      Path cnf = dir.resolve("my.cnf");
      List<String> lines = new ArrayList<>();
      lines.add("!include " + Repo.path("deploy/mysql/" + role + ".cnf"));
      lines.add("[mariadb]");
      lines.add("datadir=" + dir.resolve("data"));
      lines.add("socket=" + dir.resolve("mysqld.sock"));
      lines.add("pid-file=" + dir.resolve("mysqld.pid"));
      lines.add("log-error=" + dir.resolve("error.log"));
      lines.add("port=" + port);
      lines.add("bind-address=127.0.0.1");
      lines.add("user=" + user);
      // Small enough for a test machine; everything else is the deployment's own config.
      lines.add("innodb_buffer_pool_size=32M");
      lines.add("innodb_log_file_size=16M");
      lines.add("max_connections=50");
      Files.write(cnf, lines);
      Process process =
          new ProcessBuilder(mariadbd.toString(), "--defaults-file=" + cnf)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      Server server = new Server(role, dir, port, process);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .failFast(() -> !process.isAlive())
          .until(() -> Files.exists(server.socket()) && portOpen(port));
      return server;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean portOpen(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int count(Server s, String table) throws SQLException {
    try (Connection c = s.root()) {
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

  private static boolean tableExists(Server s, String table) throws SQLException {
    try (Connection c = s.root();
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
