package dev.capstan.worker.transcode;

/**
 * The transcode stopped making progress for longer than the stall timeout and was aborted. Not the
 * source's fault as far as we know (a stuck encoder, a starved machine): the job is retried.
 */
public class TranscodeStalled extends RuntimeException {
  public TranscodeStalled(String message) {
    super(message);
  }
}
