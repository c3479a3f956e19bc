package dev.capstan.worker.job;

import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.FailureReason;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.job.TranscodeJobProcessor.Result;
import dev.capstan.worker.metrics.WorkerMetrics;
import dev.capstan.worker.registry.WorkerRegistry;
import dev.capstan.worker.transcode.ChunkEncoder;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Runs one child job of a flow: take its lease, download the source, encode the chunk's range for
 * every rung (or, the audio child, the audio rendition of the whole video), upload its segments,
 * storyboard tiles and poster candidate into the HLS folder of the parent's attempt (names unique
 * to this chunk attempt), and record them while counting the parent down. The worker that records
 * the last chunk runs the flow's finishing step. A transient failure fails this chunk alone (the
 * reconciler retries it); bad media ends the whole flow.
 */
@ApplicationScoped
public class ChunkJobProcessor {
  private static final Logger LOG = Logger.getLogger(ChunkJobProcessor.class);

  private final FlowStore flows;
  private final JobStore store;
  private final ObjectStore objects;
  private final Transcoder transcoder;
  private final ChunkEncoder encoder;
  private final FlowFinisher finisher;
  private final WorkerMetrics metrics;
  private final WorkerRegistry registry;
  private final Clock clock;
  private final WorkerConfig.Worker settings;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("chunk-lease-heartbeat").daemon().unstarted(r));

  public ChunkJobProcessor(
      FlowStore flows,
      JobStore store,
      ObjectStore objects,
      Transcoder transcoder,
      ChunkEncoder encoder,
      FlowFinisher finisher,
      WorkerMetrics metrics,
      WorkerRegistry registry,
      Clock clock,
      WorkerConfig config) {
    this.flows = flows;
    this.store = store;
    this.objects = objects;
    this.transcoder = transcoder;
    this.encoder = encoder;
    this.finisher = finisher;
    this.metrics = metrics;
    this.registry = registry;
    this.clock = clock;
    this.settings = config.worker();
  }

  public Result process(TranscodeJob job, JobLane lane, String owner, BooleanSupplier handBack)
      throws SQLException {
    return switch (flows.claimChunk(job, owner, settings.lease())) {
      case FlowStore.ChunkClaim.NotAvailable n -> Result.of(Outcome.SKIPPED);
      case FlowStore.ChunkClaim.Superseded s -> {
        LOG.infof("chunk job %s: %s; ended", job.jobId(), s.why());
        yield Result.of(Outcome.SKIPPED);
      }
      case FlowStore.ChunkClaim.Taken t -> {
        metrics.started();
        registry.working(job.jobId(), job.videoId(), job.attempt(), lane);
        try {
          yield run(job, t.lease(), handBack);
        } finally {
          registry.idle();
        }
      }
    };
  }

  private Result run(TranscodeJob job, Lease lease, BooleanSupplier handBack) throws SQLException {
    metrics.busy(true);
    ChunkRange range = job.chunk();
    Path dir = null;
    boolean uploaded = false;
    String filePrefix = S3Keys.chunkFileNamePrefix(range.index(), job.attempt());
    String parentPrefix = S3Keys.attemptPrefix(job.videoId(), range.parentAttempt());
    FlowStore.ChunkDone done;
    long began = System.nanoTime();
    long encodeNanos = 0;
    try (LeaseKeeper keeper =
        new LeaseKeeper(store, lease, settings.lease(), settings.heartbeat(), clock, heartbeats)) {
      TranscodeListener listener =
          new TranscodeListener() {
            @Override
            public void progress(double fraction) {}

            @Override
            public boolean shouldStop() {
              return handBack.getAsBoolean() || keeper.lost();
            }
          };
      try {
        Files.createDirectories(settings.workDir());
        dir = Files.createTempDirectory(settings.workDir(), "capstan-chunk-");
        Path source = dir.resolve("source");
        try {
          objects.download(job.sourceKey(), source);
        } catch (ObjectNotFoundException e) {
          throw new MediaRejected(FailureReason.SOURCE_MISSING, null);
        }
        SourceMedia media = transcoder.probe(source);
        String result;
        if (range.audio()) {
          long started = System.nanoTime();
          Path hlsDir = dir.resolve("hls");
          TranscodeResult.HlsAudio hls =
              encoder.encodeAudio(
                  source, media, hlsDir, filePrefix + JavaCvTranscoder.AUDIO_RENDITION, listener);
          encodeNanos = System.nanoTime() - started;
          if (hls == null) {
            throw new IllegalStateException("the source has no audio to encode");
          }
          if (listener.shouldStop()) {
            throw new TranscodeStopped("stopped before upload");
          }
          uploaded = true;
          try (Stream<Path> files = Files.list(hlsDir)) {
            for (Path f : files.sorted().toList()) {
              String name = f.getFileName().toString();
              objects.putFile(
                  S3Keys.hlsPrefix(parentPrefix) + name,
                  f,
                  TranscodeJobProcessor.hlsContentType(name));
            }
          }
          FlowResults.Audio audio =
              new FlowResults.Audio(
                  S3Keys.hlsPrefix(parentPrefix) + hls.playlist().getFileName(),
                  hls.peakBitrateBps(),
                  hls.averageBitrateBps(),
                  hls.codecs(),
                  hls.sizeBytes());
          result =
              FlowResults.write(
                  new FlowResults.Chunk(
                      range.parentAttempt(), range.index(), 0, List.of(), null, null, audio));
        } else {
          long started = System.nanoTime();
          ChunkEncoder.ChunkOutput out =
              encoder.encodeChunk(
                  source,
                  media,
                  new ChunkEncoder.ChunkSpec(
                      range.startFrame(),
                      range.endFrame(),
                      range.firstSegment(),
                      filePrefix,
                      java.util.Set.copyOf(range.keyframes()),
                      range.copiedRung()),
                  dir.resolve("hls"),
                  listener);
          encodeNanos = System.nanoTime() - started;
          metrics.transcoded(java.time.Duration.ofNanos(encodeNanos), out.frames() / range.fps());
          if (listener.shouldStop()) {
            throw new TranscodeStopped("stopped before upload");
          }
          uploaded = true;
          List<FlowResults.Rung> rungs = new ArrayList<>();
          for (ChunkEncoder.RungOutput r : out.rungs()) {
            String initKey = S3Keys.hlsPrefix(parentPrefix) + r.init().getFileName();
            objects.putFile(initKey, r.init(), "video/mp4");
            List<FlowResults.Segment> segments = new ArrayList<>();
            for (ChunkEncoder.Segment s : r.segments()) {
              String key = S3Keys.hlsPrefix(parentPrefix) + s.file().getFileName();
              objects.putFile(key, s.file(), "video/mp4");
              segments.add(new FlowResults.Segment(key, s.frames(), Files.size(s.file())));
            }
            rungs.add(
                new FlowResults.Rung(
                    r.rung().name(),
                    r.size().width(),
                    r.size().height(),
                    r.level(),
                    ChunkEncoder.avcCodecs(r.init()),
                    initKey,
                    sha256(r.init()),
                    List.copyOf(segments)));
          }
          ChunkEncoder.Strip strip = out.storyboard();
          String tilesKey = null;
          if (strip.tiles() > 0) {
            tilesKey = S3Keys.hlsPrefix(parentPrefix) + strip.png().getFileName();
            objects.putFile(tilesKey, strip.png(), "image/png");
          }
          FlowResults.Tiles tiles =
              new FlowResults.Tiles(tilesKey, strip.firstTile(), strip.tiles());
          FlowResults.Poster poster = null;
          if (out.poster() != null) {
            ChunkEncoder.PosterCandidate p = out.poster();
            String key = S3Keys.hlsPrefix(parentPrefix) + p.jpeg().getFileName();
            objects.putFile(key, p.jpeg(), "image/jpeg");
            poster =
                new FlowResults.Poster(
                    key, p.size().width(), p.size().height(), Files.size(p.jpeg()), p.score());
          }
          result =
              FlowResults.write(
                  new FlowResults.Chunk(
                      range.parentAttempt(),
                      range.index(),
                      out.frames(),
                      rungs,
                      tiles,
                      poster,
                      null));
        }
        done = flows.completeChunk(lease, job, result, settings.lease());
      } catch (TranscodeStopped e) {
        if (keeper.lost()) {
          return Result.of(Outcome.LEASE_LOST);
        }
        return flows.handBackChunk(lease)
            ? Result.of(Outcome.HANDED_BACK)
            : Result.of(Outcome.LEASE_LOST);
      } catch (MediaRejected e) {
        JobFailure failure = JobFailure.ofMedia(e.reason(), e.detail());
        LOG.infof("chunk job %s rejected: %s", lease.jobId(), failure.technicalDetail());
        flows.endFlow(range.parentJobId(), range.parentAttempt(), failure.technicalDetail());
        // The flow's output is the parent attempt's, whatever this chunk's own attempt number.
        if (!store.recordFailure(lease, range.parentAttempt(), JobState.DEAD, failure)) {
          return Result.of(Outcome.LEASE_LOST);
        }
        try {
          objects.deletePrefix(parentPrefix);
        } catch (RuntimeException d) {
          LOG.debugf(
              d, "could not remove the output of the failed flow of video %s", job.videoId());
        }
        return new Result(Outcome.DEAD, failure);
      } catch (TranscodeStalled e) {
        return failChunk(lease, JobFailure.ofStall(e.getMessage()), uploaded, job, keeper);
      } catch (Exception e) {
        LOG.errorf(e, "chunk job %s of video %s failed", lease.jobId(), lease.videoId());
        return failChunk(lease, JobFailure.ofInternal(e), uploaded, job, keeper);
      }
    } finally {
      WorkFolder.delete(dir);
      metrics.busy(false);
    }
    return settled(job, done, began, encodeNanos, handBack);
  }

  /** After a child's success was recorded: logged, and the flow finished if it was the last. */
  private Result settled(
      TranscodeJob job,
      FlowStore.ChunkDone done,
      long began,
      long encodeNanos,
      BooleanSupplier handBack)
      throws SQLException {
    // The benchmark reads these lines: "chunk N ... done in" for the picture chunks only.
    String what = job.chunk().audio() ? "the audio rendition" : "chunk " + job.chunk().index();
    return switch (done) {
      case FlowStore.ChunkDone.Lost l -> Result.of(Outcome.LEASE_LOST);
      case FlowStore.ChunkDone.Recorded r -> {
        LOG.infof(
            "%s of video %s %s %d ms (encode %d ms); %d of %d left",
            what,
            job.videoId(),
            job.chunk().audio() ? "made in" : "done in",
            (System.nanoTime() - began) / 1_000_000,
            encodeNanos / 1_000_000,
            r.pending(),
            r.count());
        yield Result.of(Outcome.SUCCEEDED);
      }
      case FlowStore.ChunkDone.FinishFlow f -> {
        LOG.infof(
            "%s of video %s %s %d ms (encode %d ms); the last, finishing the flow",
            what,
            job.videoId(),
            job.chunk().audio() ? "made in" : "done in",
            (System.nanoTime() - began) / 1_000_000,
            encodeNanos / 1_000_000);
        Result finished = finisher.finish(f.parentLease(), handBack, true);
        // The chunk itself succeeded whatever the finishing step did; the parent row says the rest.
        yield finished.outcome() == Outcome.SUCCEEDED ? finished : Result.of(Outcome.SUCCEEDED);
      }
    };
  }

  private Result failChunk(
      Lease lease, JobFailure failure, boolean uploaded, TranscodeJob job, LeaseKeeper keeper)
      throws SQLException {
    if (uploaded && !keeper.lost()) {
      try {
        objects.deletePrefix(
            S3Keys.chunkFilePrefix(
                S3Keys.attemptPrefix(job.videoId(), job.chunk().parentAttempt()),
                job.chunk().index(),
                job.attempt()));
      } catch (RuntimeException e) {
        LOG.debugf(e, "could not remove the partial output of chunk job %s", job.jobId());
      }
    }
    if (!flows.failChunk(lease, failure)) {
      return Result.of(Outcome.LEASE_LOST);
    }
    return new Result(Outcome.FAILED, failure);
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @PreDestroy
  void close() {
    heartbeats.shutdownNow();
  }
}
