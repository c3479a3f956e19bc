package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder.Rung;
import java.nio.file.Path;
import java.util.List;

/**
 * Files a transcode produced, ready to upload.
 *
 * @param download the MP4 download rendition, or for an audio-only source the M4A
 * @param poster the poster JPEG (a generated waveform for an audio-only source)
 * @param storyboard the scrubbing preview; null for an audio-only source
 * @param durationSeconds duration of the download as written
 * @param hls the HLS tree: master playlist, media playlists and segments
 * @param downloadRemuxed the download is the source's own packets (stream copy), not re-encoded
 */
public record TranscodeResult(
    OutputFile download,
    OutputFile poster,
    Storyboard storyboard,
    double durationSeconds,
    HlsOutput hls,
    boolean downloadRemuxed) {

  /** Whether the source had no picture: the download is an M4A and the HLS is audio only. */
  public boolean audioOnly() {
    return hls.rungs().isEmpty();
  }

  /**
   * One produced file.
   *
   * @param size picture size, null for audio
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
   * @param rungs the video rungs, largest first; empty for an audio-only source
   * @param audio the one audio rendition every rung plays with; null without audio
   */
  public record HlsOutput(Path dir, Path master, List<HlsRung> rungs, HlsAudio audio) {}

  /**
   * One video rung of the ladder as written (video only: the audio is its own rendition).
   *
   * @param playlist its media playlist in the HLS folder
   * @param peakBitrateBps the highest segment bitrate
   * @param averageBitrateBps all segments' bytes over the total duration
   * @param sizeBytes the init segment and every media segment together
   * @param level the H.264 level it was encoded at
   */
  public record HlsRung(
      Rung rung,
      Path playlist,
      Dimensions size,
      long peakBitrateBps,
      long averageBitrateBps,
      String codecs,
      long sizeBytes,
      String level) {}

  /** The AAC audio rendition: encoded once, shared by every rung. */
  public record HlsAudio(
      Path playlist,
      long peakBitrateBps,
      long averageBitrateBps,
      String codecs,
      long sizeBytes,
      int channels) {}

  /**
   * The scrubbing preview.
   *
   * @param sprite the JPEG sheet of tiles
   * @param vtt WebVTT cues pointing into the sheet ({@code storyboard.jpg#xywh=x,y,w,h})
   * @param sheet size of the sheet
   * @param tile size of one tile
   * @param tiles how many tiles (and cues)
   * @param intervalSeconds time each tile stands for
   */
  public record Storyboard(
      Path sprite,
      Path vtt,
      Dimensions sheet,
      Dimensions tile,
      int tiles,
      double intervalSeconds,
      long spriteBytes,
      long vttBytes) {}
}
