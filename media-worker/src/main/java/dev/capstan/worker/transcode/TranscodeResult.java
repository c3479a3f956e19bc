package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import java.nio.file.Path;

/**
 * Files a transcode produced, ready to upload.
 *
 * @param download the MP4 download rendition
 * @param poster the poster JPEG
 * @param durationSeconds duration of the MP4 as written
 */
public record TranscodeResult(OutputFile download, OutputFile poster, double durationSeconds) {

  /**
   * One produced file.
   *
   * @param bitrateKbps overall bitrate, null for still images
   * @param codecs RFC 6381 codec string ({@code avc1.64001f,mp4a.40.2}), null for still images
   */
  public record OutputFile(
      Path path, Dimensions size, long sizeBytes, Integer bitrateKbps, String codecs) {}
}
