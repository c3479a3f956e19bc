package dev.capstan.cli.events;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.api.Failures;
import dev.capstan.cli.progress.UploadProgress;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.event.VideoEvents;
import dev.capstan.model.video.VideoStatus;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Follows a video until it is ready or failed: over its Server-Sent Events stream (progress as it
 * happens), falling back to polling {@code GET /api/v1/videos/{id}} when the stream cannot be had
 * or breaks off.
 */
public final class ProcessingWatcher {
  private static final Set<String> FINAL =
      Set.of(VideoEventType.READY.wireName(), VideoEventType.FAILED.wireName());
  private static final Duration POLL_EVERY = Duration.ofSeconds(1);

  private final CapstanApi api;
  private final UploadProgress progress;
  private final Terminal terminal;

  public ProcessingWatcher(CapstanApi api, UploadProgress progress, Terminal terminal) {
    this.api = api;
    this.progress = progress;
    this.terminal = terminal;
  }

  /** Waits until the video is ready or failed, at most {@code timeout}; answers its last view. */
  public VideoView await(String videoId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!followEvents(videoId, deadline)) {
        terminal.debug("polling the video's status instead");
      }
      while (true) {
        VideoView video = api.video(videoId);
        if (video.status() == VideoStatus.READY || video.status() == VideoStatus.FAILED) {
          progress.processing(
              video.status().wireName(),
              video.progress() == null ? null : video.progress().percent(),
              video.progress() == null ? null : video.progress().stage(),
              null);
          return video;
        }
        progress.processing(
            video.status().wireName(),
            video.progress() == null ? null : video.progress().percent(),
            video.progress() == null ? null : video.progress().stage(),
            null);
        if (System.nanoTime() > deadline) {
          throw new CliFailure(
              ExitCode.FAILURE,
              "video "
                  + videoId
                  + " is still "
                  + video.status().wireName()
                  + " after "
                  + timeout.toSeconds()
                  + " s; `capstan status "
                  + videoId
                  + "` tells how it goes on");
        }
        try {
          Thread.sleep(POLL_EVERY.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliFailure(ExitCode.INTERRUPTED, "interrupted");
        }
      }
    } finally {
      progress.finishProcessing();
    }
  }

  /**
   * Reads events until a final one.
   *
   * @return true when the stream reached ready or failed; false when it could not be followed
   */
  private boolean followEvents(String videoId, long deadline) {
    HttpResponse<Stream<String>> response;
    try {
      response = api.openEvents(videoId);
    } catch (IOException e) {
      terminal.debug("events unavailable: " + Failures.describe(e));
      return false;
    }
    try (Stream<String> lines = response.body()) {
      if (response.statusCode() != 200) {
        terminal.debug("events unavailable: HTTP " + response.statusCode());
        if (response.statusCode() == 404) {
          throw new CliFailure(ExitCode.NOT_FOUND, "video " + videoId + " is gone");
        }
        return false;
      }
      SseParser parser = new SseParser();
      Iterator<String> it = lines.iterator();
      while (it.hasNext() && System.nanoTime() < deadline) {
        Optional<SseParser.SseEvent> next = parser.feed(it.next());
        if (next.isEmpty()) {
          continue;
        }
        SseParser.SseEvent sse = next.get();
        terminal.debug("event " + sse.name() + " " + sse.data());
        VideoEvent event;
        try {
          event = VideoEvents.decode(sse.data());
        } catch (IllegalArgumentException notOurs) {
          continue;
        }
        if (VideoEventType.DELETED.wireName().equals(event.type())) {
          throw new CliFailure(ExitCode.NOT_FOUND, "video " + videoId + " was deleted meanwhile");
        }
        if (event.status() != null) {
          progress.processing(event.status(), event.percent(), event.stage(), event.etaSeconds());
        }
        if (FINAL.contains(event.type())) {
          return true;
        }
      }
      terminal.debug("the event stream ended early");
      return false;
    } catch (java.io.UncheckedIOException e) {
      terminal.debug("the event stream broke: " + Failures.describe(e.getCause()));
      return false;
    }
  }
}
