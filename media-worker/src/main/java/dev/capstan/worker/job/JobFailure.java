package dev.capstan.worker.job;

import dev.capstan.model.video.FailureReason;

/**
 * Why a job ended badly: the stable reason code, the sentence shown to the video's owner and the
 * technical line kept on the job row for operators.
 */
public record JobFailure(FailureReason reason, String readableMessage, String technicalDetail) {
  /** Size of {@code videos.error_message} and {@code jobs.last_error}. */
  static final int MAX_TEXT = 1000;

  /**
   * A problem with the media itself: the owner sees the reason and what FFmpeg said, e.g. "The
   * uploaded file is not a video or audio file that can be decoded (Invalid data found when
   * processing input)".
   */
  public static JobFailure ofMedia(FailureReason reason, String detail) {
    String base = reason.defaultMessage();
    String readable =
        detail == null || detail.isBlank() ? base : stripPeriod(base) + " (" + detail.strip() + ")";
    return new JobFailure(
        reason, clip(readable), clip(reason.code() + (detail == null ? "" : ": " + detail)));
  }

  /**
   * Something on our side broke: the owner gets the generic sentence, operators the exception (it
   * may name hosts and keys, which owners need not see).
   */
  public static JobFailure ofInternal(Throwable error) {
    String technical = error.getClass().getSimpleName() + ": " + error.getMessage();
    return new JobFailure(
        FailureReason.INTERNAL, FailureReason.INTERNAL.defaultMessage(), clip(technical));
  }

  /**
   * The transcode stalled: the owner reads the stall reason (the video is retried), operators where
   * it stalled.
   */
  public static JobFailure ofStall(String detail) {
    FailureReason reason = FailureReason.TRANSCODE_STALLED;
    return new JobFailure(reason, reason.defaultMessage(), clip(reason.code() + ": " + detail));
  }

  static String clip(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
  }

  private static String stripPeriod(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
