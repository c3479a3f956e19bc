package dev.capstan.worker.transcode;

import dev.capstan.model.video.FailureReason;

/**
 * The source itself is the problem (not a codec we know, no video, beyond the limits, corrupt):
 * trying again cannot help, so the video fails for good with this reason.
 */
public class MediaRejected extends RuntimeException {
  private final FailureReason reason;
  private final String detail;

  public MediaRejected(FailureReason reason, String detail) {
    super(reason.code() + ": " + detail);
    this.reason = reason;
    this.detail = detail;
  }

  public FailureReason reason() {
    return reason;
  }

  /** What exactly was wrong, in FFmpeg's or our words; may be null. */
  public String detail() {
    return detail;
  }
}
