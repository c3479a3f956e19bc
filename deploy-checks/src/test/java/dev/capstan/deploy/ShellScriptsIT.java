package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every deployment script parses with the shell that runs it. */
class ShellScriptsIT {
  static List<String> scripts() {
    return List.of(
        "deploy/backup/backup.sh",
        "deploy/backup/restore.sh",
        "deploy/backup/lib.sh",
        "deploy/mysql/initdb/10-accounts.sh",
        "deploy/mysql/initdb/20-follow-primary.sh",
        "deploy/minio/init.sh");
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void the_script_parses(String script) {
    String shell = Repo.read(script).startsWith("#!/bin/sh") ? "sh" : "bash";
    Tools.Result r =
        Tools.run(
            List.of(shell, "-n", Repo.path(script).toString()), Map.of(), Duration.ofSeconds(10));
    assertThat(r.exitCode()).as(r.output()).isZero();
  }
}
