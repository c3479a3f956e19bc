package dev.capstan.cli.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress as whole lines, for logs and pipes: one per stored part, per retry, and per change of
 * processing stage or ten percent.
 */
public final class PlainProgress implements UploadProgress {
  private final PrintStream err;
  private final RateMeter meter = new RateMeter();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicInteger partsDone = new AtomicInteger();
  private volatile String name = "";
  private volatile long total;
  private volatile int partCount;
  private String lastStage;
  private int lastPercent = -100;

  public PlainProgress(PrintStream err) {
    this.err = err;
  }

  @Override
  public void start(String name, long totalBytes, long doneBytes, int partCount, int partsDone) {
    this.name = name;
    this.total = totalBytes;
    this.partCount = partCount;
    this.sent.set(doneBytes);
    this.partsDone.set(partsDone);
    meter.sample(System.nanoTime(), doneBytes);
    line(
        String.format(
            Locale.ROOT,
            "%s: uploading %s in %d part%s%s",
            name,
            Units.bytes(totalBytes),
            partCount,
            partCount == 1 ? "" : "s",
            partsDone > 0 ? " (" + partsDone + " already stored)" : ""));
  }

  @Override
  public void transferred(long bytes) {
    sent.addAndGet(bytes);
  }

  @Override
  public void partStored(int partNumber, long bytes) {
    int done = partsDone.incrementAndGet();
    long now = System.nanoTime();
    long bytesDone = Math.min(sent.get(), total);
    meter.sample(now, bytesDone);
    double rate = meter.bytesPerSecond();
    line(
        String.format(
            Locale.ROOT,
            "%s: part %d stored (%d/%d), %s/%s (%d%%), %s, ETA %s",
            name,
            partNumber,
            done,
            partCount,
            Units.bytes(bytesDone),
            Units.bytes(total),
            total == 0 ? 100 : (int) (bytesDone * 100 / total),
            Double.isNaN(rate) ? "--- B/s" : Units.rate(rate),
            bytesDone >= total ? "0:00" : Units.eta((total - bytesDone) / rate)));
  }

  @Override
  public void retrying(int partNumber, int attempt, String reason, Duration delay) {
    line(
        String.format(
            Locale.ROOT,
            "%s: part %d failed (%s); retry %d in %.1f s",
            name,
            partNumber,
            reason,
            attempt,
            delay.toMillis() / 1000.0));
  }

  @Override
  public void finishTransfer() {}

  @Override
  public synchronized void processing(
      String status, Integer percent, String stage, Double etaSeconds) {
    String s = stage == null ? status : stage;
    int p = percent == null ? -1 : percent;
    if (s.equals(lastStage) && p - lastPercent < 10) {
      return;
    }
    lastStage = s;
    lastPercent = p;
    StringBuilder line = new StringBuilder(name).append(": ").append(status);
    if (stage != null && !stage.equals(status)) {
      line.append(" (").append(stage).append(")");
    }
    if (percent != null) {
      line.append(' ').append(percent).append('%');
    }
    if (etaSeconds != null && etaSeconds > 0) {
      line.append(", ETA ").append(Units.eta(etaSeconds));
    }
    line(line.toString());
  }

  @Override
  public void finishProcessing() {}

  private void line(String s) {
    synchronized (err) {
      err.println(s);
      err.flush();
    }
  }
}
