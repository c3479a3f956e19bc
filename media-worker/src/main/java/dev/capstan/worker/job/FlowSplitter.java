package dev.capstan.worker.job;

import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.queue.JobQueue;
import dev.capstan.worker.transcode.ChunkEncoder;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.SourceMedia;
import dev.capstan.worker.transcode.TranscodeListener;
import dev.capstan.worker.transcode.TranscodeResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The parent's side of a flow: decides whether a probed source is split, writes its chunk jobs and
 * publishes them, then makes what must be made once for the whole video (the audio rendition; the
 * chunks make the poster candidates and storyboard tiles of their ranges) while other workers
 * encode the chunks, and waits.
 */
@ApplicationScoped
public class FlowSplitter {
  private static final Logger LOG = Logger.getLogger(FlowSplitter.class);

  private final FlowStore flows;
  private final ObjectStore objects;
  private final ChunkEncoder encoder;
  private final JobQueue queue;
  private final JobStore store;
  private final WorkerConfig.Worker settings;

  public FlowSplitter(
      FlowStore flows,
      ObjectStore objects,
      ChunkEncoder encoder,
      JobQueue queue,
      JobStore store,
      WorkerConfig config) {
    this.flows = flows;
    this.objects = objects;
    this.encoder = encoder;
    this.queue = queue;
    this.store = store;
    this.settings = config.worker();
  }

  /** Whether this source is encoded as a flow of chunks rather than by one worker. */
  public boolean splits(SourceMedia media) {
    WorkerConfig.Chunking c = settings.chunking();
    return c.enabled()
        && media.hasVideo()
        && media.rotationDegrees() == 0
        && media.durationSeconds() >= c.minDuration().toMillis() / 1000.0
        && ChunkPlan.of(
                    ChunkEncoder.outputFps(media), media.durationSeconds(), c.segmentsPerChunk())
                .size()
            > 1;
  }

  /** How the parent's part ended. */
  public sealed interface Split {
    /** Chunks written and the parent's part done; it waits for them. */
    record Waiting() implements Split {}

    /** Every chunk was done before the parent's part: finish now under this lease. */
    record FinishNow(Lease lease) implements Split {}

    /** The lease was lost on the way. */
    record Lost() implements Split {}
  }

  /**
   * Writes and publishes the chunk jobs, then encodes the audio under the attempt's prefix and
   * hands the parent over to its chunks.
   */
  public Split split(
      TranscodeJob job, Lease lease, Path source, SourceMedia media, Path dir, TranscodeListener l)
      throws SQLException, IOException {
    long began = System.nanoTime();
    double fps = ChunkEncoder.outputFps(media);
    List<ChunkPlan.Range> plan =
        ChunkPlan.of(fps, media.durationSeconds(), settings.chunking().segmentsPerChunk());
    List<TranscodeJob> chunks = new ArrayList<>();
    for (ChunkPlan.Range r : plan) {
      String id = UUID.randomUUID().toString();
      chunks.add(
          new TranscodeJob(
              id,
              job.videoId(),
              1,
              job.sourceKey(),
              job.traceparent(),
              new ChunkRange(
                  lease.jobId(),
                  lease.attempt(),
                  r.index(),
                  plan.size(),
                  r.startFrame(),
                  r.endFrame(),
                  r.firstSegment(),
                  fps)));
    }
    FlowResults.Parent known =
        new FlowResults.Parent(
            fps,
            media.durationSeconds(),
            media.display().width(),
            media.display().height(),
            media.hasAudio(),
            null);
    Optional<String> lane = flows.startFlow(lease, chunks, FlowResults.write(known));
    if (lane.isEmpty()) {
      return new Split.Lost();
    }
    LOG.infof(
        "job %s: video %s (%.1f s) split into %d chunks",
        lease.jobId(), lease.videoId(), media.durationSeconds(), chunks.size());
    publish(chunks, JobLane.fromWire(lane.get()));

    String prefix = S3Keys.attemptPrefix(lease.videoId(), lease.attempt());
    Path hlsDir = dir.resolve("hls");
    TranscodeResult.HlsAudio hls = encoder.encodeAudio(source, media, hlsDir, l);
    FlowResults.Audio audio = null;
    if (hls != null) {
      try (Stream<Path> files = Files.list(hlsDir)) {
        for (Path f : files.sorted().toList()) {
          String name = f.getFileName().toString();
          objects.putFile(
              S3Keys.hlsPrefix(prefix) + name, f, TranscodeJobProcessor.hlsContentType(name));
        }
      }
      audio =
          new FlowResults.Audio(
              S3Keys.hlsMediaPlaylist(prefix, JavaCvTranscoder.AUDIO_RENDITION),
              hls.peakBitrateBps(),
              hls.averageBitrateBps(),
              hls.codecs(),
              hls.sizeBytes());
    }
    FlowResults.Parent result =
        new FlowResults.Parent(
            known.fps(),
            known.durationSeconds(),
            known.width(),
            known.height(),
            known.hasAudio(),
            audio);
    LOG.infof(
        "job %s: the parent's own part (audio) took %d ms",
        lease.jobId(), (System.nanoTime() - began) / 1_000_000);
    return switch (flows.parentWaits(lease, FlowResults.write(result), settings.lease())) {
      case FlowStore.ParentTurn.Waiting w -> new Split.Waiting();
      case FlowStore.ParentTurn.Finish f -> new Split.FinishNow(f.lease());
      case FlowStore.ParentTurn.Lost x -> new Split.Lost();
    };
  }

  /** Publishes the chunks now; what fails here the API's reconciler publishes later. */
  private void publish(List<TranscodeJob> chunks, JobLane lane) {
    for (TranscodeJob c : chunks) {
      try {
        String entry =
            queue.requeue(
                new JobQueue.Entry(
                    lane, null, JobMessage.encode(JobKinds.TRANSCODE, c.jobId(), c)));
        store.recordPublished(c.jobId(), c.attempt(), entry);
      } catch (Exception e) {
        LOG.warnf(
            "chunk job %s not published yet (%s); the reconciler will", c.jobId(), e.getMessage());
      }
    }
  }
}
