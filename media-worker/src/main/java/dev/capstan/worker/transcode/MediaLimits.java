package dev.capstan.worker.transcode;

import dev.capstan.model.video.FailureReason;
import java.time.Duration;

/**
 * The largest, longest and fastest source a worker accepts. Everything here is checked from the
 * probe (or the file size) before a single frame is decoded, so a decompression bomb (a small file
 * that declares a huge picture, frame rate or length) costs nothing but the probe.
 *
 * @param maxPixels width × height of the largest frame, coded or displayed
 * @param maxDuration the longest duration
 * @param maxFps the highest average frame rate
 * @param maxFileBytes the largest source file
 */
public record MediaLimits(long maxPixels, Duration maxDuration, double maxFps, long maxFileBytes) {

  /** Defaults for whatever is not given: 240 fps, 20 GiB. */
  public MediaLimits(long maxPixels, Duration maxDuration) {
    this(maxPixels, maxDuration, 240, 20L << 30);
  }

  /**
   * @throws MediaRejected with {@link FailureReason#LIMITS_EXCEEDED} naming the limit broken
   */
  public void checkFileSize(long bytes) {
    if (bytes > maxFileBytes) {
      throw new MediaRejected(
          FailureReason.LIMITS_EXCEEDED,
          "the file is %d bytes, more than the %d allowed".formatted(bytes, maxFileBytes));
    }
  }

  /**
   * @throws MediaRejected with {@link FailureReason#LIMITS_EXCEEDED} naming the limit broken
   */
  public void check(SourceMedia media) {
    if (media.hasVideo()) {
      long coded = (long) media.codedWidth() * media.codedHeight();
      long pixels = Math.max(coded, media.display().pixels());
      if (pixels > maxPixels) {
        throw new MediaRejected(
            FailureReason.LIMITS_EXCEEDED,
            "%s is %d pixels, more than the %d allowed"
                .formatted(media.display(), pixels, maxPixels));
      }
      if (media.fps() > maxFps) {
        throw new MediaRejected(
            FailureReason.LIMITS_EXCEEDED,
            "%.0f frames per second, more than the %.0f allowed".formatted(media.fps(), maxFps));
      }
    }
    checkDuration(media.durationSeconds());
  }

  /** Also called while decoding, for sources whose container does not say how long they are. */
  public void checkDuration(double seconds) {
    double maxSeconds = maxDuration.toMillis() / 1000.0;
    if (seconds > maxSeconds) {
      throw new MediaRejected(
          FailureReason.LIMITS_EXCEEDED,
          "%s long, more than the %s allowed"
              .formatted(
                  readable(Duration.ofMillis(Math.round(seconds * 1000))), readable(maxDuration)));
    }
  }

  /** 1:02:03 style, which reads better than ISO-8601 in a message for people. */
  static String readable(Duration d) {
    long s = d.toSeconds();
    return s >= 3600
        ? "%d:%02d:%02d".formatted(s / 3600, (s / 60) % 60, s % 60)
        : "%d:%02d".formatted(s / 60, s % 60);
  }
}
