package dev.capstan.model.storage;

import java.util.regex.Pattern;

/**
 * The S3 key layout. Keys are built only from server-generated ids, never from user input; every
 * attempt writes under its own prefix so a retry never mixes its files with a failed attempt's.
 */
public final class S3Keys {
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private S3Keys() {}

  public static String videoPrefix(String videoId) {
    return "videos/" + checked(videoId) + "/";
  }

  public static String source(String videoId) {
    return videoPrefix(videoId) + "source";
  }

  public static String attemptPrefix(String videoId, int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt starts at 1: " + attempt);
    }
    return videoPrefix(videoId) + "a" + attempt + "/";
  }

  /**
   * Prefix of every file one attempt of one chunk writes into the HLS folder of its parent's
   * attempt ({@code hls/c0003a1_720p_00042.m4s}): a retried chunk never overwrites, and its failed
   * attempt's files go by prefix.
   */
  public static String chunkFilePrefix(String attemptPrefix, int chunkIndex, int chunkAttempt) {
    return hlsPrefix(attemptPrefix) + chunkFileNamePrefix(chunkIndex, chunkAttempt);
  }

  /** The file name part of {@link #chunkFilePrefix}. */
  public static String chunkFileNamePrefix(int chunkIndex, int chunkAttempt) {
    return "c%04da%d_".formatted(chunkIndex, chunkAttempt);
  }

  public static String downloadMp4(String attemptPrefix) {
    return attemptPrefix + "mp4/download.mp4";
  }

  /** The M4A download of an audio-only source. */
  public static String downloadM4a(String attemptPrefix) {
    return attemptPrefix + "m4a/download.m4a";
  }

  public static String thumbnail(String attemptPrefix) {
    return attemptPrefix + "thumb.jpg";
  }

  /** The storyboard sprite sheet (JPEG). */
  public static String storyboardImage(String attemptPrefix) {
    return attemptPrefix + "storyboard.jpg";
  }

  /** The storyboard's WebVTT cues ({@code storyboard.jpg#xywh=x,y,w,h}). */
  public static String storyboardVtt(String attemptPrefix) {
    return attemptPrefix + "storyboard.vtt";
  }

  /** Folder of the HLS tree: the master playlist, one media playlist per rung, their segments. */
  public static String hlsPrefix(String attemptPrefix) {
    return attemptPrefix + "hls/";
  }

  public static String hlsMaster(String attemptPrefix) {
    return hlsPrefix(attemptPrefix) + "master.m3u8";
  }

  /** A rung's media playlist, named after the rung ({@code 720p.m3u8}). */
  public static String hlsMediaPlaylist(String attemptPrefix, String rungName) {
    return hlsPrefix(attemptPrefix) + rungName + ".m3u8";
  }

  private static String checked(String id) {
    if (id == null || !SAFE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a server-generated id: " + id);
    }
    return id;
  }
}
