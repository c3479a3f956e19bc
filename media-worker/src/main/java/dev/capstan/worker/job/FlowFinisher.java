package dev.capstan.worker.job;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.job.JobState;
import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.event.VideoEventPublisher;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.job.TranscodeJobProcessor.Result;
import dev.capstan.worker.transcode.ChunkEncoder;
import dev.capstan.worker.transcode.FragmentRemuxer;
import dev.capstan.worker.transcode.HlsFolder;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.TranscodeResult;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The flow's finishing step, run once under the parent's lease by the worker that recorded the last
 * chunk: media playlists assembled from the chunks' segment lists (nothing re-encoded or
 * concatenated), the master playlist, the MP4 download remuxed from the download rung's segments
 * and the audio rendition (the audio child's, or the parent's copy), the poster (the chunks' best
 * candidate) and the storyboard (the chunks' tiles joined), then the renditions, READY and its
 * events in one transaction, as the single-job path records them.
 */
@ApplicationScoped
public class FlowFinisher {
  private static final Logger LOG = Logger.getLogger(FlowFinisher.class);
  private static final int FETCHES_AT_ONCE = 8;

  private final FlowStore flows;
  private final FlowPublisher publisher;
  private final JobStore store;
  private final ObjectStore objects;
  private final VideoEventPublisher events;
  private final Clock clock;
  private final WorkerConfig.Worker settings;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("flow-lease-heartbeat").daemon().unstarted(r));

  public FlowFinisher(
      FlowStore flows,
      FlowPublisher publisher,
      JobStore store,
      ObjectStore objects,
      VideoEventPublisher events,
      Clock clock,
      WorkerConfig config) {
    this.flows = flows;
    this.publisher = publisher;
    this.store = store;
    this.objects = objects;
    this.events = events;
    this.clock = clock;
    this.settings = config.worker();
  }

  /**
   * Finishes the flow of {@code parent} (a lease this worker just took).
   *
   * @param announce whether to publish the video's status events here (false when the caller
   *     announces the outcome itself)
   */
  public Result finish(Lease parent, BooleanSupplier handBack, boolean announce)
      throws SQLException {
    Path dir = null;
    long began = System.nanoTime();
    try (LeaseKeeper keeper =
        new LeaseKeeper(store, parent, settings.lease(), settings.heartbeat(), clock, heartbeats)) {
      try {
        Files.createDirectories(settings.workDir());
        dir = Files.createTempDirectory(settings.workDir(), "capstan-finish-");
        String prefix = S3Keys.attemptPrefix(parent.videoId(), parent.attempt());
        FlowResults.Parent own =
            FlowResults.read(flows.parentResult(parent.jobId()), FlowResults.Parent.class);
        FlowResults.Children children =
            FlowResults.Children.of(flows.chunkResults(parent.jobId()), parent.attempt());
        List<FlowResults.Chunk> chunks = chunks(children);
        // Copied by the parent with the top rung, or encoded by the flow's audio child.
        FlowResults.Audio audio = own.audio() != null ? own.audio() : children.audio();
        if (own.hasAudio() && audio == null) {
          throw new IllegalStateException("the audio rendition is missing");
        }
        List<JobStore.RenditionRow> rows = new ArrayList<>();
        List<FlowPublisher.Playlist> rungs = new ArrayList<>();
        FlowResults.Copied copied = own.copied();
        if (copied != null) {
          // Stream-copied and published (VOD) by the parent: listed, not rewritten.
          rungs.add(
              new FlowPublisher.Playlist(
                  new FlowResults.Rung(
                      copied.name(),
                      copied.width(),
                      copied.height(),
                      null,
                      copied.codecs(),
                      null,
                      null,
                      List.of()),
                  null,
                  copied.peakBps(),
                  copied.averageBps(),
                  copied.bytes()));
        }
        int rungCount = chunks.get(0).rungs().size();
        for (int i = 0; i < rungCount; i++) {
          FlowPublisher.Playlist p = FlowPublisher.mediaPlaylist(own.fps(), chunks, i, true);
          publisher.put(S3Keys.hlsMediaPlaylist(prefix, p.rung().name()), p.text());
          rungs.add(p);
        }
        String masterKey = S3Keys.hlsMaster(prefix);
        publisher.put(masterKey, FlowPublisher.master(rungs, audio, own.fps()));
        if (keeper.lost()) {
          return Result.of(Outcome.LEASE_LOST);
        }
        long playlistsDone = System.nanoTime();
        JobStore.RenditionRow mp4 = download(prefix, own, audio, chunks, dir);
        long downloadDone = System.nanoTime();
        rows.add(mp4);
        rows.addAll(stills(prefix, own, chunks, dir));
        long stillsDone = System.nanoTime();
        long hlsBytes = 0;
        for (FlowPublisher.Playlist p : rungs) {
          long bytes =
              p.rung().initKey() == null
                  ? p.segmentBytes()
                  : objects.head(p.rung().initKey()).map(o -> o.sizeBytes()).orElse(0L)
                      + p.segmentBytes();
          hlsBytes += bytes;
          rows.add(FlowPublisher.rungRow(prefix, p, bytes));
        }
        if (audio != null) {
          hlsBytes += audio.bytes();
          rows.add(FlowPublisher.audioRow(audio));
        }
        rows.add(FlowPublisher.masterRow(masterKey, rungs.get(0).rung(), audio, hlsBytes));
        long frames = chunks.stream().mapToLong(FlowResults.Chunk::frames).sum();
        JobStore.Success success =
            new JobStore.Success(
                prefix,
                frames / own.fps(),
                own.width(),
                own.height(),
                own.fps(),
                own.hasAudio(),
                List.copyOf(rows));
        // The parent's publisher announced the copied rung and the audio when they were done.
        Set<String> announced =
            copied == null
                ? Set.of()
                : Set.of(
                    "hls_rung/" + copied.name(), "hls_audio/" + JavaCvTranscoder.AUDIO_RENDITION);
        if (!store.recordSuccess(parent, success, announced)) {
          return Result.of(Outcome.LEASE_LOST);
        }
        LOG.infof(
            "flow %s: video %s ready from %d chunks (%d frames); finishing took %d ms"
                + " (playlists %d, MP4 download %d, poster and storyboard %d, the rest %d)",
            parent.jobId(),
            parent.videoId(),
            chunks.size(),
            frames,
            (System.nanoTime() - began) / 1_000_000,
            (playlistsDone - began) / 1_000_000,
            (downloadDone - playlistsDone) / 1_000_000,
            (stillsDone - downloadDone) / 1_000_000,
            (System.nanoTime() - stillsDone) / 1_000_000);
        removeStills(chunks); // in the sheet and the poster now; the video is ready without them
        Instant now = clock.instant();
        for (JobStore.RenditionRow r : rows) {
          if (JobStore.announcesItself(r) && !announced.contains(JobStore.renditionId(r))) {
            events.publish(
                VideoEvent.renditionReady(parent.videoId(), JobStore.renditionId(r), now));
          }
        }
        if (announce) {
          events.publish(VideoEvent.status(parent.videoId(), "ready", now));
          events.publish(VideoEvent.ready(parent.videoId(), now));
        }
        return Result.of(Outcome.SUCCEEDED);
      } catch (Exception e) {
        LOG.errorf(e, "flow %s: finishing video %s failed", parent.jobId(), parent.videoId());
        JobFailure failure = JobFailure.ofInternal(e);
        if (!store.recordFailure(parent, JobState.FAILED, failure)) {
          return Result.of(Outcome.LEASE_LOST);
        }
        if (announce) {
          events.publish(VideoEvent.status(parent.videoId(), "queued", clock.instant()));
        }
        return new Result(Outcome.FAILED, failure);
      }
    } finally {
      WorkFolder.delete(dir);
    }
  }

  /** The picture chunks of the attempt, in order; every one must be there exactly once. */
  private static List<FlowResults.Chunk> chunks(FlowResults.Children children) {
    SortedMap<Integer, FlowResults.Chunk> byIndex = children.chunks();
    if (byIndex.isEmpty() || byIndex.lastKey() != byIndex.size() - 1) {
      throw new IllegalStateException("chunks missing: have " + byIndex.keySet());
    }
    return List.copyOf(byIndex.values());
  }

  /**
   * The MP4 download: the download rung's segments (or the top rung's, for a smaller source) and
   * the audio rendition's, each appended to its init segment, their packets copied into one
   * fast-start MP4.
   */
  private JobStore.RenditionRow download(
      String prefix,
      FlowResults.Parent own,
      FlowResults.Audio audioRendition,
      List<FlowResults.Chunk> chunks,
      Path dir)
      throws IOException {
    int pick = -1;
    List<FlowResults.Rung> firstRungs = chunks.get(0).rungs();
    for (int i = 0; i < firstRungs.size(); i++) {
      if (firstRungs.get(i).name().equals(RenditionLadder.DOWNLOAD.name())) {
        pick = i;
      }
    }
    FlowResults.Copied copied = own.copied();
    Path video = dir.resolve("video.mp4");
    int width;
    int height;
    String codecs;
    if (pick < 0 && copied != null) {
      // The copied top rung is the download's size or smaller: its packets are the download's.
      fromPlaylist(prefix, copied.playlistKey(), dir, "v", video);
      width = copied.width();
      height = copied.height();
      codecs = copied.codecs();
    } else {
      pick = Math.max(0, pick);
      FlowResults.Rung chosen = firstRungs.get(pick);
      Path videoInit = dir.resolve("video_init.mp4");
      List<String> keys = new ArrayList<>(List.of(chosen.initKey()));
      List<Path> videoSegments = new ArrayList<>();
      for (FlowResults.Chunk c : chunks) {
        for (FlowResults.Segment s : c.rungs().get(pick).segments()) {
          keys.add(s.key());
          videoSegments.add(dir.resolve("v%06d.m4s".formatted(videoSegments.size())));
        }
      }
      List<Path> targets = new ArrayList<>(List.of(videoInit));
      targets.addAll(videoSegments);
      fetch(keys, targets);
      FragmentRemuxer.concat(videoInit, videoSegments, video);
      deleteAll(videoSegments);
      width = chosen.width();
      height = chosen.height();
      codecs = chosen.codecs();
    }
    Path audio = null;
    if (audioRendition != null) {
      audio = dir.resolve("audio.mp4");
      fromPlaylist(prefix, audioRendition.playlistKey(), dir, "a", audio);
    }
    Path mp4 = dir.resolve("download.mp4");
    FragmentRemuxer.remux(video, audio, mp4);
    String key = S3Keys.downloadMp4(prefix);
    objects.putFile(key, mp4, "video/mp4");
    long size = Files.size(mp4);
    double seconds = chunks.stream().mapToLong(FlowResults.Chunk::frames).sum() / own.fps();
    return new JobStore.RenditionRow(
        "mp4",
        RenditionLadder.DOWNLOAD.name(),
        width,
        height,
        seconds > 0 ? (int) Math.round(size * 8 / seconds / 1000) : 0,
        audioRendition == null ? codecs : codecs + "," + audioRendition.codecs(),
        key,
        size);
  }

  /** One rendition's init and segments, as its media playlist in the store lists them, joined. */
  private void fromPlaylist(String prefix, String playlistKey, Path dir, String tag, Path out)
      throws IOException {
    String hls = S3Keys.hlsPrefix(prefix);
    Path playlist = dir.resolve(tag + ".m3u8");
    objects.download(playlistKey, playlist);
    HlsFolder.MediaPlaylist parsed =
        HlsFolder.parse(Files.readString(playlist, StandardCharsets.UTF_8));
    if (parsed.init() == null) {
      throw new IllegalStateException(playlistKey + " has no init segment");
    }
    Path init = dir.resolve(tag + "_init.mp4");
    List<String> keys = new ArrayList<>(List.of(hls + parsed.init()));
    List<Path> segments = new ArrayList<>();
    for (String name : parsed.segments()) {
      keys.add(hls + name);
      segments.add(dir.resolve("%s%06d.m4s".formatted(tag, segments.size())));
    }
    List<Path> targets = new ArrayList<>(List.of(init));
    targets.addAll(segments);
    fetch(keys, targets);
    FragmentRemuxer.concat(init, segments, out);
    deleteAll(segments);
  }

  /**
   * The poster (the chunks' best candidate) and the storyboard (the chunks' tiles joined into one
   * sheet, cues from zero to the end), under the attempt's prefix.
   */
  private List<JobStore.RenditionRow> stills(
      String prefix, FlowResults.Parent own, List<FlowResults.Chunk> chunks, Path dir)
      throws IOException {
    FlowResults.Poster best =
        chunks.stream()
            .map(FlowResults.Chunk::poster)
            .filter(Objects::nonNull)
            .max(Comparator.comparingDouble(FlowResults.Poster::score))
            .orElseThrow(() -> new IllegalStateException("no chunk kept a poster candidate"));
    Path poster = dir.resolve("poster.jpg");
    List<String> keys = new ArrayList<>(List.of(best.key()));
    List<Path> targets = new ArrayList<>(List.of(poster));
    List<ChunkEncoder.Strip> strips = new ArrayList<>();
    for (FlowResults.Chunk c : chunks) {
      FlowResults.Tiles t = c.tiles();
      if (t == null) {
        throw new IllegalStateException("chunk " + c.index() + " kept no storyboard tiles");
      }
      Path png = null;
      if (t.tiles() > 0) {
        png = dir.resolve("tiles%04d.png".formatted(c.index()));
        keys.add(t.key());
        targets.add(png);
      }
      strips.add(new ChunkEncoder.Strip(png, t.firstTile(), t.tiles()));
    }
    fetch(keys, targets);
    String posterKey = S3Keys.thumbnail(prefix);
    objects.putFile(posterKey, poster, "image/jpeg");
    TranscodeResult.Storyboard board =
        ChunkEncoder.stitchStoryboard(
            new Dimensions(own.width(), own.height()),
            own.durationSeconds(),
            strips,
            dir.resolve("storyboard.jpg"),
            dir.resolve("storyboard.vtt"));
    if (board == null) {
      throw new IllegalStateException("no storyboard tile in any chunk");
    }
    objects.putFile(S3Keys.storyboardImage(prefix), board.sprite(), "image/jpeg");
    objects.putFile(S3Keys.storyboardVtt(prefix), board.vtt(), "text/vtt");
    return List.of(
        new JobStore.RenditionRow(
            "thumbnail",
            "poster",
            best.width(),
            best.height(),
            null,
            null,
            posterKey,
            Files.size(poster)),
        new JobStore.RenditionRow(
            "storyboard",
            "sprite",
            board.sheet().width(),
            board.sheet().height(),
            null,
            null,
            S3Keys.storyboardImage(prefix),
            board.spriteBytes()),
        new JobStore.RenditionRow(
            "storyboard",
            "vtt",
            board.tile().width(),
            board.tile().height(),
            null,
            null,
            S3Keys.storyboardVtt(prefix),
            board.vttBytes()));
  }

  /** The chunks' tiles and poster candidates, now in the poster and the storyboard. */
  private void removeStills(List<FlowResults.Chunk> chunks) {
    for (FlowResults.Chunk c : chunks) {
      try {
        if (c.tiles() != null && c.tiles().key() != null) {
          objects.delete(c.tiles().key());
        }
        if (c.poster() != null) {
          objects.delete(c.poster().key());
        }
      } catch (RuntimeException e) {
        LOG.debugf(e, "could not remove the stills of chunk %d", c.index());
      }
    }
  }

  /**
   * Downloads {@code keys[i]} to {@code targets[i]}, a few at a time: the finishing step is the
   * flow's serial tail, and one GET after another waits out each round trip in turn.
   */
  private void fetch(List<String> keys, List<Path> targets) throws IOException {
    Semaphore slots = new Semaphore(FETCHES_AT_ONCE);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> pending = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        Path target = targets.get(i);
        pending.add(
            pool.submit(
                () -> {
                  slots.acquireUninterruptibly();
                  try {
                    objects.download(key, target);
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (Future<?> f : pending) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getCause());
    }
  }

  private static void deleteAll(List<Path> files) throws IOException {
    for (Path p : files) {
      Files.deleteIfExists(p);
    }
  }

  @PreDestroy
  void close() {
    heartbeats.shutdownNow();
  }
}
