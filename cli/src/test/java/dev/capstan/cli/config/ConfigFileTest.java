package dev.capstan.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path home;

  @Test
  void the_saved_login_is_readable_by_its_owner_only() throws Exception {
    Path path = home.resolve(".config/capstan/config.json");
    ConfigFile file = new ConfigFile(path);

    file.write(new ConfigFile.Saved("http://x:8080", "secret", "me@example.com", Instant.EPOCH));

    assertThat(mode(path)).isEqualTo("rw-------");
    assertThat(mode(path.getParent())).as("folders created for it").isEqualTo("rwx------");
    assertThat(mode(path.getParent().getParent())).isEqualTo("rwx------");
    assertThat(file.read())
        .contains(new ConfigFile.Saved("http://x:8080", "secret", "me@example.com", Instant.EPOCH));
  }

  @Test
  void rewriting_a_file_someone_opened_up_makes_it_private_again() throws Exception {
    Path path = home.resolve("config.json");
    Files.writeString(path, "{}");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

    new ConfigFile(path).write(new ConfigFile.Saved("http://x", "t", null, null));

    assertThat(mode(path)).isEqualTo("rw-------");
    assertThat(Files.readString(path)).doesNotContain("email");
  }

  @Test
  void no_file_means_no_saved_login() throws Exception {
    assertThat(new ConfigFile(home.resolve("absent.json")).read()).isEmpty();
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
