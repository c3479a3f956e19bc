package dev.capstan.bench.transcode;

import com.sun.management.OperatingSystemMXBean;
import dev.capstan.worker.transcode.JavaCvTranscoder;
import dev.capstan.worker.transcode.MediaLimits;
import dev.capstan.worker.transcode.SourceMedia;
import dev.capstan.worker.transcode.TranscodeListener;
import dev.capstan.worker.transcode.TranscodeResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Side A of the transcode benchmark, run in a child JVM of its own: Capstan's transcoder called the
 * way the worker calls it (probe, then transcode into a folder). The only class of the benchmark
 * that knows the transcoder's API, so a change there is fixed here alone.
 *
 * <p>A worker is a long-lived JVM, so one small transcode first loads the natives and warms the
 * JIT; then the CPU time of the process across the measured {@code transcode} call is printed as
 * {@code RESULT cpuSeconds=… wallSeconds=…}. Peak RSS is the parent's to read, for the whole JVM.
 *
 * <p>Usage: {@code CapstanTranscodeRun SOURCE OUTPUT_DIR WARMUP_CLIP}
 */
public final class CapstanTranscodeRun {
  private CapstanTranscodeRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: CapstanTranscodeRun SOURCE OUTPUT_DIR WARMUP_CLIP");
      System.exit(2);
    }
    Path source = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Path warmup = Path.of(args[2]);
    JavaCvTranscoder transcoder =
        new JavaCvTranscoder(new MediaLimits(Long.MAX_VALUE, Duration.ofDays(1)));

    Path warmOut = Files.createDirectories(out.resolveSibling(out.getFileName() + "-warmup"));
    transcoder.transcode(warmup, transcoder.probe(warmup), warmOut, TranscodeListener.NONE);

    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    SourceMedia media = transcoder.probe(source);
    Files.createDirectories(out);
    TranscodeResult result = transcoder.transcode(source, media, out, TranscodeListener.NONE);
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    double wall = (System.nanoTime() - wall0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "RESULT cpuSeconds=%.3f wallSeconds=%.3f rungs=%d%n",
        cpu,
        wall,
        result.hls().rungs().size());
  }
}
