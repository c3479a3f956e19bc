package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;

/**
 * What probing found in a source.
 *
 * @param format container name as FFmpeg knows it
 * @param durationSeconds 0 when the container does not say
 * @param codedWidth width of the decoded frames, 0 without video
 * @param codedHeight height of the decoded frames, 0 without video
 * @param display size a viewer sees: pixel aspect and rotation applied, the size renditions use;
 *     null without video
 * @param rotationDegrees clockwise rotation a player applies (0, 90, 180 or 270)
 * @param fps average frame rate, 0 when unknown
 * @param variableFrameRate frames come at an uneven rate (or the container does not say)
 * @param videoCodec FFmpeg name of the video codec, null for an audio-only source
 * @param audioCodec FFmpeg name of the audio codec, null without audio
 * @param videoKbps the video stream's bitrate (the whole file's when the stream does not say), 0
 *     when unknown
 * @param streamCopyable H.264 (Baseline, Main or High) yuv420p 8-bit with square pixels and no
 *     rotation, alone with at most one AAC-LC track: a copy of its packets plays everywhere
 */
public record SourceMedia(
    String format,
    double durationSeconds,
    int codedWidth,
    int codedHeight,
    Dimensions display,
    int rotationDegrees,
    double fps,
    boolean variableFrameRate,
    String videoCodec,
    String audioCodec,
    long videoKbps,
    boolean streamCopyable) {

  public boolean hasAudio() {
    return audioCodec != null;
  }

  public boolean hasVideo() {
    return videoCodec != null;
  }

  /** Rotated a quarter turn either way: the frames are stored on their side. */
  public boolean quarterTurn() {
    return rotationDegrees == 90 || rotationDegrees == 270;
  }
}
