package dev.capstan.cli.api;

import com.fasterxml.jackson.databind.JavaType;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.model.api.AuthMessages.LoginRequest;
import dev.capstan.model.api.AuthMessages.LoginResponse;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.Problem;
import dev.capstan.model.api.ShareMessages.CreateShareRequest;
import dev.capstan.model.api.ShareMessages.ShareView;
import dev.capstan.model.api.UploadMessages.CompleteUploadRequest;
import dev.capstan.model.api.UploadMessages.CompletedPart;
import dev.capstan.model.api.UploadMessages.StartUploadRequest;
import dev.capstan.model.api.UploadMessages.UploadView;
import dev.capstan.model.api.VideoMessages.CreateVideoRequest;
import dev.capstan.model.api.VideoMessages.VideoView;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Capstan REST API as typed calls, with the wire records of common-model. Failed calls throw
 * {@link CliFailure}s that say what to do; calls that may be repeated are retried on 5xx and
 * network errors.
 */
public final class CapstanApi {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  private static final Set<Integer> TRANSIENT = Set.of(502, 503, 504);

  private final URI base;
  private final Optional<String> token;
  private final HttpClient http;
  private final Backoff backoff;
  private final Terminal terminal;

  public CapstanApi(
      URI base, Optional<String> token, HttpClient http, Backoff backoff, Terminal terminal) {
    this.base = base;
    this.token = token;
    this.http = http;
    this.backoff = backoff;
    this.terminal = terminal;
  }

  /** An HTTP/1.1 client: plain, predictable, and what presigned URLs expect. */
  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  public URI base() {
    return base;
  }

  public HttpClient http() {
    return http;
  }

  // --- auth ------------------------------------------------------------------------------------

  public LoginResponse login(String email, String password) {
    try {
      return call(
          "POST",
          "/api/v1/auth/login",
          new LoginRequest(email, password),
          type(LoginResponse.class),
          false);
    } catch (ApiFailure f) {
      if (f.status() == 401) {
        throw new CliFailure(ExitCode.UNAUTHORIZED, "wrong email or password for " + base);
      }
      throw f;
    }
  }

  // --- videos ----------------------------------------------------------------------------------

  public VideoView createVideo(String title) {
    return call(
        "POST", "/api/v1/videos", new CreateVideoRequest(title, null), type(VideoView.class), true);
  }

  public VideoView video(String id) {
    return call("GET", videoPath(id), null, type(VideoView.class), true);
  }

  public Page<VideoView> videos(int limit, String cursor) {
    String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + encode(cursor));
    JavaType page =
        Json.MAPPER.getTypeFactory().constructParametricType(Page.class, VideoView.class);
    return call("GET", "/api/v1/videos" + query, null, page, true);
  }

  public void deleteVideo(String id) {
    call("DELETE", videoPath(id), null, null, true);
  }

  // --- direct uploads --------------------------------------------------------------------------

  /** Starts an upload, or resumes the one in progress when {@code sizeBytes} is the same. */
  public UploadView startUpload(String videoId, long sizeBytes, String contentType) {
    return call(
        "POST",
        videoPath(videoId) + "/uploads",
        new StartUploadRequest(sizeBytes, contentType),
        type(UploadView.class),
        true);
  }

  /** The upload in progress (parts received, fresh URLs for the rest); empty when there is none. */
  public Optional<UploadView> upload(String videoId) {
    try {
      return Optional.of(
          call("GET", videoPath(videoId) + "/uploads", null, type(UploadView.class), true));
    } catch (ApiFailure f) {
      if (f.status() == 404 || f.status() == 409) {
        return Optional.empty();
      }
      throw f;
    }
  }

  public VideoView completeUpload(String videoId, List<CompletedPart> parts) {
    return call(
        "POST",
        videoPath(videoId) + "/uploads/complete",
        new CompleteUploadRequest(parts),
        type(VideoView.class),
        true);
  }

  // --- shares ----------------------------------------------------------------------------------

  public ShareView createShare(String videoId, Instant expiresAt, String password) {
    return call(
        "POST",
        videoPath(videoId) + "/shares",
        new CreateShareRequest(expiresAt, password),
        type(ShareView.class),
        true);
  }

  public Page<ShareView> shares(int limit, String cursor) {
    String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + encode(cursor));
    JavaType page =
        Json.MAPPER.getTypeFactory().constructParametricType(Page.class, ShareView.class);
    return call("GET", "/api/v1/shares" + query, null, page, true);
  }

  // --- events ----------------------------------------------------------------------------------

  /** Opens the video's Server-Sent Events stream; the caller reads (and closes) the lines. */
  public HttpResponse<Stream<String>> openEvents(String videoId) throws IOException {
    HttpRequest request =
        authorized(HttpRequest.newBuilder(uri(videoPath(videoId) + "/events")))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofLines());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // --- plumbing --------------------------------------------------------------------------------

  private <T> T call(String method, String path, Object body, JavaType type, boolean auth) {
    String bearer = auth ? requireToken() : null;
    byte[] json;
    try {
      json = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    boolean safe = method.equals("GET") || method.equals("DELETE");
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri(path))
              .timeout(CALL_TIMEOUT)
              .header("Accept", "application/json");
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      if (json != null) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(json));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      long started = System.nanoTime();
      HttpResponse<byte[]> response;
      try {
        response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        terminal.debug(method + " " + path + " failed: " + Failures.describe(e));
        if ((safe || Failures.neverSent(e)) && backoff.allowsAnother(attempt)) {
          Backoff.pause(backoff.delay(attempt));
          continue;
        }
        throw Failures.unreachable(base, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliFailure(ExitCode.INTERRUPTED, "interrupted");
      }
      int status = response.statusCode();
      terminal.debug(
          method
              + " "
              + path
              + " -> "
              + status
              + " ("
              + (System.nanoTime() - started) / 1_000_000
              + " ms)");
      if (status >= 200 && status < 300) {
        return type == null || response.body().length == 0
            ? null
            : decode(response.body(), type, path);
      }
      boolean retryable = TRANSIENT.contains(status) || (safe && status == 500);
      if (retryable && backoff.allowsAnother(attempt)) {
        Backoff.pause(backoff.delay(attempt));
        continue;
      }
      throw failureOf(response, path, attempt);
    }
  }

  private ApiFailure failureOf(HttpResponse<byte[]> response, String path, int attempts) {
    int status = response.statusCode();
    Problem problem = problemOf(response);
    String code = problem == null ? null : problem.code();
    String detail =
        problem == null
            ? "HTTP " + status
            : (problem.detail() != null ? problem.detail() : problem.title()) + " (" + code + ")";
    if (problem == null && status >= 400 && status < 500 && status != 413 && status != 429) {
      // Capstan answers every client error with a problem body; something else answered.
      return new ApiFailure(
          ExitCode.UNREACHABLE,
          status,
          null,
          base
              + " answered HTTP "
              + status
              + " to "
              + path
              + " without a Capstan problem body: is the URL right?");
    }
    return switch (status) {
      case 401 ->
          new ApiFailure(
              ExitCode.UNAUTHORIZED,
              status,
              code,
              "the server rejected the token: "
                  + detail
                  + "; run `capstan login` or set CAPSTAN_TOKEN");
      case 404 -> new ApiFailure(ExitCode.NOT_FOUND, status, code, "not found: " + detail);
      case 413 ->
          new ApiFailure(ExitCode.TOO_LARGE, status, code, "too large for the server: " + detail);
      case 429 ->
          new ApiFailure(
              ExitCode.RATE_LIMITED,
              status,
              code,
              "rate limited by the server: "
                  + detail
                  + "; try again in "
                  + response.headers().firstValue("Retry-After").orElse("a few")
                  + " s");
      default ->
          status >= 500
              ? new ApiFailure(
                  ExitCode.SERVER_ERROR,
                  status,
                  code,
                  "server error: "
                      + detail
                      + (attempts > 1 ? " (after " + attempts + " attempts)" : "")
                      + "; try again later")
              : new ApiFailure(ExitCode.FAILURE, status, code, "the server refused: " + detail);
    };
  }

  private static Problem problemOf(HttpResponse<byte[]> response) {
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    if (!contentType.contains("json") || response.body().length == 0) {
      return null;
    }
    try {
      Problem p = Json.MAPPER.readValue(response.body(), Problem.class);
      return p.code() == null && p.title() == null ? null : p;
    } catch (IOException notAProblem) {
      return null;
    }
  }

  private <T> T decode(byte[] body, JavaType type, String path) {
    try {
      return Json.MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new CliFailure(
          ExitCode.UNREACHABLE,
          base
              + " answered "
              + path
              + " with something else than Capstan's JSON: is the URL right?",
          e);
    }
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder b) {
    return b.header("Authorization", "Bearer " + requireToken());
  }

  private String requireToken() {
    return token.orElseThrow(
        () ->
            new CliFailure(
                ExitCode.UNAUTHORIZED,
                "not logged in to " + base + ": run `capstan login` or set CAPSTAN_TOKEN"));
  }

  /** {@code base} may carry a path prefix (an API behind a reverse proxy): keep it. */
  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String videoPath(String id) {
    return "/api/v1/videos/" + encode(id);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static JavaType type(Class<?> c) {
    return Json.MAPPER.constructType(c);
  }
}
