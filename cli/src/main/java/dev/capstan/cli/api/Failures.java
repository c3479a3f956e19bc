package dev.capstan.cli.api;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/** Turns what went wrong on the wire into one line a person can act on. */
public final class Failures {
  private Failures() {}

  /** The server could not be reached at all. */
  public static CliFailure unreachable(URI base, IOException e) {
    return new CliFailure(
        ExitCode.UNREACHABLE,
        "cannot reach Capstan at " + base + ": " + describe(e) + " (check --url or CAPSTAN_URL)",
        e);
  }

  /** A short human reason for a network failure. */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer in time";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof SSLException) {
        return "TLS failed (" + t.getMessage() + ")";
      }
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** Whether nothing reached the server, so a request that changes things is safe to repeat. */
  public static boolean neverSent(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }
}
