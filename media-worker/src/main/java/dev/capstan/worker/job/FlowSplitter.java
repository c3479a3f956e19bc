package dev.capstan.worker.job;

import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.event.VideoEventPublisher;
import dev.capstan.worker.queue.JobQueue;
import dev.capstan.worker.storage.SourceDownload;
import dev.capstan.worker.transcode.ChunkEncoder;
import dev.capstan.worker.transcode.HlsFolder;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.SourceMedia;
import dev.capstan.worker.transcode.StreamCopyHls;
import dev.capstan.worker.transcode.TranscodeListener;
import dev.capstan.worker.transcode.TranscodeResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The parent's side of a flow: decides whether a probed source is split, writes its child jobs (the
 * picture chunks, and the audio child that encodes the audio rendition of the whole video; the
 * chunks make the poster candidates and storyboard tiles of their ranges) and publishes them, and
 * waits.
 */
@ApplicationScoped
public class FlowSplitter {
  private static final Logger LOG = Logger.getLogger(FlowSplitter.class);

  private final FlowStore flows;
  private final ObjectStore objects;
  private final JobQueue queue;
  private final JobStore store;
  private final VideoEventPublisher events;
  private final Clock clock;
  private final WorkerConfig.Worker settings;

  public FlowSplitter(
      FlowStore flows,
      ObjectStore objects,
      JobQueue queue,
      JobStore store,
      VideoEventPublisher events,
      Clock clock,
      WorkerConfig config) {
    this.events = events;
    this.clock = clock;
    this.flows = flows;
    this.objects = objects;
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
   * Writes and publishes the child jobs and hands the parent over to them. A source that already is
   * what the top rung would be is first stream-copied into the top rung and the audio rendition,
   * published as it is written (the video turns playable in seconds, whatever its length); the
   * chunks are then cut where the copy's segments start and encode the other rungs with keyframes
   * exactly there.
   *
   * @param source the source, maybe still arriving: the copy runs right behind its download
   * @param lost true once the parent's lease is gone
   * @param stages where the copy's progress is logged
   */
  Split split(
      TranscodeJob job,
      Lease lease,
      SourceDownload source,
      SourceMedia media,
      Path dir,
      TranscodeListener l,
      BooleanSupplier lost,
      StageLog stages)
      throws SQLException, IOException {
    long began = System.nanoTime();
    double fps = ChunkEncoder.outputFps(media);
    String prefix = S3Keys.attemptPrefix(lease.videoId(), lease.attempt());
    Path hlsDir = dir.resolve("hls");
    Files.createDirectories(hlsDir);
    StreamCopyHls.Copied copied = null;
    FlowResults.Copied copiedRung = null;
    List<Rung> ladder = RenditionLadder.forSource(media.display());
    Rung top = ladder.get(0);
    Dimensions topSize = RenditionLadder.outputSize(media.display(), top);
    if (ladder.size() > 1 && StreamCopyHls.canCopy(media, top, topSize)) {
      try (SegmentPublisher publisher =
          new SegmentPublisher(objects, store, events, clock, lease, media, hlsDir, lost, stages)) {
        publisher.start(settings.publishEvery());
        stages.reached("stream copy started");
        copied =
            StreamCopyHls.copyIfSuitable(
                source, media, top, topSize, hlsDir, publishingTo(publisher, l));
        stages.reached(
            (copied == null ? "not copied" : "stream copy written")
                + " (source download took "
                + source.tookMillis()
                + " ms)");
        publisher.finish();
        if (publisher.stopped()) {
          return new Split.Lost();
        }
      }
      if (copied != null) {
        copiedRung = copiedRung(hlsDir, prefix, top, topSize);
        LOG.infof(
            "job %s: %s stream-copied and published in %d ms",
            lease.jobId(), top.name(), (System.nanoTime() - began) / 1_000_000);
      }
    }
    int perChunk = settings.chunking().segmentsPerChunk();
    List<ChunkPlan.Range> plan;
    List<Long> cuts = List.of();
    if (copied != null) {
      List<Long> starts = new ArrayList<>();
      starts.add(0L);
      starts.addAll(copied.keyframeSlots(fps).stream().sorted().toList());
      cuts = List.copyOf(starts);
      plan = ChunkPlan.ofCuts(cuts, perChunk);
    } else {
      plan = ChunkPlan.of(fps, media.durationSeconds(), perChunk);
    }
    List<TranscodeJob> chunks = new ArrayList<>();
    for (ChunkPlan.Range r :
        ChunkPlan.dispatchOrder(plan, Math.round(media.durationSeconds() * fps))) {
      String id = UUID.randomUUID().toString();
      List<Long> keyframes =
          cuts.stream().filter(f -> f >= r.startFrame() && f < r.endFrame()).toList();
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
                  fps,
                  keyframes,
                  copied == null ? null : top.name(),
                  false)));
    }
    // The audio rendition: copied with the top rung, or encoded once for the whole video by its
    // own child job, beside the chunks, on whichever worker takes it. Queued first: it is short
    // (no picture decoded), and the video plays once it and chunk 0 are there.
    FlowResults.Audio audio = null;
    if (copied != null && copied.audioCopied()) {
      TranscodeResult.HlsAudio hls =
          ChunkEncoder.readAudio(hlsDir, JavaCvTranscoder.AUDIO_RENDITION);
      audio =
          new FlowResults.Audio(
              S3Keys.hlsMediaPlaylist(prefix, JavaCvTranscoder.AUDIO_RENDITION),
              hls.peakBitrateBps(),
              hls.averageBitrateBps(),
              hls.codecs(),
              hls.sizeBytes());
    } else if (media.hasAudio()) {
      chunks.addFirst(
          new TranscodeJob(
              UUID.randomUUID().toString(),
              job.videoId(),
              1,
              job.sourceKey(),
              job.traceparent(),
              ChunkRange.audioOf(lease.jobId(), lease.attempt(), plan.size(), fps)));
    }
    FlowResults.Parent known =
        new FlowResults.Parent(
            fps,
            media.durationSeconds(),
            media.display().width(),
            media.display().height(),
            media.hasAudio(),
            audio,
            copiedRung);
    Optional<String> lane = flows.startFlow(lease, chunks, FlowResults.write(known));
    if (lane.isEmpty()) {
      return new Split.Lost();
    }
    LOG.infof(
        "job %s: video %s (%.1f s) split into %d chunks%s",
        lease.jobId(),
        lease.videoId(),
        media.durationSeconds(),
        plan.size(),
        chunks.size() > plan.size() ? " and the audio" : "");
    publish(chunks, JobLane.fromWire(lane.get()));
    stages.reached(chunks.size() + " child jobs published");
    LOG.infof(
        "job %s: the parent's own part (%s) took %d ms",
        lease.jobId(),
        copied == null ? "probe, split" : "probe, copy, split",
        (System.nanoTime() - began) / 1_000_000);
    return switch (flows.parentWaits(lease, settings.lease())) {
      case FlowStore.ParentTurn.Waiting w -> new Split.Waiting();
      case FlowStore.ParentTurn.Finish f -> new Split.FinishNow(f.lease());
      case FlowStore.ParentTurn.Lost x -> new Split.Lost();
    };
  }

  /**
   * The copy's listener: the target duration its keyframes need goes to the publisher, so the
   * copied playlist has it from its first version on (RFC 8216: it never changes).
   */
  private static TranscodeListener publishingTo(SegmentPublisher publisher, TranscodeListener l) {
    return new TranscodeListener() {
      @Override
      public void progress(double fraction) {
        l.progress(fraction);
      }

      @Override
      public boolean shouldStop() {
        return l.shouldStop();
      }

      @Override
      public void hlsTargetDuration(int seconds) {
        publisher.videoTargetDuration(seconds);
        l.hlsTargetDuration(seconds);
      }
    };
  }

  /** The copied rung as the finishing step lists it: sizes and rates from the files written. */
  private static FlowResults.Copied copiedRung(
      Path hlsDir, String prefix, Rung top, Dimensions size) throws IOException {
    HlsFolder.MediaPlaylist playlist =
        HlsFolder.parse(
            Files.readString(hlsDir.resolve(top.name() + ".m3u8"), StandardCharsets.UTF_8));
    long bytes = Files.size(hlsDir.resolve(playlist.init()));
    long segmentBytes = 0;
    double seconds = 0;
    double peak = 0;
    for (int i = 0; i < playlist.segments().size(); i++) {
      long n = Files.size(hlsDir.resolve(playlist.segments().get(i)));
      double d = playlist.extinf().get(i);
      segmentBytes += n;
      seconds += d;
      if (d > 0) {
        peak = Math.max(peak, n * 8 / d);
      }
    }
    return new FlowResults.Copied(
        top.name(),
        size.width(),
        size.height(),
        HlsFolder.codecs(hlsDir.resolve(playlist.init())),
        S3Keys.hlsMediaPlaylist(prefix, top.name()),
        Math.round(peak),
        seconds > 0 ? Math.round(segmentBytes * 8 / seconds) : 0,
        bytes + segmentBytes);
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
