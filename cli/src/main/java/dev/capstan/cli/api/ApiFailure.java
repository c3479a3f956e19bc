package dev.capstan.cli.api;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;

/** The server answered with an error: its HTTP status and problem {@code code} travel along. */
public final class ApiFailure extends CliFailure {
  private final int status;
  private final String code;

  public ApiFailure(ExitCode exitCode, int status, String code, String message) {
    super(exitCode, message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  /** The problem's stable {@code code}, or null when the body was not a problem. */
  public String code() {
    return code;
  }
}
