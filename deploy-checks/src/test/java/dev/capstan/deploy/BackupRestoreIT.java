package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devtools.fixtures.LocalS3Process;
import dev.capstan.devtools.fixtures.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backup drill for real: deploy/backup/backup.sh dumps a scratch database of the local MariaDB
 * into the embedded S3, the database is dropped, deploy/backup/restore.sh brings it back, and the
 * tables match row for row (counts and CHECKSUM TABLE). Runs with s3cmd, and with the AWS CLI too
 * where one is installed.
 */
class BackupRestoreIT {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final List<String> TABLES = List.of("users", "videos", "renditions");

  private static LocalS3Process s3;
  private static S3Bucket bucket;
  private TestDatabase db;
  private String prefix;

  @BeforeAll
  static void startS3() throws IOException {
    s3 = LocalS3Process.start("backups");
    bucket = new S3Bucket(s3);
  }

  @AfterAll
  static void stopS3() {
    if (bucket != null) {
      bucket.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void scratchDatabase() throws SQLException {
    db = TestDatabase.create("backup");
    prefix = "mysql-" + db.name() + "/";
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE users (id BIGINT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(190) NOT NULL"
              + " UNIQUE, name VARCHAR(100) NOT NULL)");
      s.execute(
          "CREATE TABLE videos (id CHAR(36) PRIMARY KEY, user_id BIGINT NOT NULL, title"
              + " VARCHAR(200), status VARCHAR(20) NOT NULL, created_at DATETIME(6) NOT NULL,"
              + " INDEX idx_videos_user_id (user_id), FOREIGN KEY (user_id) REFERENCES users(id))");
      s.execute(
          "CREATE TABLE renditions (id BIGINT PRIMARY KEY AUTO_INCREMENT, video_id CHAR(36) NOT"
              + " NULL, height INT NOT NULL, poster BLOB, meta JSON, FOREIGN KEY (video_id)"
              + " REFERENCES videos(id))");
      try (PreparedStatement u =
              c.prepareStatement("INSERT INTO users (email, name) VALUES (?, ?)");
          PreparedStatement v =
              c.prepareStatement("INSERT INTO videos VALUES (?, ?, ?, ?, NOW(6))");
          PreparedStatement r =
              c.prepareStatement(
                  "INSERT INTO renditions (video_id, height, poster, meta) VALUES (?, ?, ?, ?)")) {
        for (int i = 1; i <= 40; i++) {
          u.setString(1, "user" + i + "@example.com");
          u.setString(2, "Üser «" + i + "» 🎬 'quoted' \\ back");
          u.addBatch();
        }
        u.executeBatch();
        for (int i = 0; i < 300; i++) {
          String id = String.format("00000000-0000-4000-8000-%012d", i);
          v.setString(1, id);
          v.setLong(2, 1 + i % 40);
          v.setString(3, i % 7 == 0 ? null : "Video " + i + "; DROP TABLE users; --");
          v.setString(4, i % 3 == 0 ? "ready" : "queued");
          v.addBatch();
          for (int h : new int[] {360, 720}) {
            r.setString(1, id);
            r.setInt(2, h);
            r.setBytes(3, new byte[] {0, (byte) 0xff, (byte) i, 0x27, 0x5c, 0x0a});
            r.setString(4, "{\"bitrate\": " + (h * 3) + ", \"codec\": \"h264\"}");
            r.addBatch();
          }
        }
        v.executeBatch();
        r.executeBatch();
      }
    }
  }

  @AfterEach
  void cleanUp() throws SQLException {
    bucket.deletePrefix(prefix);
    dropIfExists(db.name() + "_copy");
    db.close();
  }

  static List<String> tools() {
    List<String> tools = new ArrayList<>();
    Tools.require("s3cmd", "s3cmd");
    tools.add("s3cmd");
    // The AWS CLI is optional (the scripts prefer it when present): test it where it works.
    boolean awsWorks =
        Tools.find("aws")
            .map(
                aws ->
                    Tools.run(
                                List.of(aws.toString(), "--version"),
                                Map.of(),
                                Duration.ofSeconds(30))
                            .exitCode()
                        == 0)
            .orElse(false);
    if (awsWorks) {
      tools.add("aws");
    }
    return tools;
  }

  @ParameterizedTest
  @MethodSource("tools")
  void a_dropped_database_comes_back_identical_from_the_nightly_dump(String tool) throws Exception {
    Map<String, String> before = fingerprint(db.name());

    Tools.Result backup = backup(tool, Map.of());
    assertThat(backup.exitCode()).as(backup.stderr()).isZero();
    String key = backup.stdout().strip().replace("s3://backups/", "");
    assertThat(key).matches(prefix + db.name() + "-\\d{8}T\\d{6}Z\\.sql\\.gz");
    assertThat(bucket.keys(prefix)).contains(key);
    assertThat(backup.stderr()).contains("(primary)");

    dropIfExists(db.name());
    Tools.Result restore = restore(tool, "--into", db.name());
    assertThat(restore.exitCode()).as(restore.stderr()).isZero();
    assertThat(restore.stderr()).contains("restored 3 table(s)");
    assertThat(fingerprint(db.name())).isEqualTo(before);

    // The same dump under another name, the restore drill that leaves production alone.
    Tools.Result copy =
        restore(tool, "--from", key.substring(prefix.length()), "--into", db.name() + "_copy");
    assertThat(copy.exitCode()).as(copy.stderr()).isZero();
    assertThat(fingerprint(db.name() + "_copy")).isEqualTo(before);
  }

  @ParameterizedTest
  @MethodSource("tools")
  void dumps_older_than_thirty_days_are_deleted_and_the_rest_kept(String tool) throws Exception {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    String old45 = fakeDump(now.minusDays(45));
    String old31 = fakeDump(now.minusDays(31));
    String recent29 = fakeDump(now.minusDays(29));
    String yesterday = fakeDump(now.minusDays(1));
    String otherDatabase = prefix + "otherdb-" + STAMP.format(now.minusDays(90)) + ".sql.gz";
    String unrelated = prefix + "README.txt";
    bucket.put(otherDatabase, gzip("-- Dump completed\n"));
    bucket.put(unrelated, "not a dump".getBytes(StandardCharsets.UTF_8));

    Tools.Result backup = backup(tool, Map.of());
    assertThat(backup.exitCode()).as(backup.stderr()).isZero();
    String fresh = backup.stdout().strip().replace("s3://backups/", "");

    assertThat(bucket.keys(prefix))
        .containsExactlyInAnyOrder(recent29, yesterday, fresh, otherDatabase, unrelated)
        .doesNotContain(old45, old31);
    assertThat(backup.stderr()).contains("2 old dump(s) deleted");

    // "latest" is the newest by the date in its name: the fresh dump, not a fake one.
    dropIfExists(db.name());
    Tools.Result restore = restore(tool, "--into", db.name());
    assertThat(restore.exitCode()).as(restore.stderr()).isZero();
    assertThat(restore.stderr()).contains(fresh);
  }

  @Test
  void a_wrong_database_password_fails_loudly_and_uploads_nothing() {
    Tools.Result r = backup("s3cmd", Map.of("BACKUP_DB_PASSWORD", "not-the-password"));
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stderr()).contains("ERROR: cannot connect").contains("Access denied");
    assertThat(bucket.keys(prefix)).isEmpty();
  }

  @Test
  void a_rejected_s3_key_fails_loudly() {
    Tools.Result r = backup("s3cmd", Map.of("BACKUP_S3_SECRET_KEY", "wrong-secret"));
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.stderr()).contains("ERROR: upload to s3://backups/" + prefix);
    assertThat(bucket.keys(prefix)).isEmpty();
  }

  @Test
  void a_truncated_dump_is_refused_before_the_target_is_touched() throws Exception {
    String name = db.name() + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + ".sql.gz";
    bucket.put(
        prefix + name, gzip("CREATE TABLE users (id INT);\nINSERT INTO users VALUES (1);\n"));
    Map<String, String> before = fingerprint(db.name());

    Tools.Result r = restore("s3cmd", "--from", name, "--into", db.name(), "--replace");
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.stderr()).contains("is not a complete dump");
    assertThat(fingerprint(db.name())).isEqualTo(before);
  }

  @Test
  void a_database_with_tables_is_only_overwritten_when_asked() throws Exception {
    assertThat(backup("s3cmd", Map.of()).exitCode()).isZero();
    Tools.Result refused = restore("s3cmd", "--into", db.name());
    assertThat(refused.exitCode()).isEqualTo(6);
    assertThat(refused.stderr()).contains("pass --replace");

    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM renditions WHERE height = 720");
    }
    Tools.Result replaced = restore("s3cmd", "--into", db.name(), "--replace");
    assertThat(replaced.exitCode()).as(replaced.stderr()).isZero();
    assertThat(fingerprint(db.name()).get("renditions")).startsWith("600 rows");
  }

  private Tools.Result backup(String tool, Map<String, String> overrides) {
    Map<String, String> env = env(tool);
    env.putAll(overrides);
    return Tools.run(
        List.of("bash", Repo.path("deploy/backup/backup.sh").toString()),
        env,
        Duration.ofMinutes(2));
  }

  private Tools.Result restore(String tool, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("bash", Repo.path("deploy/backup/restore.sh").toString()));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, env(tool), Duration.ofMinutes(2));
  }

  private Map<String, String> env(String tool) {
    String[] hostPort = serverHostPort();
    Map<String, String> env = new HashMap<>();
    // Nothing from the caller's environment may steer the scripts.
    System.getenv().keySet().stream()
        .filter(k -> k.startsWith("BACKUP_") || k.startsWith("RESTORE_") || k.startsWith("AWS_"))
        .forEach(k -> env.put(k, null));
    env.put("BACKUP_DB_HOST", hostPort[0]);
    env.put("BACKUP_DB_PORT", hostPort[1]);
    env.put("BACKUP_DB_USER", db.user());
    env.put("BACKUP_DB_PASSWORD", db.password());
    env.put("BACKUP_DB_NAME", db.name());
    env.put("RESTORE_DB_HOST", hostPort[0]);
    env.put("RESTORE_DB_PORT", hostPort[1]);
    env.put("RESTORE_DB_USER", db.user());
    env.put("RESTORE_DB_PASSWORD", db.password());
    env.put("BACKUP_S3_ENDPOINT", s3.endpoint());
    env.put("BACKUP_S3_BUCKET", s3.bucket());
    env.put("BACKUP_S3_PREFIX", prefix);
    env.put("BACKUP_S3_ACCESS_KEY", LocalS3Process.ACCESS_KEY);
    env.put("BACKUP_S3_SECRET_KEY", LocalS3Process.SECRET_KEY);
    env.put("BACKUP_S3_TOOL", tool);
    env.put("BACKUP_RETENTION_DAYS", "30");
    return env;
  }

  private String[] serverHostPort() {
    String rest = db.jdbcUrl().replaceFirst("^jdbc:(mariadb|mysql)://", "");
    String hostPort = rest.substring(0, rest.indexOf('/'));
    int colon = hostPort.lastIndexOf(':');
    return colon < 0
        ? new String[] {hostPort, "3306"}
        : new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
  }

  private String fakeDump(ZonedDateTime when) throws IOException {
    String key = prefix + db.name() + "-" + STAMP.format(when) + ".sql.gz";
    bucket.put(key, gzip("-- an old dump\n-- Dump completed on " + when + "\n"));
    return key;
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** Per table: row count and CHECKSUM TABLE, which covers every column of every row. */
  private Map<String, String> fingerprint(String database) throws SQLException {
    Map<String, String> result = new LinkedHashMap<>();
    try (Connection c = server();
        Statement s = c.createStatement()) {
      for (String table : TABLES) {
        String qualified = "`" + database + "`.`" + table + "`";
        long count;
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + qualified)) {
          rs.next();
          count = rs.getLong(1);
        }
        try (ResultSet rs = s.executeQuery("CHECKSUM TABLE " + qualified)) {
          rs.next();
          result.put(table, count + " rows, checksum " + rs.getString(2));
        }
      }
    }
    return result;
  }

  private void dropIfExists(String database) throws SQLException {
    try (Connection c = server();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
  }

  private Connection server() throws SQLException {
    String url = db.jdbcUrl();
    return DriverManager.getConnection(
        url.substring(0, url.lastIndexOf('/') + 1), db.user(), db.password());
  }
}
