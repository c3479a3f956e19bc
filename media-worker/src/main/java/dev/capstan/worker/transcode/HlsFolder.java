package dev.capstan.worker.transcode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the HLS folder a transcode writes, for publishing it while it grows. */
public final class HlsFolder {
  private static final Pattern MAP_URI = Pattern.compile("#EXT-X-MAP:URI=\"([^\"]+)\"");
  private static final Pattern TARGET_DURATION =
      Pattern.compile("#EXT-X-TARGETDURATION:\\d+", Pattern.MULTILINE);

  private HlsFolder() {}

  /**
   * A media playlist as the muxer last wrote it.
   *
   * @param init the init segment's file name, null when none
   * @param segments segment file names, in order
   * @param extinf each segment's duration in seconds
   * @param ended the playlist has its {@code EXT-X-ENDLIST}: the rendition is complete
   */
  public record MediaPlaylist(
      String init, List<String> segments, List<Double> extinf, boolean ended) {}

  public static MediaPlaylist parse(String text) {
    String init = null;
    List<String> segments = new ArrayList<>();
    List<Double> durations = new ArrayList<>();
    boolean ended = false;
    Double pending = null;
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("#EXT-X-MAP:")) {
        Matcher m = MAP_URI.matcher(line);
        if (m.find()) {
          init = m.group(1);
        }
      } else if (line.startsWith("#EXTINF:")) {
        int comma = line.indexOf(',');
        pending = Double.parseDouble(line.substring(8, comma < 0 ? line.length() : comma));
      } else if (line.startsWith("#EXT-X-ENDLIST")) {
        ended = true;
      } else if (!line.isBlank() && !line.startsWith("#") && pending != null) {
        segments.add(line.strip());
        durations.add(pending);
        pending = null;
      }
    }
    return new MediaPlaylist(init, List.copyOf(segments), List.copyOf(durations), ended);
  }

  /**
   * The playlist as a player must see it while it still grows: {@code EXT-X-PLAYLIST-TYPE:EVENT}
   * (segments are only ever added), never an end.
   */
  public static String asEvent(String text) {
    String event =
        text.replace("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-PLAYLIST-TYPE:EVENT")
            .replace("#EXT-X-ENDLIST\n", "");
    return event.contains("#EXT-X-PLAYLIST-TYPE:")
        ? event
        : event.replaceFirst("#EXTM3U\n", "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n");
  }

  /** The playlist with {@code EXT-X-TARGETDURATION} set to {@code seconds}. */
  public static String withTargetDuration(String text, int seconds) {
    return TARGET_DURATION.matcher(text).replaceFirst("#EXT-X-TARGETDURATION:" + seconds);
  }

  /** A complete playlist as VOD: the muxers write EVENT playlists so they appear as they grow. */
  public static String asVod(String text) {
    return text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD");
  }

  /** Marks every complete media playlist in {@code dir} VOD (the master is not there yet). */
  static void completeAsVod(Path dir) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".m3u8")).toList()) {
        String text = java.nio.file.Files.readString(f);
        if (parse(text).ended()) {
          Path tmp = f.resolveSibling(f.getFileName() + ".vod");
          java.nio.file.Files.writeString(tmp, asVod(text));
          java.nio.file.Files.move(
              tmp,
              f,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Audio channels of an fMP4 init segment's audio track (0 without one). */
  public static int audioChannels(Path init) {
    return JavaCvTranscoder.readFacts(init).audioChannels();
  }

  /** RFC 6381 codec string of an fMP4 init segment ({@code avc1.64001f}, {@code mp4a.40.2}). */
  public static String codecs(Path init) {
    return JavaCvTranscoder.readFacts(init).codecs();
  }
}
