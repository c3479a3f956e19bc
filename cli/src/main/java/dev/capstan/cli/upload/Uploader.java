package dev.capstan.cli.upload;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.api.ApiFailure;
import dev.capstan.cli.api.Backoff;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.progress.ProgressBar;
import dev.capstan.cli.progress.Units;
import dev.capstan.cli.progress.UploadProgress;
import dev.capstan.model.api.UploadMessages.CompletedPart;
import dev.capstan.model.api.UploadMessages.PartUrl;
import dev.capstan.model.api.UploadMessages.ReceivedPart;
import dev.capstan.model.api.UploadMessages.UploadView;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.video.VideoStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Uploads one file straight to the object store: creates the video, starts (or resumes) the
 * multipart upload, sends the missing parts in parallel, and completes it. What it has done is kept
 * in a state file, so an interrupted run is resumed by running the same command again: the server
 * says which parts it has, and only the others are sent.
 */
public final class Uploader {
  /** How an upload is carried out. */
  public record Options(int concurrency, Backoff partBackoff, long limitBytesPerSecond) {}

  /** The outcome: the video (queued, or further along) and how many parts this run sent. */
  public record Uploaded(VideoView video, int partsSent, int partsResumed) {}

  private final CapstanApi api;
  private final UploadStates states;
  private final UploadProgress progress;
  private final Terminal terminal;
  private final Options options;
  private final Clock clock;
  private final Throttle throttle;

  public Uploader(
      CapstanApi api,
      UploadStates states,
      UploadProgress progress,
      Terminal terminal,
      Options options,
      Clock clock) {
    this.api = api;
    this.states = states;
    this.progress = progress;
    this.terminal = terminal;
    this.options = options;
    this.clock = clock;
    this.throttle =
        options.limitBytesPerSecond() > 0
            ? Throttle.of(options.limitBytesPerSecond())
            : Throttle.unlimited();
  }

  public Uploaded upload(SourceFile file, String title) {
    Prepared prepared = prepare(file, title);
    if (prepared.finished() != null) {
      return new Uploaded(prepared.finished(), 0, 0);
    }
    UploadView view = prepared.view();
    UploadState state = prepared.state();
    List<Integer> missing = view.parts().stream().map(PartUrl::partNumber).sorted().toList();
    Set<Integer> missingSet = Set.copyOf(missing);
    Map<Integer, String> etags = new TreeMap<>();
    for (ReceivedPart r : view.received()) {
      if (!missingSet.contains(r.partNumber())) {
        etags.put(r.partNumber(), r.etag());
      }
    }
    int resumed = etags.size();
    if (resumed > 0) {
      terminal.note(
          file.name()
              + ": resuming the upload of video "
              + state.videoId()
              + ", "
              + resumed
              + " of "
              + view.partCount()
              + " parts already stored");
    }
    terminal.debug(
        "video "
            + state.videoId()
            + ", upload "
            + view.uploadId()
            + ": "
            + view.partCount()
            + " parts of "
            + Units.bytes(view.partSize())
            + ", to send: "
            + missing);
    state = state.withParts(etags);
    states.save(file, state);

    long storedBytes = 0;
    for (int n : etags.keySet()) {
      storedBytes += sizeOfPart(view, n);
    }
    progress.start(file.name(), view.sizeBytes(), storedBytes, view.partCount(), resumed);
    PartSender sender =
        new PartSender(
            api.http(),
            new PartUrls(view.parts(), () -> api.upload(prepared.state().videoId())),
            options.partBackoff(),
            throttle,
            options.limitBytesPerSecond(),
            progress,
            terminal,
            file.name(),
            view.partCount());
    StateKeeper keeper = new StateKeeper(file, state);
    Interruption.whileRunning(
        () -> {
          if (progress instanceof ProgressBar bar) {
            bar.abandon();
          }
          terminal.note(
              "capstan: interrupted: "
                  + file.name()
                  + " is resumable ("
                  + keeper.partsDone()
                  + " of "
                  + view.partCount()
                  + " parts stored); run the same command again to continue");
        });
    try {
      sendParts(file, view, missing, sender, keeper);
    } finally {
      Interruption.done();
      progress.finishTransfer();
    }

    if (!file.unchanged()) {
      states.delete(file);
      throw new CliFailure(
          ExitCode.FILE_UNUSABLE,
          file.name() + " changed while it was uploading; run the command again to send it anew");
    }
    List<CompletedPart> parts =
        keeper.etags().entrySet().stream()
            .map(e -> new CompletedPart(e.getKey(), e.getValue()))
            .toList();
    VideoView video;
    try {
      video = api.completeUpload(keeper.state().videoId(), parts);
    } catch (ApiFailure f) {
      if (f.status() == 400 || f.status() == 409) {
        states.delete(file); // the server threw the upload away; the next run starts over
      }
      throw f;
    }
    states.delete(file);
    return new Uploaded(video, missing.size(), resumed);
  }

  private record Prepared(UploadState state, UploadView view, VideoView finished) {}

  /** Finds the upload to resume, or creates the video and starts one. */
  private Prepared prepare(SourceFile file, String title) {
    Optional<UploadState> saved = states.find(file);
    if (saved.isPresent()) {
      UploadState s = saved.get();
      terminal.debug("state " + states.fileOf(file) + ": video " + s.videoId());
      Optional<UploadView> inProgress =
          s.uploadId() == null ? Optional.empty() : api.upload(s.videoId());
      if (inProgress.isPresent()) {
        UploadView v = inProgress.get();
        return new Prepared(s.withUpload(v.uploadId(), v.partSize(), v.partCount()), v, null);
      }
      try {
        VideoView video = api.video(s.videoId());
        if (video.status() != VideoStatus.AWAITING_UPLOAD) {
          states.delete(file);
          terminal.note(file.name() + " was already uploaded as video " + video.id());
          return new Prepared(s, null, video);
        }
        return start(file, s, false);
      } catch (ApiFailure f) {
        if (f.status() != 404) {
          throw f;
        }
        terminal.debug("video " + s.videoId() + " is gone; starting afresh");
        states.delete(file);
      }
    }
    VideoView video = api.createVideo(title);
    UploadState s = UploadState.started(file, video.id(), clock.instant());
    states.save(file, s);
    return start(file, s, true);
  }

  private Prepared start(SourceFile file, UploadState s, boolean createdNow) {
    UploadView view;
    try {
      view = api.startUpload(s.videoId(), file.sizeBytes(), file.contentType());
    } catch (ApiFailure f) {
      if (f.status() == 413 || f.status() == 429 || f.status() == 400) {
        states.delete(file);
        if (createdNow) {
          deleteQuietly(s.videoId());
        }
      }
      if (f.status() == 413) {
        throw new CliFailure(
            ExitCode.TOO_LARGE,
            "cannot upload "
                + file.name()
                + " ("
                + Units.bytes(file.sizeBytes())
                + "): too large for the server, "
                + f.getMessage().replaceFirst("^too large for the server: ", ""));
      }
      throw f;
    }
    UploadState started = s.withUpload(view.uploadId(), view.partSize(), view.partCount());
    states.save(file, started);
    return new Prepared(started, view, null);
  }

  private void deleteQuietly(String videoId) {
    try {
      api.deleteVideo(videoId);
    } catch (CliFailure ignored) {
      // an empty video awaiting its upload is harmless; the server cleans such ones up
    }
  }

  private void sendParts(
      SourceFile file,
      UploadView view,
      List<Integer> missing,
      PartSender sender,
      StateKeeper keeper) {
    if (missing.isEmpty()) {
      return;
    }
    int threads = Math.max(1, Math.min(options.concurrency(), missing.size()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "capstan-part");
              t.setDaemon(true);
              return t;
            });
    try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
      for (int n : missing) {
        done.submit(
            () -> {
              int length = (int) sizeOfPart(view, n);
              byte[] data = new byte[length];
              read(channel, data, (n - 1) * view.partSize());
              String etag = sender.send(n, data, length);
              keeper.stored(n, etag);
              progress.partStored(n, length);
              return n;
            });
      }
      for (int i = 0; i < missing.size(); i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof CliFailure f) {
            throw f;
          }
          if (cause instanceof IOException io) {
            throw new CliFailure(
                ExitCode.FILE_UNUSABLE, "cannot read " + file.name() + ": " + io.getMessage(), io);
          }
          throw new IllegalStateException(cause);
        }
      }
    } catch (IOException e) {
      throw new CliFailure(
          ExitCode.FILE_UNUSABLE, "cannot read " + file.name() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCode.INTERRUPTED, "interrupted");
    } finally {
      pool.shutdownNow();
    }
  }

  private static void read(FileChannel channel, byte[] data, long position) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("the file got shorter while uploading");
      }
    }
  }

  private static long sizeOfPart(UploadView view, int n) {
    return n < view.partCount() ? view.partSize() : view.sizeBytes() - view.partSize() * (n - 1);
  }

  /** The state file, updated (atomically) as each part is stored. */
  private final class StateKeeper {
    private final SourceFile file;
    private UploadState state;

    StateKeeper(SourceFile file, UploadState state) {
      this.file = file;
      this.state = state;
    }

    synchronized void stored(int partNumber, String etag) {
      TreeMap<Integer, String> parts = new TreeMap<>(state.partsDone());
      parts.put(partNumber, etag);
      state = state.withParts(parts);
      states.save(file, state);
    }

    synchronized int partsDone() {
      return state.partsDone().size();
    }

    synchronized Map<Integer, String> etags() {
      return new TreeMap<>(state.partsDone());
    }

    synchronized UploadState state() {
      return state;
    }
  }
}
