package dev.capstan.worker.job;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.event.VideoEventPublisher;
import dev.capstan.worker.transcode.HlsFolder;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.SourceMedia;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Publishes a transcode's HLS output while it is being written: every scan of the local HLS folder
 * uploads the segments the muxers closed since the last one (each muxer renames a segment, then its
 * playlist, into place only once complete), then rewrites that rendition's media playlist in the
 * store as an {@code EXT-X-PLAYLIST-TYPE:EVENT} playlist without an end, until the muxer wrote its
 * end (then the playlist goes up as VOD with {@code EXT-X-ENDLIST}). The master lists the rungs
 * that have started.
 *
 * <p>Once a video rung (and the audio rendition, when there is one) has a segment in the store, the
 * video turns {@code playable} in a transaction that checks the lease; each rendition that starts
 * later is recorded the same way, and each that finishes is announced ({@code
 * video.rendition.ready}). When the lease is lost, or a conditional write finds it gone, nothing
 * more is published.
 */
final class SegmentPublisher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SegmentPublisher.class);
  private static final String M3U8 = "application/vnd.apple.mpegurl";
  private static final long AUDIO_BPS = 128_000;

  /** What the publisher knows of one rendition (a rung, or the audio). */
  private static final class Rendition {
    final String name;
    final Rung rung; // null for the audio rendition
    final Dimensions size;
    final Set<String> uploaded = new HashSet<>();
    String published;
    boolean started;
    boolean finished;
    boolean recorded;
    boolean announced;
    String codecs;
    int channels;

    Rendition(String name, Rung rung, Dimensions size) {
      this.name = name;
      this.rung = rung;
      this.size = size;
    }
  }

  private final ObjectStore objects;
  private final JobStore store;
  private final VideoEventPublisher events;
  private final Clock clock;
  private final Lease lease;
  private final String prefix;
  private final Path hlsDir;
  private final Path staging;
  private final BooleanSupplier lost;
  private final StageLog stages;
  private final double fps;
  private final Map<String, Rendition> renditions = new LinkedHashMap<>();
  private final Set<String> uploadedFiles = new HashSet<>();
  // The job's log context (video, job, trace ids) and trace context, taken from the job's thread
  // when this is made, so the publisher's log lines and S3 spans belong to the job's trace.
  private final Map<String, Object> logContext = MDC.getMap();
  private final Context traceContext = Context.current();
  private final ScheduledExecutorService scanner =
      Executors.newSingleThreadScheduledExecutor(
          r ->
              Thread.ofPlatform()
                  .name("segment-publisher")
                  .daemon()
                  .unstarted(
                      traceContext.wrap(
                          () -> {
                            logContext.forEach(MDC::put);
                            r.run();
                          })));
  private String master;
  private boolean playable;
  private volatile boolean stopped;

  /** The target duration every video playlist is published with; 0: the muxer's own. */
  private volatile int videoTargetDuration;

  /**
   * @param hlsDir the folder the transcoder writes its HLS tree into
   * @param lost true once the job's lease is gone: from then on nothing is published
   * @param stages where the moment the video turns playable is logged
   */
  SegmentPublisher(
      ObjectStore objects,
      JobStore store,
      VideoEventPublisher events,
      Clock clock,
      Lease lease,
      SourceMedia media,
      Path hlsDir,
      BooleanSupplier lost,
      StageLog stages) {
    this.objects = objects;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.lease = lease;
    this.prefix = S3Keys.attemptPrefix(lease.videoId(), lease.attempt());
    this.hlsDir = hlsDir;
    this.staging = hlsDir.resolveSibling("hls-published");
    this.lost = lost;
    this.stages = stages;
    this.fps = media.fps() > 0 && media.fps() <= 1000 ? media.fps() : 30.0;
    if (media.hasVideo()) {
      for (Rung rung : RenditionLadder.forSource(media.display())) {
        renditions.put(
            rung.name(),
            new Rendition(rung.name(), rung, RenditionLadder.outputSize(media.display(), rung)));
      }
    }
    if (media.hasAudio()) {
      renditions.put(
          JavaCvTranscoder.AUDIO_RENDITION,
          new Rendition(JavaCvTranscoder.AUDIO_RENDITION, null, null));
    }
  }

  /** Scans the folder every {@code interval} until {@link #finish()}. */
  void start(Duration interval) {
    scanner.scheduleWithFixedDelay(
        this::scanQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops scanning and publishes what is left (the transcode is complete: every playlist has its
   * end); a failure here fails the job.
   */
  void finish() throws SQLException {
    scanner.shutdown();
    try {
      scanner.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scan();
  }

  /** Whether the video turned playable by this publisher. */
  synchronized boolean playable() {
    return playable;
  }

  /** Whether anything went into the store (so a failed attempt has files to remove). */
  synchronized boolean publishedAny() {
    return !uploadedFiles.isEmpty();
  }

  /** Whether publishing stopped because the lease was lost. */
  boolean stopped() {
    return stopped;
  }

  /** Names of the files in the HLS folder already in the store as they are final. */
  synchronized Set<String> uploadedFiles() {
    return Set.copyOf(uploadedFiles);
  }

  /** Renditions ({@code kind/name}) whose {@code video.rendition.ready} went out already. */
  synchronized Set<String> announced() {
    Set<String> ids = new HashSet<>();
    for (Rendition r : renditions.values()) {
      if (r.announced) {
        ids.add(JobStore.renditionId(row(r, 0)));
      }
    }
    return ids;
  }

  private void scanQuietly() {
    try {
      scan();
    } catch (SQLException | RuntimeException e) {
      // The next scan, or the last one in finish(), tries again: nothing is marked done yet.
      LOG.warnf("job %s: publishing deferred: %s", lease.jobId(), e.getMessage());
    }
  }

  /**
   * Publishes every video playlist with this {@code EXT-X-TARGETDURATION} from its first version on
   * (see {@link dev.capstan.worker.transcode.TranscodeListener#hlsTargetDuration}).
   */
  void videoTargetDuration(int seconds) {
    videoTargetDuration = seconds;
  }

  /** One pass: new segments, playlists, master, then the database. */
  synchronized void scan() throws SQLException {
    if (stopped || lost.getAsBoolean()) {
      stopped = true;
      return;
    }
    List<Rendition> started = new ArrayList<>();
    List<Rendition> finished = new ArrayList<>();
    try {
      for (Rendition r : renditions.values()) {
        if (r.finished) {
          continue;
        }
        Path playlist = hlsDir.resolve(r.name + ".m3u8");
        if (!Files.exists(playlist)) {
          continue;
        }
        String text = Files.readString(playlist, StandardCharsets.UTF_8);
        HlsFolder.MediaPlaylist parsed = HlsFolder.parse(text);
        if (parsed.segments().isEmpty()) {
          continue;
        }
        if (r.codecs == null && parsed.init() != null) {
          upload(parsed.init(), "video/mp4");
          r.codecs = HlsFolder.codecs(hlsDir.resolve(parsed.init()));
          if (r.rung == null) {
            r.channels = HlsFolder.audioChannels(hlsDir.resolve(parsed.init()));
          }
        }
        for (String segment : parsed.segments()) {
          if (r.uploaded.add(segment)) {
            if (stopped || lost.getAsBoolean()) {
              stopped = true;
              return;
            }
            upload(segment, r.rung == null ? "audio/mp4" : "video/mp4");
          }
        }
        String published = parsed.ended() ? HlsFolder.asVod(text) : HlsFolder.asEvent(text);
        int target = videoTargetDuration;
        if (r.rung != null && target > 0) {
          published = HlsFolder.withTargetDuration(published, target);
        }
        if (!published.equals(r.published)) {
          put(r.name + ".m3u8", published);
          r.published = published;
        }
        if (!r.started) {
          r.started = true;
          started.add(r);
        }
        if (parsed.ended()) {
          r.finished = true;
          uploadedFiles.add(r.name + ".m3u8");
          finished.add(r);
        }
      }
      if (!started.isEmpty()) {
        String text = master();
        if (!text.equals(master)) {
          put("master.m3u8", text);
          master = text;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    record();
  }

  /** The database side: playable once there is something to play, then each rung's row. */
  private void record() throws SQLException {
    if (!playable) {
      boolean audioReady = audio() == null || audio().started;
      boolean videoReady =
          renditions.values().stream().anyMatch(r -> r.rung != null && r.started)
              || renditions.values().stream().noneMatch(r -> r.rung != null);
      if (!audioReady || !videoReady) {
        return;
      }
      List<JobStore.RenditionRow> rows = new ArrayList<>();
      rows.add(masterRow());
      String first = null;
      for (Rendition r : renditions.values()) {
        if (r.started) {
          rows.add(row(r, bytesSoFar(r)));
          r.recorded = true;
          if (first == null && r.rung != null) {
            first = JobStore.renditionId(row(r, 0));
          }
        }
      }
      if (!store.recordPlayable(lease, prefix, rows)) {
        LOG.warnf("job %s: lease lost, publishing stopped", lease.jobId());
        stopped = true;
        return;
      }
      playable = true;
      events.publish(VideoEvent.status(lease.videoId(), "playable", clock.instant()));
      events.publish(
          VideoEvent.playable(
              lease.videoId(),
              first != null ? first : "hls_audio/" + JavaCvTranscoder.AUDIO_RENDITION,
              clock.instant()));
      stages.reached("video " + lease.videoId() + " playable");
    }
    List<JobStore.RenditionRow> fresh = new ArrayList<>();
    for (Rendition r : renditions.values()) {
      if (r.started && !r.recorded) {
        fresh.add(row(r, bytesSoFar(r)));
        r.recorded = true;
      }
    }
    if (!fresh.isEmpty()) {
      fresh.add(masterRow());
      if (!store.recordPublished(lease, fresh, false)) {
        stopped = true;
        return;
      }
    }
    for (Rendition r : renditions.values()) {
      if (r.finished && !r.announced) {
        JobStore.RenditionRow done = row(r, bytesSoFar(r));
        if (!store.recordPublished(lease, List.of(done), true)) {
          stopped = true;
          return;
        }
        r.announced = true;
        events.publish(
            VideoEvent.renditionReady(
                lease.videoId(), JobStore.renditionId(done), clock.instant()));
      }
    }
  }

  private Rendition audio() {
    return renditions.get(JavaCvTranscoder.AUDIO_RENDITION);
  }

  /**
   * The master while publishing: the rungs that started, largest first, at their caps (the final
   * master, with measured bitrates, replaces it when the job succeeds).
   */
  private String master() {
    StringBuilder m3u8 =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    Rendition audio = audio();
    boolean withAudio = audio != null && audio.started;
    boolean anyVideo = renditions.values().stream().anyMatch(r -> r.rung != null);
    if (!anyVideo) {
      if (withAudio) {
        m3u8.append(
                "#EXT-X-STREAM-INF:BANDWIDTH=%d,CODECS=\"%s\"\n"
                    .formatted(AUDIO_BPS, codecsOf(audio, "mp4a.40.2")))
            .append(audio.name)
            .append(".m3u8\n");
      }
      return m3u8.toString();
    }
    if (withAudio) {
      m3u8.append(
          "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,AUTOSELECT=YES,"
              + "CHANNELS=\"%d\",URI=\"audio.m3u8\"\n"
                  .formatted(audio.channels > 0 ? audio.channels : 2));
    }
    for (Rendition r : renditions.values()) {
      if (r.rung == null || !r.started) {
        continue;
      }
      long bandwidth = r.rung.maxVideoKbps() * 1000L + (withAudio ? AUDIO_BPS : 0);
      String codecs =
          withAudio
              ? codecsOf(r, "avc1.640028") + "," + codecsOf(audio, "mp4a.40.2")
              : codecsOf(r, "avc1.640028");
      m3u8.append(
              "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%s,CODECS=\"%s\",FRAME-RATE=%.3f%s\n"
                  .formatted(bandwidth, r.size, codecs, fps, withAudio ? ",AUDIO=\"audio\"" : ""))
          .append(r.name)
          .append(".m3u8\n");
    }
    return m3u8.toString();
  }

  private static String codecsOf(Rendition r, String fallback) {
    return r.codecs != null ? r.codecs : fallback;
  }

  private JobStore.RenditionRow masterRow() {
    Rendition top =
        renditions.values().stream().filter(r -> r.rung != null).findFirst().orElse(null);
    return new JobStore.RenditionRow(
        "hls",
        "master",
        top == null ? null : top.size.width(),
        top == null ? null : top.size.height(),
        null,
        null,
        S3Keys.hlsMaster(prefix),
        0);
  }

  private JobStore.RenditionRow row(Rendition r, long bytes) {
    return r.rung == null
        ? new JobStore.RenditionRow(
            "hls_audio",
            r.name,
            null,
            null,
            (int) (AUDIO_BPS / 1000),
            r.codecs,
            S3Keys.hlsMediaPlaylist(prefix, r.name),
            bytes)
        : new JobStore.RenditionRow(
            "hls_rung",
            r.name,
            r.size.width(),
            r.size.height(),
            r.rung.maxVideoKbps(),
            r.codecs,
            S3Keys.hlsMediaPlaylist(prefix, r.name),
            bytes);
  }

  private long bytesSoFar(Rendition r) {
    long bytes = 0;
    for (String segment : r.uploaded) {
      try {
        bytes += Files.size(hlsDir.resolve(segment));
      } catch (IOException e) {
        // gone already: the size is a courtesy while publishing
      }
    }
    return bytes;
  }

  private void upload(String name, String contentType) {
    objects.putFile(S3Keys.hlsPrefix(prefix) + name, hlsDir.resolve(name), contentType);
    uploadedFiles.add(name);
  }

  /** A playlist as the store must have it now (staged, then uploaded as a file). */
  private void put(String name, String text) throws IOException {
    Files.createDirectories(staging);
    Path file = staging.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    objects.putFile(S3Keys.hlsPrefix(prefix) + name, file, M3U8);
  }

  @Override
  public void close() {
    scanner.shutdownNow();
    stopped = true;
  }
}
