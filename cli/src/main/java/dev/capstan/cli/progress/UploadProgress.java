package dev.capstan.cli.progress;

import java.time.Duration;

/**
 * What an upload (and the processing after it) reports as it goes; a bar on a terminal, plain lines
 * elsewhere. Implementations are thread-safe: parts report from their own threads.
 */
public interface UploadProgress {
  /** Sending begins; {@code doneBytes} were stored by an earlier, interrupted run. */
  void start(String name, long totalBytes, long doneBytes, int partCount, int partsDone);

  /** Bytes went out (negative when a failed attempt's bytes must be sent again). */
  void transferred(long bytes);

  void partStored(int partNumber, long bytes);

  void retrying(int partNumber, int attempt, String reason, Duration delay);

  /** Sending is over, whatever the outcome. */
  void finishTransfer();

  /** The server processes the video: status, percent, stage and ETA as far as known. */
  void processing(String status, Integer percent, String stage, Double etaSeconds);

  /** Processing is over (ready or failed). */
  void finishProcessing();
}
