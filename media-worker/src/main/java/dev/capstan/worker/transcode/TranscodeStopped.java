package dev.capstan.worker.transcode;

/** The transcode was asked to stop (lease lost, worker draining); its output is incomplete. */
public class TranscodeStopped extends RuntimeException {
  public TranscodeStopped(String message) {
    super(message);
  }
}
