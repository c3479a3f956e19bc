package dev.capstan.cli.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line redrawn in place ({@code \r}) on a terminal, five times a second:
 *
 * <pre>clip.mp4 [=========>          ]  45%  3.6 MiB/8.0 MiB  2.1 MiB/s  ETA 0:02</pre>
 *
 * then the processing line that follows it.
 */
public final class ProgressBar implements UploadProgress {
  private static final long REFRESH_MILLIS = 200;

  private final PrintStream err;
  private final int width;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "capstan-progress");
            t.setDaemon(true);
            return t;
          });
  private final RateMeter meter = new RateMeter();
  private final AtomicLong sent = new AtomicLong();
  private volatile String name = "";
  private volatile long total;
  private volatile String processingLine;
  private volatile String note;
  private ScheduledFuture<?> tick;
  private int lastLength;

  public ProgressBar(PrintStream err, int width) {
    this.err = err;
    this.width = Math.max(width, 40);
  }

  /** The terminal's width from {@code $COLUMNS}, else 80. */
  public static int terminalWidth() {
    try {
      String columns = System.getenv("COLUMNS");
      return columns == null ? 80 : Integer.parseInt(columns.trim());
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  @Override
  public synchronized void start(
      String name, long totalBytes, long doneBytes, int partCount, int partsDone) {
    this.name = name;
    this.total = totalBytes;
    this.sent.set(doneBytes);
    this.processingLine = null;
    meter.sample(System.nanoTime(), doneBytes);
    draw();
    tick =
        ticker.scheduleAtFixedRate(
            this::draw, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void transferred(long bytes) {
    sent.addAndGet(bytes);
  }

  @Override
  public void partStored(int partNumber, long bytes) {
    note = null; // a part got through: an old retry note is no news any more
  }

  @Override
  public void retrying(int partNumber, int attempt, String reason, Duration delay) {
    note = "part " + partNumber + " retry " + attempt + ": " + reason;
  }

  @Override
  public synchronized void finishTransfer() {
    stopTicking();
    if (processingLine == null) {
      draw();
      err.println();
      err.flush();
      lastLength = 0;
    }
  }

  @Override
  public synchronized void processing(
      String status, Integer percent, String stage, Double etaSeconds) {
    StringBuilder line = new StringBuilder(name).append(" ");
    if (percent != null) {
      line.append(bar(percent / 100.0, Math.max(10, Math.min(30, width - name.length() - 40))))
          .append(String.format(Locale.ROOT, " %3d%%", percent));
    }
    line.append("  ").append(status);
    if (stage != null && !stage.equals(status)) {
      line.append(" (").append(stage).append(")");
    }
    if (etaSeconds != null && etaSeconds > 0) {
      line.append("  ETA ").append(Units.eta(etaSeconds));
    }
    processingLine = line.toString();
    redraw(processingLine);
  }

  @Override
  public synchronized void finishProcessing() {
    if (processingLine != null) {
      err.println();
      err.flush();
      lastLength = 0;
      processingLine = null;
    }
  }

  /** Stops redrawing; the next output starts on a fresh line. Used when interrupted. */
  public synchronized void abandon() {
    stopTicking();
    if (lastLength > 0) {
      err.println();
      err.flush();
      lastLength = 0;
    }
  }

  private void stopTicking() {
    if (tick != null) {
      tick.cancel(false);
      tick = null;
    }
  }

  synchronized void draw() {
    long now = System.nanoTime();
    long done = Math.min(sent.get(), total);
    meter.sample(now, done);
    redraw(render(done, meter.bytesPerSecond()));
  }

  /** The line for {@code done} bytes at {@code rate} bytes per second. */
  String render(long done, double rate) {
    double fraction = total == 0 ? 1 : (double) done / total;
    String right =
        String.format(
            Locale.ROOT,
            " %3d%%  %s/%s  %s  ETA %s",
            (int) Math.floor(fraction * 100),
            Units.bytes(done),
            Units.bytes(total),
            Double.isNaN(rate) ? "--- B/s" : Units.rate(rate),
            done >= total ? "0:00" : Units.eta(rate > 0 ? (total - done) / rate : Double.NaN));
    int barWidth = Math.max(10, Math.min(30, width - right.length() - 24));
    String label = name.length() > 20 ? name.substring(0, 19) + "…" : name;
    String line = label + " " + bar(fraction, barWidth) + right;
    String n = note;
    if (n != null && line.length() + n.length() + 3 < width) {
      line += "  " + n;
    }
    return line;
  }

  static String bar(double fraction, int cells) {
    double f = Math.max(0, Math.min(1, fraction));
    int full = (int) Math.floor(f * cells);
    StringBuilder b = new StringBuilder(cells + 2).append('[');
    for (int i = 0; i < cells; i++) {
      b.append(i < full ? '=' : (i == full && f < 1 ? '>' : ' '));
    }
    return b.append(']').toString();
  }

  private void redraw(String line) {
    String shown = line.length() >= width ? line.substring(0, width - 1) : line;
    int pad = Math.max(0, lastLength - shown.length());
    err.print("\r" + shown + " ".repeat(pad));
    err.flush();
    lastLength = shown.length();
  }
}
