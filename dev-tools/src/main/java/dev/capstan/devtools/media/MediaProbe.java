package dev.capstan.devtools.media;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Reads what a user would check about a media file: container, codecs, size, duration. */
public final class MediaProbe {

  /** The facts of one media file. */
  public record MediaInfo(
      String format,
      String videoCodec,
      String audioCodec,
      int width,
      int height,
      double durationSeconds,
      int audioChannels) {

    public String toJson() {
      return """
          {"format":"%s","videoCodec":"%s","audioCodec":"%s","width":%d,"height":%d,\
          "durationSeconds":%.3f,"audioChannels":%d}"""
          .formatted(format, videoCodec, audioCodec, width, height, durationSeconds, audioChannels);
    }
  }

  private MediaProbe() {}

  public static MediaInfo probe(Path file) throws IOException {
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
      grabber.start();
      return new MediaInfo(
          grabber.getFormat(),
          grabber.hasVideo() ? grabber.getVideoCodecName() : null,
          grabber.hasAudio() ? grabber.getAudioCodecName() : null,
          grabber.getImageWidth(),
          grabber.getImageHeight(),
          grabber.getLengthInTime() / 1_000_000.0,
          grabber.getAudioChannels());
    }
  }
}
