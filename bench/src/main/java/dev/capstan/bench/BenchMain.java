package dev.capstan.bench;

import dev.capstan.bench.report.ReportCommand;
import dev.capstan.bench.transcode.SplitLadderRun;
import dev.capstan.bench.transcode.TranscodeBenchmark;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of {@code java -jar bench/target/capstan-bench.jar}, which {@code ./capstan bench}
 * calls:
 *
 * <ul>
 *   <li>{@code transcode --json FILE [--pairs 3] [--seconds 12] [--same-threads true] [--work
 *       DIR]}: issue 3's transcode benchmark;
 *   <li>{@code ffmpeg-split --source FILE --out DIR [--fps 30]}: the ffmpeg CLI doing Capstan's
 *       ladder once, with its CPU time and peak RSS (the anchor of {@code bench/worker-memory.sh});
 *   <li>{@code report --results DIR --doc docs/BENCHMARKS.md --plots docs/benchmarks --commit SHA
 *       --mode quick|full [--note TEXT] [--at INSTANT]}: turns every result of a suite run into the
 *       report.
 * </ul>
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      System.exit(2);
    }
    Map<String, String> opts = options(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "transcode" -> TranscodeBenchmark.main(opts);
      case "ffmpeg-split" -> SplitLadderRun.main(opts);
      case "report" -> ReportCommand.main(opts);
      default -> {
        usage();
        System.exit(2);
      }
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
      opts.put(key, hasValue ? args[++i] : "true");
    }
    return opts;
  }

  private static void usage() {
    System.err.println(
        """
        usage: java -jar capstan-bench.jar transcode --json FILE [--pairs 3] [--seconds 12] [--work DIR]
               java -jar capstan-bench.jar ffmpeg-split --source FILE --out DIR [--fps 30]
               java -jar capstan-bench.jar report --results DIR --doc FILE --plots DIR \
        --commit SHA --mode quick|full [--note TEXT] [--at INSTANT]""");
  }
}
