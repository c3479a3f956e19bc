package dev.capstan.worker.job;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.job.JobState;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.event.VideoEventPublisher;
import dev.capstan.worker.transcode.ChunkEncoder;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Publishes a flow while its chunks finish: the contiguous prefix of finished chunks (chunk 0, 1, …
 * up to the first one not done) goes into every rung's media playlist as an {@code
 * EXT-X-PLAYLIST-TYPE:EVENT} playlist without an end, with the master, and the video turns {@code
 * playable} once chunk 0 and the audio rendition (when the source has audio: the audio child's) are
 * there. It runs inside the transaction that records a child's success, after the parent's row is
 * locked, so publishers of one flow take turns and a playlist never loses segments it had; that
 * transaction commits only if the chunk (or the parent) still held its lease. The finishing step
 * then writes the same playlists as VOD.
 */
@ApplicationScoped
public class FlowPublisher {
  private static final Logger LOG = Logger.getLogger(FlowPublisher.class);
  private static final String M3U8 = "application/vnd.apple.mpegurl";

  private final ObjectStore objects;
  private final JobStore store;
  private final VideoEventPublisher events;
  private final Clock clock;

  public FlowPublisher(
      ObjectStore objects, JobStore store, VideoEventPublisher events, Clock clock) {
    this.objects = objects;
    this.store = store;
    this.events = events;
    this.clock = clock;
  }

  /** The video turned playable in the transaction; announce it once that commits. */
  public record TurnedPlayable(String videoId, String firstRendition) {}

  /**
   * Publishes what the flow of {@code parentId} (attempt {@code attempt}) has so far. The caller
   * holds the parent's row lock in {@code c}.
   *
   * @return the video to announce as playable once {@code c} commits, if it turned playable here
   */
  Optional<TurnedPlayable> publish(Connection c, String parentId, String videoId, int attempt)
      throws SQLException {
    String parentJson = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT result FROM jobs WHERE id = ?")) {
      ps.setString(1, parentId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          parentJson = rs.getString(1);
        }
      }
    }
    if (parentJson == null) {
      return Optional.empty();
    }
    FlowResults.Parent own = FlowResults.read(parentJson, FlowResults.Parent.class);
    if (own.copied() != null) {
      return Optional.empty(); // the copied top rung made it playable; the rest joins at the end
    }
    FlowResults.Children children = children(c, parentId, attempt);
    FlowResults.Audio audio = own.audio() != null ? own.audio() : children.audio();
    if (own.hasAudio() && audio == null) {
      return Optional.empty(); // the master names the audio: wait for the audio child
    }
    List<FlowResults.Chunk> prefix = new ArrayList<>();
    for (int i = 0; children.chunks().containsKey(i); i++) {
      prefix.add(children.chunks().get(i));
    }
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    String outputPrefix = S3Keys.attemptPrefix(videoId, attempt);
    String masterKey = S3Keys.hlsMaster(outputPrefix);
    List<Playlist> rungs = new ArrayList<>();
    try {
      for (int i = 0; i < prefix.get(0).rungs().size(); i++) {
        Playlist p = mediaPlaylist(own.fps(), prefix, i, false);
        put(S3Keys.hlsMediaPlaylist(outputPrefix, p.rung().name()), p.text());
        rungs.add(p);
      }
      put(masterKey, master(rungs, audio, own.fps()));
    } catch (RuntimeException e) {
      // The chunk's own success stands; the next chunk (or the finishing step) publishes this.
      LOG.warnf("flow %s: publishing deferred: %s", parentId, e.getMessage());
      return Optional.empty();
    }

    List<JobStore.RenditionRow> rows = new ArrayList<>();
    long hlsBytes = 0;
    for (Playlist p : rungs) {
      hlsBytes += p.segmentBytes();
      rows.add(rungRow(outputPrefix, p));
    }
    if (audio != null) {
      hlsBytes += audio.bytes();
      rows.add(audioRow(audio));
    }
    rows.add(masterRow(masterKey, rungs.get(0).rung(), audio, hlsBytes));
    boolean turned = store.recordPlayable(c, videoId, attempt, outputPrefix, rows, clock.instant());
    LOG.debugf("flow %s: chunks 0-%d of video %s published", parentId, prefix.size() - 1, videoId);
    return turned
        ? Optional.of(
            new TurnedPlayable(videoId, "hls_rung/" + rungs.get(rungs.size() - 1).rung().name()))
        : Optional.empty();
  }

  /** The events of a video that turned playable, once its transaction committed. */
  void announce(Optional<TurnedPlayable> turned) {
    turned.ifPresent(
        t -> {
          Instant now = clock.instant();
          events.publish(VideoEvent.status(t.videoId(), "playable", now));
          events.publish(VideoEvent.playable(t.videoId(), t.firstRendition(), now));
          LOG.infof("video %s playable from its first chunk", t.videoId());
        });
  }

  /** The succeeded children of this attempt of the parent. */
  private static FlowResults.Children children(Connection c, String parentId, int attempt)
      throws SQLException {
    List<String> results = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT result FROM jobs WHERE parent_id = ? AND state = ? AND result IS NOT NULL")) {
      ps.setString(1, parentId);
      ps.setString(2, JobState.SUCCEEDED.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          results.add(rs.getString(1));
        }
      }
    }
    return FlowResults.Children.of(results, attempt);
  }

  /** A rung's media playlist over some chunks, with what the master and the rows say of it. */
  record Playlist(
      FlowResults.Rung rung, String text, long peakBps, long averageBps, long segmentBytes) {}

  /**
   * The media playlist of rung {@code i} over {@code chunks}: the first chunk's init segment (every
   * chunk writes the same one; a chunk whose differs fails the flow rather than play wrongly) and
   * every chunk's segments in order; VOD with its end when {@code ended}, else EVENT.
   */
  static Playlist mediaPlaylist(double fps, List<FlowResults.Chunk> chunks, int i, boolean ended) {
    FlowResults.Rung first = chunks.get(0).rungs().get(i);
    StringBuilder body = new StringBuilder();
    // An EVENT playlist's target duration may not change as it grows: at least a whole segment.
    double longest = ended ? 0 : ChunkEncoder.segmentFrames(fps) / fps;
    double seconds = 0;
    long segmentBytes = 0;
    double peak = 0;
    for (FlowResults.Chunk c : chunks) {
      FlowResults.Rung r = c.rungs().get(i);
      if (!r.name().equals(first.name()) || !r.initSha256().equals(first.initSha256())) {
        throw new IllegalStateException(
            "chunk " + c.index() + " encoded " + r.name() + " with another init segment");
      }
      for (FlowResults.Segment s : r.segments()) {
        double d = s.frames() / fps;
        longest = Math.max(longest, d);
        seconds += d;
        segmentBytes += s.bytes();
        peak = Math.max(peak, s.bytes() * 8 / d);
        body.append(String.format(Locale.ROOT, "#EXTINF:%.6f,%n", d))
            .append(fileName(s.key()))
            .append('\n');
      }
    }
    String text =
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n"
                .formatted((long) Math.ceil(longest - 1e-6))
            + "#EXT-X-PLAYLIST-TYPE:%s\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                .formatted(ended ? "VOD" : "EVENT")
            + "#EXT-X-MAP:URI=\"%s\"\n".formatted(fileName(first.initKey()))
            + body
            + (ended ? "#EXT-X-ENDLIST\n" : "");
    return new Playlist(
        first,
        text,
        Math.round(peak),
        seconds > 0 ? Math.round(segmentBytes * 8 / seconds) : 0,
        segmentBytes);
  }

  /** The master playlist, in the single-job path's form. */
  static String master(List<Playlist> rungs, FlowResults.Audio audio, double fps) {
    StringBuilder m3u8 =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (audio != null) {
      m3u8.append(
          ("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,"
                  + "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"%s\"\n")
              .formatted(fileName(audio.playlistKey())));
    }
    long audioPeak = audio == null ? 0 : audio.peakBps();
    long audioAverage = audio == null ? 0 : audio.averageBps();
    for (Playlist r : rungs) {
      m3u8.append(
              String.format(
                  Locale.ROOT,
                  "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=\"%s\",FRAME-RATE=%.3f%s%n",
                  Math.max(1, r.peakBps() + audioPeak),
                  Math.max(1, r.averageBps() + audioAverage),
                  r.rung().width(),
                  r.rung().height(),
                  audio == null ? r.rung().codecs() : r.rung().codecs() + "," + audio.codecs(),
                  fps,
                  audio == null ? "" : ",AUDIO=\"audio\""))
          .append(r.rung().name())
          .append(".m3u8\n");
    }
    return m3u8.toString();
  }

  static JobStore.RenditionRow rungRow(String outputPrefix, Playlist p) {
    return rungRow(outputPrefix, p, p.segmentBytes());
  }

  static JobStore.RenditionRow rungRow(String outputPrefix, Playlist p, long bytes) {
    return new JobStore.RenditionRow(
        "hls_rung",
        p.rung().name(),
        p.rung().width(),
        p.rung().height(),
        (int) Math.round(p.averageBps() / 1000.0),
        p.rung().codecs(),
        S3Keys.hlsMediaPlaylist(outputPrefix, p.rung().name()),
        bytes);
  }

  static JobStore.RenditionRow audioRow(FlowResults.Audio audio) {
    return new JobStore.RenditionRow(
        "hls_audio",
        JavaCvTranscoder.AUDIO_RENDITION,
        null,
        null,
        (int) Math.round(audio.averageBps() / 1000.0),
        audio.codecs(),
        audio.playlistKey(),
        audio.bytes());
  }

  static JobStore.RenditionRow masterRow(
      String masterKey, FlowResults.Rung top, FlowResults.Audio audio, long hlsBytes) {
    return new JobStore.RenditionRow(
        "hls",
        "master",
        top.width(),
        top.height(),
        null,
        audio == null ? top.codecs() : top.codecs() + "," + audio.codecs(),
        masterKey,
        hlsBytes);
  }

  void put(String key, String text) {
    objects.putStream(key, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), M3U8);
  }

  static String fileName(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
