package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder.Rung;
import java.nio.file.Path;
import java.util.List;

/**
 * Files a transcode produced, ready to upload.
 *
 * @param download the MP4 download rendition
 * @param poster the poster JPEG
 * @param durationSeconds duration of the MP4 as written
 * @param hls the HLS tree: master playlist, media playlists and segments
 */
public record TranscodeResult(
    OutputFile download, OutputFile poster, double durationSeconds, HlsOutput hls) {

  /**
   * One produced file.
   *
   * @param bitrateKbps overall bitrate, null for still images
   * @param codecs RFC 6381 codec string ({@code avc1.64001f,mp4a.40.2}), null for still images
   */
  public record OutputFile(
      Path path, Dimensions size, long sizeBytes, Integer bitrateKbps, String codecs) {}

  /**
   * The HLS output, all in one folder (playlists and segments side by side, referenced by relative
   * names).
   *
   * @param dir the folder to upload as a whole
   * @param master the master playlist in {@code dir}
   * @param rungs largest first
   */
  public record HlsOutput(Path dir, Path master, List<HlsRung> rungs) {}

  /**
   * One rung of the ladder as written.
   *
   * @param playlist its media playlist in the HLS folder
   * @param peakBitrateBps the highest segment bitrate (the master's BANDWIDTH)
   * @param averageBitrateBps all segments' bytes over the total duration (AVERAGE-BANDWIDTH)
   * @param sizeBytes the init segment and every media segment together
   */
  public record HlsRung(
      Rung rung,
      Path playlist,
      Dimensions size,
      long peakBitrateBps,
      long averageBitrateBps,
      String codecs,
      long sizeBytes) {}
}
