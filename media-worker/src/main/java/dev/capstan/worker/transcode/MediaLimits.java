package dev.capstan.worker.transcode;

import dev.capstan.model.video.FailureReason;
import java.time.Duration;

/** The largest and longest source a worker accepts; checked right after probing. */
public record MediaLimits(long maxPixels, Duration maxDuration) {

  /**
   * @throws MediaRejected with {@link FailureReason#LIMITS_EXCEEDED} naming the limit broken
   */
  public void check(SourceMedia media) {
    long pixels = media.display().pixels();
    if (pixels > maxPixels) {
      throw new MediaRejected(
          FailureReason.LIMITS_EXCEEDED,
          "%s is %d pixels, more than the %d allowed"
              .formatted(media.display(), pixels, maxPixels));
    }
    double maxSeconds = maxDuration.toMillis() / 1000.0;
    if (media.durationSeconds() > maxSeconds) {
      throw new MediaRejected(
          FailureReason.LIMITS_EXCEEDED,
          "%s long, more than the %s allowed"
              .formatted(
                  readable(Duration.ofMillis(Math.round(media.durationSeconds() * 1000))),
                  readable(maxDuration)));
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
