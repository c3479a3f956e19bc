package dev.capstan.bench.transcode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process run under GNU time ({@code /usr/bin/time}): the kernel's own count of its user and
 * system CPU time and its peak resident set (all of its threads, children waited for included).
 *
 * @param cpuSeconds user + system
 * @param peakRssMb maximum resident set size in MiB
 * @param output what the process printed (stdout and stderr)
 */
record MeasuredRun(double cpuSeconds, double peakRssMb, double wallSeconds, String output) {

  static final String TIME = "/usr/bin/time";

  static MeasuredRun run(
      List<String> command, Map<String, String> env, Path timeFile, long timeoutS)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(TIME, "-o", timeFile.toString(), "-f", "%U %S %M %e"));
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    // Read before waiting: a full pipe would block the child.
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out after " + timeoutS + " s: " + String.join(" ", command));
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "exit " + p.exitValue() + " from " + String.join(" ", command) + ":\n" + output);
    }
    List<String> lines = Files.readAllLines(timeFile);
    String[] f = lines.get(lines.size() - 1).trim().split("\\s+");
    return new MeasuredRun(
        Double.parseDouble(f[0]) + Double.parseDouble(f[1]),
        Double.parseDouble(f[2]) / 1024,
        Double.parseDouble(f[3]),
        output);
  }

  /**
   * Several runs one after the other, as one: CPU and wall time add up, the peak is the largest.
   */
  static MeasuredRun sequence(List<MeasuredRun> runs) {
    double cpu = 0;
    double rss = 0;
    double wall = 0;
    for (MeasuredRun r : runs) {
      cpu += r.cpuSeconds();
      rss = Math.max(rss, r.peakRssMb());
      wall += r.wallSeconds();
    }
    return new MeasuredRun(cpu, rss, wall, "");
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "CPU %7.2f s  wall %6.2f s  peak RSS %6.0f MB",
        cpuSeconds,
        wallSeconds,
        peakRssMb);
  }
}
