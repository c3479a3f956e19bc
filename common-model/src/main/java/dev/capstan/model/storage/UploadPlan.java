package dev.capstan.model.storage;

/**
 * How a file of a given size is cut into multipart parts: equal parts of at least 8 MiB, at most
 * 10,000 of them (S3's limit), the last one possibly shorter. Whole MiB, so every store agrees.
 */
public record UploadPlan(long sizeBytes, long partSize, int partCount) {
  public static final long MIN_PART = 8L * 1024 * 1024;
  public static final int MAX_PARTS = 10_000;
  private static final long MIB = 1024 * 1024;

  public static UploadPlan forSize(long sizeBytes) {
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("size must be positive: " + sizeBytes);
    }
    long needed = ceilDiv(sizeBytes, MAX_PARTS);
    long partSize = Math.max(MIN_PART, ceilDiv(needed, MIB) * MIB);
    return new UploadPlan(sizeBytes, partSize, (int) ceilDiv(sizeBytes, partSize));
  }

  /** Size of part {@code n} (1-based). */
  public long sizeOfPart(int n) {
    if (n < 1 || n > partCount) {
      throw new IllegalArgumentException("no part " + n + " of " + partCount);
    }
    return n < partCount ? partSize : sizeBytes - partSize * (partCount - 1);
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
