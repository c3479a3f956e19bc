package dev.capstan.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.api.Json;
import dev.capstan.cli.config.ConfigFile;
import dev.capstan.cli.testing.CliRun;
import dev.capstan.cli.testing.CliUser;
import dev.capstan.cli.testing.LiveStack;
import dev.capstan.cli.testing.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code capstan login} saves a private config that later commands use on their own. */
@ExtendWith(LiveStack.class)
class LoginIT {

  @Test
  void login_saves_url_and_token_in_a_0600_file_that_later_commands_use(Stack stack)
      throws Exception {
    CliUser user = stack.newUser("login");

    CliRun login =
        user.run(
            user.bare(),
            List.of(),
            user.password() + "\n",
            "login",
            "--url",
            stack.apiUrl(),
            "--email",
            user.email(),
            "--password-stdin");

    assertThat(login.exitCode()).as(login.toString()).isZero();
    Path config = user.home().resolve(".config/capstan/config.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())))
        .isEqualTo("rwx------");
    ConfigFile.Saved saved = Json.MAPPER.readValue(config.toFile(), ConfigFile.Saved.class);
    assertThat(saved.url()).isEqualTo(stack.apiUrl());
    assertThat(saved.email()).isEqualTo(user.email());
    assertThat(saved.token()).isNotBlank();

    CliRun ls = user.run(user.bare(), List.of(), null, "ls");
    assertThat(ls.exitCode()).as("no flags, no env: the saved login is used\n%s", ls).isZero();
    assertThat(ls.stderr()).contains("no videos yet");

    CliRun otherServer =
        user.run(user.bare(), List.of(), null, "ls", "--url", "http://127.0.0.1:9");
    assertThat(otherServer.exitCode())
        .as("the saved token is not offered to another server\n%s", otherServer)
        .isEqualTo(4);
  }

  @Test
  void login_honours_capstan_config_and_rejects_a_wrong_password(Stack stack) throws Exception {
    CliUser user = stack.newUser("login-config");
    Path custom = user.home().resolve("elsewhere/capstan.json");
    Map<String, String> env = user.env(user.bare(), "CAPSTAN_CONFIG", custom.toString());
    env.put("CAPSTAN_URL", stack.apiUrl());

    CliRun wrong =
        user.run(
            env,
            List.of(),
            "not the password\n",
            "login",
            "--email",
            user.email(),
            "--password-stdin");
    assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(4);
    assertThat(wrong.stderrLines())
        .singleElement()
        .asString()
        .isEqualTo("capstan: wrong email or password for " + stack.apiUrl());
    assertThat(custom).doesNotExist();

    CliRun right =
        user.run(
            env,
            List.of(),
            user.password() + "\n",
            "login",
            "--email",
            user.email(),
            "--password-stdin");
    assertThat(right.exitCode()).as(right.toString()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(custom)))
        .isEqualTo("rw-------");
    assertThat(user.run(env, List.of(), null, "ls").exitCode()).isZero();
  }
}
