package dev.capstan.worker.job;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.FailureReason;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.event.VideoEventPublisher;
import dev.capstan.worker.metrics.WorkerMetrics;
import dev.capstan.worker.registry.WorkerRegistry;
import dev.capstan.worker.storage.SourceDownload;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.MediaRejected;
import dev.capstan.worker.transcode.SourceMedia;
import dev.capstan.worker.transcode.TranscodeListener;
import dev.capstan.worker.transcode.TranscodeResult;
import dev.capstan.worker.transcode.TranscodeStalled;
import dev.capstan.worker.transcode.TranscodeStopped;
import dev.capstan.worker.transcode.Transcoder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Runs one transcode job end to end: take the lease, download, probe, transcode while publishing
 * the HLS segments as they close (the video turns playable on the first), upload the rest under the
 * attempt's prefix, record the result in one transaction. Media problems end the job for good;
 * anything else fails it for a later retry. Nothing is written once the lease is lost.
 */
@ApplicationScoped
public class TranscodeJobProcessor {
  private static final Logger LOG = Logger.getLogger(TranscodeJobProcessor.class);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

  /** How a job ended for this worker. */
  public enum Outcome {
    /** Renditions recorded, video ready. */
    SUCCEEDED,
    /**
     * Our side broke; job FAILED, video queued at stage "retrying" until the reconciler decides.
     */
    FAILED,
    /** The media is the problem, or the job cannot run at all; job DEAD. */
    DEAD,
    /** Not ours to run: finished, or leased by a live worker. */
    SKIPPED,
    /** Another worker took the job over while we ran it; we wrote nothing. */
    LEASE_LOST,
    /** We stopped early (draining) and gave the job back, queued. */
    HANDED_BACK,
    /** The job split the video into chunk jobs and waits for them (a flow's parent). */
    WAITING
  }

  /** The outcome and, for FAILED and DEAD, why. */
  public record Result(Outcome outcome, JobFailure failure) {
    static Result of(Outcome outcome) {
      return new Result(outcome, null);
    }
  }

  private final JobStore store;
  private final ObjectStore objects;
  private final Transcoder transcoder;
  private final WorkerMetrics metrics;
  private final Clock clock;
  private final WorkerConfig.Worker settings;
  private final VideoEventPublisher events;
  private final WorkerRegistry registry;
  @Inject ChunkJobProcessor chunks;
  @Inject FlowSplitter splitter;
  @Inject FlowFinisher finisher;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("lease-heartbeat").daemon().unstarted(r));

  public TranscodeJobProcessor(
      JobStore store,
      ObjectStore objects,
      Transcoder transcoder,
      WorkerMetrics metrics,
      Clock clock,
      WorkerConfig config,
      VideoEventPublisher events,
      WorkerRegistry registry) {
    this.events = events;
    this.registry = registry;
    this.store = store;
    this.objects = objects;
    this.transcoder = transcoder;
    this.metrics = metrics;
    this.clock = clock;
    this.settings = config.worker();
  }

  /**
   * Runs the job if this worker can take it.
   *
   * @param owner the lease owner to write (this worker's id)
   * @param handBack becomes true when the worker is going away: the job stops and is given back
   * @throws SQLException when the database cannot record the outcome; the job then stays leased
   *     until its lease expires
   */
  public Result process(TranscodeJob job, String owner, BooleanSupplier handBack)
      throws SQLException {
    return process(job, JobLane.SHORT, owner, handBack);
  }

  /**
   * As {@link #process(TranscodeJob, String, BooleanSupplier)}, for a job read from {@code lane}.
   */
  public Result process(TranscodeJob job, JobLane lane, String owner, BooleanSupplier handBack)
      throws SQLException {
    Optional<Result> chunk = processChunk(job, lane, owner, handBack);
    if (chunk.isPresent()) {
      return chunk.get();
    }
    JobStore.Claim claim =
        store.claim(job.jobId(), job.videoId(), job.attempt(), owner, settings.lease());
    return switch (claim) {
      case JobStore.Claim.NotAvailable n -> Result.of(Outcome.SKIPPED);
      case JobStore.Claim.Refused r -> {
        refused(job, r.why());
        yield new Result(Outcome.DEAD, new JobFailure(FailureReason.INTERNAL, r.why(), r.why()));
      }
      case JobStore.Claim.Taken t -> runTaken(job, lane, t.lease(), handBack);
    };
  }

  /**
   * Runs a flow's chunk job, which is claimed through its flow rather than with a batch of leases;
   * empty for any other job.
   */
  public Optional<Result> processChunk(
      TranscodeJob job, JobLane lane, String owner, BooleanSupplier handBack) throws SQLException {
    return job.isChunk()
        ? Optional.of(chunks.process(job, lane, owner, handBack))
        : Optional.empty();
  }

  /** Says the job's video failed: its claim found the video unable to be processed. */
  public void refused(TranscodeJob job, String why) {
    events.publish(VideoEvent.status(job.videoId(), "failed", clock.instant()));
  }

  /** Runs a job whose lease is taken ({@link JobStore#claimAll}) to its end. */
  public Result runTaken(TranscodeJob job, JobLane lane, Lease lease, BooleanSupplier handBack)
      throws SQLException {
    metrics.started();
    registry.working(job.jobId(), job.videoId(), job.attempt(), lane);
    try {
      events.publish(VideoEvent.status(job.videoId(), "processing", clock.instant()));
      Result result = run(job, lease, handBack);
      announce(job.videoId(), result);
      return result;
    } finally {
      registry.idle();
    }
  }

  private void announce(String videoId, Result result) {
    Instant now = clock.instant();
    switch (result.outcome()) {
      case SUCCEEDED -> {
        events.publish(VideoEvent.status(videoId, "ready", now));
        events.publish(VideoEvent.ready(videoId, now));
      }
      case DEAD -> {
        events.publish(VideoEvent.status(videoId, "failed", now));
        JobFailure f = result.failure();
        events.publish(VideoEvent.failed(videoId, f.reason().code(), f.readableMessage(), now));
      }
      case FAILED, HANDED_BACK -> events.publish(VideoEvent.status(videoId, "queued", now));
      case SKIPPED, LEASE_LOST, WAITING -> {
        // Not ours any more: whoever owns the video now reports its changes.
      }
    }
  }

  private Result run(TranscodeJob job, Lease lease, BooleanSupplier handBack) throws SQLException {
    metrics.busy(true);
    Path dir = null;
    Instant jobStarted = clock.instant();
    ProgressReporter progress =
        new ProgressReporter(
            clock,
            PROGRESS_INTERVAL,
            (percent, stage) -> reportProgress(lease, jobStarted, percent, stage));
    boolean uploaded = false;
    boolean splitting = false;
    StageLog stages = new StageLog(lease.jobId());
    SourceDownload download = null;
    SegmentPublisher publisher = null;
    AtomicReference<SegmentPublisher> publishing = new AtomicReference<>();
    try (LeaseKeeper keeper =
        new LeaseKeeper(store, lease, settings.lease(), settings.heartbeat(), clock, heartbeats)) {
      TranscodeListener listener =
          new TranscodeListener() {
            @Override
            public void progress(double fraction) {
              progress.within(fraction);
            }

            @Override
            public boolean shouldStop() {
              return handBack.getAsBoolean() || keeper.lost();
            }

            @Override
            public void hlsTargetDuration(int seconds) {
              SegmentPublisher p = publishing.get();
              if (p != null) {
                p.videoTargetDuration(seconds);
              }
            }
          };
      try {
        Files.createDirectories(settings.workDir());
        dir = Files.createTempDirectory(settings.workDir(), "capstan-job-");
        progress.enter(ProgressStage.DOWNLOADING);
        // No file extension: FFmpeg must recognise the format from the bytes alone. The download
        // runs on while the source is probed (and, for a flow's copy, stream-copied) from its head.
        download = startDownload(job, dir.resolve("source"), listener);
        stages.reached("source download started (" + download.size() + " bytes)");
        stopIfAsked(listener);

        progress.enter(ProgressStage.PROBING);
        SourceMedia media = probe(download, listener);
        stages.reached("probed");
        stopIfAsked(listener);

        if (splitter.splits(media)) {
          progress.enter(ProgressStage.TRANSCODING);
          // A copyable source's top rung is published as it is copied: if the split fails, what
          // it wrote goes with the failed attempt.
          splitting = true;
          return switch (splitter.split(
              job, lease, download, media, dir, listener, keeper::lost, stages)) {
            case FlowSplitter.Split.Waiting w -> Result.of(Outcome.WAITING);
            case FlowSplitter.Split.Lost l -> Result.of(Outcome.LEASE_LOST);
            case FlowSplitter.Split.FinishNow f -> {
              keeper.close();
              yield finisher.finish(f.lease(), handBack, false);
            }
          };
        }

        Path source = awaitSource(download, listener);
        stages.reached("source downloaded");
        progress.enter(ProgressStage.TRANSCODING);
        long started = System.nanoTime();
        // Segments go to the store as the muxers close them; the video turns playable on the
        // first one (see SegmentPublisher).
        uploaded = true;
        publisher =
            new SegmentPublisher(
                objects,
                store,
                events,
                clock,
                lease,
                media,
                dir.resolve("hls"),
                keeper::lost,
                stages);
        publishing.set(publisher);
        publisher.start(settings.publishEvery());
        TranscodeResult result = transcoder.transcode(source, media, dir, listener);
        metrics.transcoded(Duration.ofNanos(System.nanoTime() - started), media.durationSeconds());
        stopIfAsked(listener);
        publisher.finish();
        if (publisher.stopped()) {
          LOG.warnf("job %s: lease lost while publishing, nothing more written", lease.jobId());
          return Result.of(Outcome.LEASE_LOST);
        }

        progress.enter(ProgressStage.UPLOADING);
        String prefix = S3Keys.attemptPrefix(lease.videoId(), lease.attempt());
        List<JobStore.RenditionRow> rows = upload(prefix, result, publisher.uploadedFiles());
        stopIfAsked(listener);

        Set<String> announced = publisher.announced();
        boolean recorded =
            store.recordSuccess(lease, success(prefix, media, result, rows), announced);
        if (!recorded) {
          LOG.warnf("job %s: lease lost before the result was recorded", lease.jobId());
          return Result.of(Outcome.LEASE_LOST);
        }
        LOG.infof(
            "job %s: video %s ready (%.1f s of %s %s)",
            lease.jobId(),
            lease.videoId(),
            media.durationSeconds(),
            media.videoCodec(),
            media.display());
        // One event per playable rendition, before the video's own ready (in announce).
        Instant renditionsAt = clock.instant();
        for (JobStore.RenditionRow r : rows) {
          if (JobStore.announcesItself(r) && !announced.contains(JobStore.renditionId(r))) {
            events.publish(
                VideoEvent.renditionReady(lease.videoId(), JobStore.renditionId(r), renditionsAt));
          }
        }
        return Result.of(Outcome.SUCCEEDED);
      } catch (TranscodeStopped e) {
        if (keeper.lost()) {
          LOG.warnf("job %s: lease lost, stopped without writing", lease.jobId());
          return Result.of(Outcome.LEASE_LOST);
        }
        return store.handBack(lease)
            ? Result.of(Outcome.HANDED_BACK)
            : Result.of(Outcome.LEASE_LOST);
      } catch (TranscodeStalled e) {
        LOG.warnf("job %s: video %s stalled: %s", lease.jobId(), lease.videoId(), e.getMessage());
        removePublished(lease, publisher, keeper, splitting);
        return fail(lease, JobState.FAILED, JobFailure.ofStall(e.getMessage()), Outcome.FAILED);
      } catch (MediaRejected e) {
        JobFailure failure = JobFailure.ofMedia(e.reason(), e.detail());
        LOG.infof(
            "job %s: video %s rejected: %s",
            lease.jobId(), lease.videoId(), failure.technicalDetail());
        removePublished(lease, publisher, keeper, splitting);
        return fail(lease, JobState.DEAD, failure, Outcome.DEAD);
      } catch (Exception e) {
        LOG.errorf(e, "job %s: video %s failed", lease.jobId(), lease.videoId());
        if ((uploaded || splitting) && !keeper.lost()) {
          removeQuietly(S3Keys.attemptPrefix(lease.videoId(), lease.attempt()));
        }
        return fail(lease, JobState.FAILED, JobFailure.ofInternal(e), Outcome.FAILED);
      }
    } finally {
      if (publisher != null) {
        publisher.close();
      }
      if (download != null) {
        download.close();
      }
      WorkFolder.delete(dir);
      metrics.busy(false);
    }
  }

  /**
   * Files a failed attempt published while it ran (or, a flow's parent, while it split: its copy)
   * go, unless another worker owns them now.
   */
  private void removePublished(
      Lease lease, SegmentPublisher publisher, LeaseKeeper keeper, boolean splitting) {
    if (keeper.lost()) {
      return;
    }
    boolean published = publisher != null && publisher.publishedAny();
    if (published || splitting) {
      if (publisher != null) {
        publisher.close();
      }
      removeQuietly(S3Keys.attemptPrefix(lease.videoId(), lease.attempt()));
    }
  }

  /**
   * The HLS folder under {@code {prefix}hls/}, each file with its content type, but for those
   * already published as they are.
   */
  private void uploadHls(String prefix, TranscodeResult.HlsOutput hls, Set<String> published)
      throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(hls.dir())) {
      files =
          listing
              .filter(Files::isRegularFile)
              .filter(f -> !published.contains(f.getFileName().toString()))
              .sorted()
              .toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      objects.putFile(S3Keys.hlsPrefix(prefix) + name, file, hlsContentType(name));
    }
  }

  static String hlsContentType(String fileName) {
    if (fileName.endsWith(".m3u8")) {
      return "application/vnd.apple.mpegurl";
    }
    if (fileName.endsWith(".ts")) {
      return "video/mp2t";
    }
    if (fileName.startsWith(JavaCvTranscoder.AUDIO_RENDITION + "_")) {
      return "audio/mp4";
    }
    return "video/mp4";
  }

  /** Starts the source's download; the file is readable as it arrives. */
  private SourceDownload startDownload(TranscodeJob job, Path target, TranscodeListener listener)
      throws IOException {
    String key = job.sourceKey() != null ? job.sourceKey() : S3Keys.source(job.videoId());
    SourceDownload download;
    try {
      download =
          SourceDownload.start(objects, key, target, settings.stallTimeout(), listener::shouldStop);
    } catch (ObjectNotFoundException e) {
      throw new MediaRejected(FailureReason.SOURCE_MISSING, null);
    }
    if (download.size() == 0) {
      download.close();
      throw new MediaRejected(FailureReason.SOURCE_EMPTY, null);
    }
    return download;
  }

  /** Probes the source from what has arrived of it. */
  private SourceMedia probe(SourceDownload download, TranscodeListener listener) {
    try {
      return transcoder.probe(download);
    } catch (UncheckedIOException e) {
      stopIfAsked(listener); // the wait for the source ended because the job is stopping
      throw e;
    }
  }

  /** The whole source, once it has arrived. */
  static Path awaitSource(SourceDownload download, TranscodeListener listener) {
    try {
      return download.await();
    } catch (IOException e) {
      stopIfAsked(listener);
      throw new UncheckedIOException(e);
    }
  }

  private Result fail(Lease lease, JobState state, JobFailure failure, Outcome outcome)
      throws SQLException {
    if (!store.recordFailure(lease, state, failure)) {
      LOG.warnf("job %s: lease lost before the failure was recorded", lease.jobId());
      return Result.of(Outcome.LEASE_LOST);
    }
    return new Result(outcome, failure);
  }

  /**
   * Uploads every output under the attempt's prefix and returns the rows that record them: the
   * download (MP4, or M4A for audio only), the poster, the storyboard sheet and cues, one row per
   * HLS rung, the audio rendition and the master playlist.
   */
  private List<JobStore.RenditionRow> upload(
      String prefix, TranscodeResult r, Set<String> published) throws IOException {
    List<JobStore.RenditionRow> rows = new ArrayList<>();
    TranscodeResult.OutputFile download = r.download();
    if (r.audioOnly()) {
      String key = S3Keys.downloadM4a(prefix);
      objects.putFile(key, download.path(), "audio/mp4");
      rows.add(row("m4a", "audio", null, download, key));
    } else {
      String key = S3Keys.downloadMp4(prefix);
      objects.putFile(key, download.path(), "video/mp4");
      rows.add(row("mp4", RenditionLadder.DOWNLOAD.name(), download.size(), download, key));
    }
    TranscodeResult.OutputFile poster = r.poster();
    String posterKey = S3Keys.thumbnail(prefix);
    objects.putFile(posterKey, poster.path(), "image/jpeg");
    rows.add(row("thumbnail", "poster", poster.size(), poster, posterKey));
    TranscodeResult.Storyboard board = r.storyboard();
    if (board != null) {
      String image = S3Keys.storyboardImage(prefix);
      String vtt = S3Keys.storyboardVtt(prefix);
      objects.putFile(image, board.sprite(), "image/jpeg");
      objects.putFile(vtt, board.vtt(), "text/vtt");
      rows.add(
          new JobStore.RenditionRow(
              "storyboard",
              "sprite",
              board.sheet().width(),
              board.sheet().height(),
              null,
              null,
              image,
              board.spriteBytes()));
      rows.add(
          new JobStore.RenditionRow(
              "storyboard",
              "vtt",
              board.tile().width(),
              board.tile().height(),
              null,
              null,
              vtt,
              board.vttBytes()));
    }
    TranscodeResult.HlsOutput hls = r.hls();
    uploadHls(prefix, hls, published);
    long hlsBytes = Files.size(hls.master());
    for (TranscodeResult.HlsRung rung : hls.rungs()) {
      hlsBytes += rung.sizeBytes();
      rows.add(
          new JobStore.RenditionRow(
              "hls_rung",
              rung.rung().name(),
              rung.size().width(),
              rung.size().height(),
              (int) Math.round(rung.averageBitrateBps() / 1000.0),
              rung.codecs(),
              S3Keys.hlsMediaPlaylist(prefix, rung.rung().name()),
              rung.sizeBytes()));
    }
    TranscodeResult.HlsAudio audio = hls.audio();
    if (audio != null) {
      hlsBytes += audio.sizeBytes();
      rows.add(
          new JobStore.RenditionRow(
              "hls_audio",
              JavaCvTranscoder.AUDIO_RENDITION,
              null,
              null,
              (int) Math.round(audio.averageBitrateBps() / 1000.0),
              audio.codecs(),
              S3Keys.hlsMediaPlaylist(prefix, JavaCvTranscoder.AUDIO_RENDITION),
              audio.sizeBytes()));
    }
    // The master row: the tree as a whole (size of every file), sized as its top rung.
    TranscodeResult.HlsRung top = hls.rungs().isEmpty() ? null : hls.rungs().get(0);
    rows.add(
        new JobStore.RenditionRow(
            "hls",
            "master",
            top == null ? null : top.size().width(),
            top == null ? null : top.size().height(),
            null,
            top == null
                ? audio.codecs()
                : audio == null ? top.codecs() : top.codecs() + "," + audio.codecs(),
            S3Keys.hlsMaster(prefix),
            hlsBytes));
    return rows;
  }

  private static JobStore.RenditionRow row(
      String kind,
      String name,
      dev.capstan.model.media.Dimensions size,
      TranscodeResult.OutputFile file,
      String key) {
    return new JobStore.RenditionRow(
        kind,
        name,
        size == null ? null : size.width(),
        size == null ? null : size.height(),
        file.bitrateKbps(),
        file.codecs(),
        key,
        file.sizeBytes());
  }

  private static JobStore.Success success(
      String prefix, SourceMedia media, TranscodeResult r, List<JobStore.RenditionRow> rows) {
    return new JobStore.Success(
        prefix,
        r.durationSeconds(),
        media.hasVideo() ? media.display().width() : null,
        media.hasVideo() ? media.display().height() : null,
        media.hasVideo() && media.fps() > 0 ? media.fps() : null,
        media.hasAudio(),
        List.copyOf(rows));
  }

  static void stopIfAsked(TranscodeListener listener) {
    if (listener.shouldStop()) {
      throw new TranscodeStopped("stopped between steps");
    }
  }

  private void reportProgress(Lease lease, Instant started, int percent, ProgressStage stage) {
    Instant now = clock.instant();
    registry.progress(percent, stage.wireName());
    events.publish(
        VideoEvent.progress(
            lease.videoId(), percent, stage.wireName(), eta(started, now, percent), now));
    writeProgress(lease, percent, stage, eta(started, now, percent));
  }

  /**
   * Seconds left, assuming the rest goes as fast as what is done: elapsed × (100 − p) / p. Unknown
   * (null) before the first percent.
   */
  static Double eta(Instant started, Instant now, int percent) {
    if (percent <= 0) {
      return null;
    }
    if (percent >= 100) {
      return 0.0;
    }
    double elapsed = Duration.between(started, now).toMillis() / 1000.0;
    return Math.round(elapsed * (100 - percent) / percent * 10) / 10.0;
  }

  private void writeProgress(Lease lease, int percent, ProgressStage stage, Double eta) {
    try {
      store.progress(lease.videoId(), percent, stage, eta);
    } catch (SQLException | RuntimeException e) {
      // Progress is a courtesy; the job goes on without it.
      LOG.debugf(e, "job %s: progress not written", lease.jobId());
    }
  }

  private void removeQuietly(String prefix) {
    try {
      objects.deletePrefix(prefix);
    } catch (RuntimeException e) {
      LOG.debugf(e, "could not remove partial output under %s", prefix);
    }
  }

  @PreDestroy
  void close() {
    heartbeats.shutdownNow();
  }
}
