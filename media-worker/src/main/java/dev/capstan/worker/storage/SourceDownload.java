package dev.capstan.worker.storage;

import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.transcode.ArrivingFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A job's source, copied from the object store into a local file by a thread of its own and
 * readable while it arrives: the probe and a stream copy work on the head of the file while the
 * rest is still coming ({@link ArrivingFile}), and {@link #await} gives the complete file to what
 * needs all of it. A read of bytes not there yet waits for them; it fails when the download failed,
 * when no byte came for {@code stallTimeout}, or when {@code stop} says so, so nothing waits for
 * ever.
 */
public final class SourceDownload implements ArrivingFile, AutoCloseable {
  private static final int CHUNK_BYTES = 1 << 20;
  private static final long WAIT_MILLIS = 100;

  private final ObjectStore.ObjectStream stream;
  private final Path file;
  private final FileChannel writer;
  private final FileChannel reader;
  private final Duration stallTimeout;
  private final BooleanSupplier stop;
  private final long began = System.nanoTime();
  private final Thread copier;

  // Guarded by this.
  private long arrived;
  private boolean done;
  private IOException failure;
  private boolean closed;
  private long tookMillis = -1;

  private SourceDownload(
      ObjectStore.ObjectStream stream, Path file, Duration stallTimeout, BooleanSupplier stop)
      throws IOException {
    this.stream = stream;
    this.file = file;
    this.stallTimeout = stallTimeout;
    this.stop = stop;
    this.writer =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    this.reader = FileChannel.open(file, StandardOpenOption.READ);
    this.copier = Thread.ofPlatform().name("source-download").daemon().unstarted(this::copy);
  }

  /**
   * Starts downloading {@code key} into {@code file}.
   *
   * @throws dev.capstan.storage.ObjectNotFoundException when there is no such object
   */
  public static SourceDownload start(
      ObjectStore objects, String key, Path file, Duration stallTimeout, BooleanSupplier stop)
      throws IOException {
    ObjectStore.ObjectStream stream = objects.read(key);
    SourceDownload download;
    try {
      download = new SourceDownload(stream, file, stallTimeout, stop);
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
    download.copier.start();
    return download;
  }

  @Override
  public long size() {
    return stream.sizeBytes();
  }

  /** The local file (complete once {@link #await} returned). */
  public Path file() {
    return file;
  }

  /** Milliseconds the whole download took; -1 while it runs. */
  public synchronized long tookMillis() {
    return tookMillis;
  }

  @Override
  public int read(long position, byte[] into, int offset, int length) throws IOException {
    if (position >= size() || length == 0) {
      return position >= size() ? -1 : 0;
    }
    long available = waitFor(position + 1);
    ByteBuffer buffer = ByteBuffer.wrap(into, offset, (int) Math.min(length, available - position));
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = reader.read(buffer, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /**
   * Waits for the whole file.
   *
   * @return the complete local file
   * @throws IOException when it will not complete (failed, stalled, stopped)
   */
  public Path await() throws IOException {
    waitFor(size());
    return file;
  }

  /** Waits until at least {@code bytes} have arrived; returns how many have. */
  private synchronized long waitFor(long bytes) throws IOException {
    long seen = arrived;
    long deadline = System.nanoTime() + stallTimeout.toNanos();
    while (arrived < bytes) {
      if (failure != null) {
        throw new IOException("source download failed: " + failure.getMessage(), failure);
      }
      if (closed) {
        throw new IOException("source download closed");
      }
      if (done) {
        throw new IOException("source ended after " + arrived + " of " + size() + " bytes");
      }
      if (stop.getAsBoolean()) {
        throw new IOException("stopped while the source was arriving");
      }
      if (arrived != seen) {
        seen = arrived;
        deadline = System.nanoTime() + stallTimeout.toNanos();
      } else if (System.nanoTime() - deadline > 0) {
        throw new IOException("source download stalled: no byte for " + stallTimeout);
      }
      try {
        wait(WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the source was arriving");
      }
    }
    return arrived;
  }

  private void copy() {
    byte[] chunk = new byte[CHUNK_BYTES];
    try (InputStream in = stream.body()) {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
        while (buffer.hasRemaining()) {
          writer.write(buffer);
        }
        synchronized (this) {
          arrived += n;
          notifyAll();
        }
      }
      synchronized (this) {
        if (arrived != size()) {
          failure = new IOException("source ended after " + arrived + " of " + size() + " bytes");
        }
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        failure = e instanceof IOException io ? io : new IOException(e);
      }
    } finally {
      try {
        writer.close();
      } catch (IOException e) {
        synchronized (this) {
          failure = failure != null ? failure : e;
        }
      }
      synchronized (this) {
        done = true;
        tookMillis = (System.nanoTime() - began) / 1_000_000;
        notifyAll();
      }
    }
  }

  /** Stops the download if it still runs (the rest of the object is not read) and lets go. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      stream.close();
    } catch (IOException e) {
      // going away anyway
    }
    try {
      copier.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      reader.close();
    } catch (IOException e) {
      // going away anyway
    }
  }
}
