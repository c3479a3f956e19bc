package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The deployment's shell scripts: strict mode, executable, and no password on a command line. */
class ShellScriptsTest {
  // mysql -pSECRET, --password=..., MYSQL_PWD: each puts a password where ps or env dumps show it.
  private static final Pattern PASSWORD_ON_COMMAND_LINE =
      Pattern.compile(
          "(?m)(mariadb|mysql|mariadb-dump|mysqldump|mariadb-admin|mysqladmin)\\b[^\\n]*\\s(-p\\S|--password)|MYSQL_PWD");

  static List<String> scripts() {
    return List.of(
        "deploy/backup/backup.sh",
        "deploy/backup/restore.sh",
        "deploy/mysql/initdb/10-accounts.sh",
        "deploy/mysql/initdb/20-follow-primary.sh",
        "deploy/mysql/local-replication.sh",
        "deploy/minio/init.sh");
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void scripts_are_executable_and_stop_at_the_first_error(String script) {
    assertThat(Files.isExecutable(Repo.path(script))).as("%s is executable", script).isTrue();
    String text = Repo.read(script);
    if (text.startsWith("#!/usr/bin/env bash")) {
      assertThat(text).contains("set -euo pipefail");
    } else {
      assertThat(text).startsWith("#!/bin/sh").contains("set -eu");
    }
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void no_password_is_put_on_a_command_line(String script) {
    String text = Repo.read(script);
    assertThat(PASSWORD_ON_COMMAND_LINE.matcher(text).find()).as(script).isFalse();
    assertThat(PASSWORD_ON_COMMAND_LINE.matcher(Repo.read("deploy/backup/lib.sh")).find())
        .isFalse();
    if (text.contains("mariadb ") || text.contains("$DB_CLIENT")) {
      // Every client call reads its login from a private option file.
      assertThat(text).contains("--defaults-extra-file=");
    }
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void credential_files_are_private(String script) {
    String text = Repo.read(script);
    if (text.contains("[client]")) {
      assertThat(text).contains("umask 077");
    }
  }
}
