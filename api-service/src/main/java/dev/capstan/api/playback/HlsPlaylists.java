package dev.capstan.api.playback;

import java.net.URI;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the playlists the worker wrote so a player can follow them through the API: the master's
 * variants stay relative names ({@code 480p.m3u8}), which resolve to the API's own playlist
 * endpoint next to the master; every segment and init segment of a media playlist becomes a
 * short-lived presigned S3 URL (a relative segment path would carry no signature).
 */
public final class HlsPlaylists {
  /** A file name the worker writes into the HLS folder: no path, no dot-files. */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

  private static final Pattern MAP_URI = Pattern.compile("URI=\"([^\"]*)\"");

  private HlsPlaylists() {}

  /** Whether {@code name} is a plain file name inside the HLS folder. */
  public static boolean isFileName(String name) {
    return name != null && FILE_NAME.matcher(name).matches() && !name.contains("..");
  }

  /** The master playlist with only the variants in {@code playlists} (names of media playlists). */
  public static String master(String text, Set<String> playlists) {
    StringBuilder out = new StringBuilder();
    String pendingVariant = null;
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("#EXT-X-STREAM-INF:")) {
        pendingVariant = line;
      } else if (!line.isBlank() && !line.startsWith("#")) {
        String name = line.strip();
        if (pendingVariant != null && isFileName(name) && playlists.contains(name)) {
          out.append(pendingVariant).append('\n').append(name).append('\n');
        }
        pendingVariant = null;
      } else if (!line.isBlank()) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * A media playlist whose segment lines and {@code #EXT-X-MAP} URI are replaced by {@code sign}
   * applied to the file name. A name that is not a plain file name fails the whole playlist.
   */
  public static String media(String text, Function<String, URI> sign) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("#EXT-X-MAP:")) {
        Matcher m = MAP_URI.matcher(line);
        if (m.find()) {
          String signed = sign.apply(checked(m.group(1))).toString();
          line = line.substring(0, m.start(1)) + signed + line.substring(m.end(1));
        }
        out.append(line).append('\n');
      } else if (line.isBlank()) {
        continue;
      } else if (line.startsWith("#")) {
        out.append(line).append('\n');
      } else {
        out.append(sign.apply(checked(line.strip()))).append('\n');
      }
    }
    return out.toString();
  }

  private static String checked(String name) {
    if (!isFileName(name)) {
      throw new IllegalStateException("unexpected URI in a playlist: " + name);
    }
    return name;
  }
}
