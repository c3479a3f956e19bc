package dev.capstan.worker.transcode;

import java.time.Duration;

/**
 * How {@link JavaCvTranscoder} runs, as a plain value: the worker builds it from its configuration,
 * a benchmark or a command-line tool builds it by hand (no Quarkus needed).
 *
 * @param limits what sources are accepted, checked from the probe
 * @param threads threads of one transcode, shared among the decoder and the encoders by {@link
 *     ThreadBudget}; 0 means one per core
 * @param stallTimeout a transcode whose position in the source does not advance for this long is
 *     aborted with {@link TranscodeStalled}
 */
public record TranscodeOptions(MediaLimits limits, int threads, Duration stallTimeout) {
  public TranscodeOptions {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be 0 (automatic) or more: " + threads);
    }
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stall timeout must be positive: " + stallTimeout);
    }
  }

  /** The worker's defaults: a thread per core, a minute without progress is a stall. */
  public static TranscodeOptions defaults(MediaLimits limits) {
    return new TranscodeOptions(limits, 0, Duration.ofSeconds(60));
  }

  /** The FFmpeg {@code threads} option value. */
  String threadsOption() {
    return threads == 0 ? "auto" : Integer.toString(threads);
  }
}
