package dev.capstan.worker.transcode;

import dev.capstan.model.media.Dimensions;

/**
 * What probing found in a source.
 *
 * @param format container name as FFmpeg knows it
 * @param durationSeconds 0 when the container does not say
 * @param codedWidth width of the decoded frames
 * @param codedHeight height of the decoded frames
 * @param display size a viewer sees: pixel aspect and rotation applied, the size renditions use
 * @param rotationDegrees clockwise rotation a player applies (0, 90, 180 or 270)
 * @param fps average frame rate, 0 when unknown
 * @param videoCodec FFmpeg name of the video codec
 * @param audioCodec FFmpeg name of the audio codec, null without audio
 */
public record SourceMedia(
    String format,
    double durationSeconds,
    int codedWidth,
    int codedHeight,
    Dimensions display,
    int rotationDegrees,
    double fps,
    String videoCodec,
    String audioCodec) {

  public boolean hasAudio() {
    return audioCodec != null;
  }

  /** Rotated a quarter turn either way: the frames are stored on their side. */
  public boolean quarterTurn() {
    return rotationDegrees == 90 || rotationDegrees == 270;
  }
}
