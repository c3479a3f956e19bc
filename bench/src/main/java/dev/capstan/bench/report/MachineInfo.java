package dev.capstan.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine a run measured on, as the report prints it. */
public record MachineInfo(int cores, String cpuModel, long memoryMiB, String jdk, String ffmpeg) {

  /** Reads /proc for the CPU and memory; the JDK is this JVM's; FFmpeg's version is given. */
  public static MachineInfo detect(String ffmpegVersion) {
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        readCpuModel(),
        readMemoryMiB(),
        "%s (%s)"
            .formatted(
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor")),
        ffmpegVersion);
  }

  private static String readCpuModel() {
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  private static long readMemoryMiB() {
    for (String line : lines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        String kb = line.replaceAll("[^0-9]", "");
        return Long.parseLong(kb) / 1024;
      }
    }
    return Runtime.getRuntime().maxMemory() / (1024 * 1024);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  String memory() {
    return String.format(Locale.ROOT, "%.1f GiB", memoryMiB / 1024.0);
  }
}
