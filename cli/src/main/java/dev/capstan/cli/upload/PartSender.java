package dev.capstan.cli.upload;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.api.Backoff;
import dev.capstan.cli.api.Failures;
import dev.capstan.cli.progress.Units;
import dev.capstan.cli.progress.UploadProgress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PUTs one part to its presigned URL, exactly as signed: no auth header, no extra signed headers.
 * The store's ETag must be the MD5 of the bytes; a mismatch, a network error, a 5xx, 408 or 429 is
 * retried with backoff; an expired URL (403) is renewed once.
 */
final class PartSender {
  private static final int SLICE = 64 * 1024;
  private static final Duration BASE_TIMEOUT = Duration.ofMinutes(2);

  private final HttpClient http;
  private final PartUrls urls;
  private final Backoff backoff;
  private final Throttle throttle;
  private final long limitBytesPerSecond;
  private final UploadProgress progress;
  private final Terminal terminal;
  private final String fileName;
  private final int partCount;

  PartSender(
      HttpClient http,
      PartUrls urls,
      Backoff backoff,
      Throttle throttle,
      long limitBytesPerSecond,
      UploadProgress progress,
      Terminal terminal,
      String fileName,
      int partCount) {
    this.http = http;
    this.urls = urls;
    this.backoff = backoff;
    this.throttle = throttle;
    this.limitBytesPerSecond = limitBytesPerSecond;
    this.progress = progress;
    this.terminal = terminal;
    this.fileName = fileName;
    this.partCount = partCount;
  }

  /**
   * Sends {@code length} bytes of {@code data} as part {@code partNumber}.
   *
   * @return the ETag the store answered
   */
  String send(int partNumber, byte[] data, int length) throws InterruptedException {
    String md5 = PartChecksum.md5Hex(data, length);
    boolean renewed = false;
    for (int attempt = 1; ; attempt++) {
      int generation = urls.generation();
      URI url = urls.get(partNumber);
      terminal.debug(
          "PUT part "
              + partNumber
              + "/"
              + partCount
              + " ("
              + Units.bytes(length)
              + ", md5 "
              + md5
              + ") attempt "
              + attempt);
      AtomicLong counted = new AtomicLong();
      String reason;
      Duration wait = null;
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(url)
                    .timeout(timeoutFor(length))
                    .PUT(body(data, length, counted))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
          String etag = response.headers().firstValue("ETag").orElse(null);
          if (etag == null) {
            throw new CliFailure(
                ExitCode.FAILURE,
                "the object store stored part "
                    + partNumber
                    + " of "
                    + fileName
                    + " but sent no ETag: it cannot be assembled");
          }
          if (!PartChecksum.contradicts(etag, md5)) {
            terminal.debug("part " + partNumber + " stored, ETag " + etag);
            return etag;
          }
          reason = "checksum mismatch: sent md5 " + md5 + ", store has " + etag;
        } else if (status == 403 && !renewed) {
          renewed = true;
          progress.transferred(-counted.get());
          terminal.debug("part " + partNumber + ": HTTP 403, renewing the presigned URLs");
          if (!urls.refresh(partNumber, generation)) {
            throw new CliFailure(
                ExitCode.FAILURE,
                "the upload of " + fileName + " is gone on the server; run the command again");
          }
          attempt--;
          continue;
        } else if (status >= 500 || status == 408 || status == 429) {
          reason = "HTTP " + status;
          wait = retryAfter(response);
        } else {
          throw new CliFailure(
              status == 403 ? ExitCode.UNAUTHORIZED : ExitCode.FAILURE,
              "the object store refused part "
                  + partNumber
                  + " of "
                  + fileName
                  + ": HTTP "
                  + status
                  + " "
                  + abbreviate(response.body()));
        }
      } catch (IOException e) {
        reason = Failures.describe(e);
      }
      progress.transferred(-counted.get());
      if (!backoff.allowsAnother(attempt)) {
        throw new CliFailure(
            reason.startsWith("HTTP 5") ? ExitCode.SERVER_ERROR : ExitCode.UNREACHABLE,
            "part "
                + partNumber
                + " of "
                + fileName
                + " failed "
                + attempt
                + " times ("
                + reason
                + "); the upload is resumable: run the same command again");
      }
      Duration delay = wait != null ? wait : backoff.delay(attempt);
      progress.retrying(partNumber, attempt, reason, delay);
      Thread.sleep(delay.toMillis());
    }
  }

  private HttpRequest.BodyPublisher body(byte[] data, int length, AtomicLong counted) {
    Iterable<byte[]> slices =
        () ->
            new Iterator<>() {
              private int position;

              @Override
              public boolean hasNext() {
                return position < length;
              }

              @Override
              public byte[] next() {
                if (!hasNext()) {
                  throw new NoSuchElementException();
                }
                int n = Math.min(SLICE, length - position);
                throttle.acquire(n);
                byte[] slice = Arrays.copyOfRange(data, position, position + n);
                position += n;
                counted.addAndGet(n);
                progress.transferred(n);
                return slice;
              }
            };
    return HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofByteArrays(slices), length);
  }

  private Duration timeoutFor(int length) {
    return limitBytesPerSecond > 0
        ? BASE_TIMEOUT.plusSeconds(2L * length / limitBytesPerSecond)
        : BASE_TIMEOUT;
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .flatMap(
            v -> {
              try {
                return java.util.Optional.of(
                    Duration.ofSeconds(Math.min(Long.parseLong(v.trim()), 60)));
              } catch (NumberFormatException e) {
                return java.util.Optional.empty();
              }
            })
        .orElse(null);
  }

  private static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 160 ? oneLine.substring(0, 160) + "…" : oneLine;
  }
}
