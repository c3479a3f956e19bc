package dev.capstan.worker.transcode;

import java.io.IOException;

/**
 * A source file that may still be arriving (a download in progress): its final length is known, and
 * a read of bytes that are not there yet waits for them. FFmpeg reads it through {@link
 * MediaInput}, so a source whose index comes first (an MP4 with its {@code moov} at the front) is
 * probed and stream-copied from its head while its tail is still on the way; one whose index is at
 * the end (a {@code moov}-last MP4) simply waits for it, which is the whole download.
 */
public interface ArrivingFile {

  /** The length the file has once complete. */
  long size();

  /**
   * Reads up to {@code length} bytes at {@code position}, waiting until at least one has arrived.
   *
   * @return how many were read, or -1 at or past the end
   * @throws IOException when the bytes will never come (the download failed, stalled or was
   *     stopped)
   */
  int read(long position, byte[] into, int offset, int length) throws IOException;
}
