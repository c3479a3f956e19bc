package dev.capstan.cli.testing;

import java.util.Arrays;
import java.util.List;

/** One finished run of the CLI: exit code, stdout, stderr. */
public record CliRun(int exitCode, String stdout, String stderr) {
  public List<String> stderrLines() {
    return stderr.isBlank() ? List.of() : Arrays.asList(stderr.strip().split("\r?\n"));
  }

  public String out() {
    return stdout.strip();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
  }
}
