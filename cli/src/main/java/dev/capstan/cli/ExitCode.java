package dev.capstan.cli;

/**
 * Exit codes of {@code capstan}, one per kind of failure a person can act on. Documented in
 * docs/CLI.md; scripts may rely on them.
 */
public enum ExitCode {
  OK(0, "success"),
  FAILURE(1, "any other error (the message says what the server refused)"),
  USAGE(2, "wrong command line"),
  UNREACHABLE(3, "no Capstan API at the URL: wrong URL, connection refused, DNS, TLS"),
  UNAUTHORIZED(4, "not logged in, or the token is unknown, expired or revoked (401)"),
  FILE_UNUSABLE(5, "a file to upload is missing, unreadable, a directory or empty"),
  TOO_LARGE(6, "the file is larger than the server accepts (413)"),
  RATE_LIMITED(7, "too many requests (429); the message says when to try again"),
  SERVER_ERROR(8, "the server or the object store kept failing (5xx) after retries"),
  NOT_FOUND(9, "no such video (or not yours)"),
  PROCESSING_FAILED(10, "the video was uploaded but could not be processed"),
  INTERRUPTED(130, "interrupted (Ctrl-C); an upload stays resumable");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }
}
