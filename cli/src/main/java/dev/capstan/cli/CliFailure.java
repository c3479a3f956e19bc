package dev.capstan.cli;

/**
 * A failure the user can act on: one line of explanation and the exit code it ends with. Thrown
 * anywhere in the client; {@link Main} prints the message and exits with the code.
 */
public class CliFailure extends RuntimeException {
  private final ExitCode exitCode;

  public CliFailure(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliFailure(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
