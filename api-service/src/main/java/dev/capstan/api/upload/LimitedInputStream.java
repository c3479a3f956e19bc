package dev.capstan.api.upload;

import dev.capstan.api.error.PayloadTooLarge;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts what a body delivers and fails with {@link PayloadTooLarge} past the limit: the guard for
 * chunked uploads, which announce no Content-Length up front.
 */
public final class LimitedInputStream extends FilterInputStream {
  private final long limit;
  private long count;

  public LimitedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n > 0) {
      add(n);
    }
    return n;
  }

  public long count() {
    return count;
  }

  private void add(long n) {
    count += n;
    if (count > limit) {
      throw new PayloadTooLarge(limit);
    }
  }
}
