package dev.capstan.bench.transcode;

import dev.capstan.bench.result.BenchmarkResult;
import dev.capstan.bench.result.BenchmarkResult.Pair;
import dev.capstan.bench.result.BenchmarkResult.Target;
import dev.capstan.bench.result.Stats;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.media.Dimensions;
import dev.capstan.worker.transcode.ThreadBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 3's benchmark: on one generated 1080p30 H.264/AAC source, with the same ladder and encoder
 * settings, rounds of
 *
 * <ul>
 *   <li>A: Capstan's transcoder in a worker-like child JVM ({@link CapstanTranscodeRun});
 *   <li>B: the ffmpeg CLI in one process with a {@code split} filter graph;
 *   <li>C: one ffmpeg CLI process per output, each decoding the source again (the PeerTube way);
 *   <li>D: B again, but with the threads A gives each stage ({@link ThreadBudget}): how much of the
 *       difference between A and B is threading alone,
 * </ul>
 *
 * in a rotating order, so no side always runs first. The ffmpeg binary is the one shipped in the
 * JavaCV jar: the same FFmpeg libraries on both sides. Writes four results: A vs B (CPU), A vs C
 * (CPU), A's peak RSS against B's, and A vs D (CPU, for information).
 *
 * <p>{@code transcode --json FILE [--pairs 3] [--seconds 12] [--same-threads true] [--work DIR]}; A
 * vs C goes to {@code FILE} with {@code -per-rung} before {@code .json}, the RSS result with {@code
 * -rss}, A vs D with {@code -same-threads}. {@code --same-threads false} leaves D out (the quick
 * suite does: it has no target).
 */
public final class TranscodeBenchmark {
  static final List<String> WORKER_JVM_FLAGS =
      List.of(
          "--enable-native-access=ALL-UNNAMED",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Xmx384m",
          "-Djava.awt.headless=true");
  private static final Pattern RESULT =
      Pattern.compile("RESULT cpuSeconds=([0-9.]+) wallSeconds=([0-9.]+)");
  private static final int WIDTH = 1920;
  private static final int HEIGHT = 1080;
  private static final int FPS = 30;
  private static final long TIMEOUT_S = 900;

  private final int pairs;
  private final double seconds;
  private final boolean sameThreads;
  private final Path work;

  TranscodeBenchmark(int pairs, double seconds, Path work, boolean sameThreads) {
    this.pairs = pairs;
    this.seconds = seconds;
    this.work = work;
    this.sameThreads = sameThreads;
  }

  public static void main(Map<String, String> opts) throws Exception {
    Path json = Path.of(opts.getOrDefault("json", "transcode.json"));
    int pairs = Integer.parseInt(opts.getOrDefault("pairs", "3"));
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "12"));
    boolean sameThreads = Boolean.parseBoolean(opts.getOrDefault("same-threads", "true"));
    Path work =
        opts.containsKey("work")
            ? Files.createDirectories(Path.of(opts.get("work")))
            : Files.createTempDirectory("capstan-transcode-bench");
    try {
      List<BenchmarkResult> results =
          new TranscodeBenchmark(pairs, seconds, work, sameThreads).run();
      results.get(0).write(json);
      results.get(1).write(sibling(json, "-per-rung"));
      results.get(2).write(sibling(json, "-rss"));
      if (sameThreads) {
        results.get(3).write(sibling(json, "-same-threads"));
      }
      System.err.println(
          "wrote "
              + json
              + " and its -per-rung, -rss"
              + (sameThreads ? " and -same-threads" : "")
              + " siblings");
    } finally {
      if (!opts.containsKey("work")) {
        deleteTree(work);
      }
    }
  }

  static Path sibling(Path json, String suffix) {
    String name = json.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return json.resolveSibling(base + suffix + ".json");
  }

  List<BenchmarkResult> run() throws Exception {
    Path source = work.resolve("source-1080p30.mp4");
    Path warmup = work.resolve("warmup.mp4");
    log("generating a %.0f s %dx%d %d fps H.264/AAC source", seconds, WIDTH, HEIGHT, FPS);
    SampleClips.generate(
        new SampleClips.Spec(seconds, WIDTH, HEIGHT, FPS, true, "libx264"), source);
    SampleClips.generate(SampleClips.Spec.standard(1), warmup);
    String ffmpeg = SampleClips.ffmpegBinary();
    Map<String, String> ffmpegEnv =
        Map.of("LD_LIBRARY_PATH", Path.of(ffmpeg).getParent().toString());
    CliLadder ladder =
        new CliLadder(ffmpeg, source, new Dimensions(WIDTH, HEIGHT), FPS, /* audio */ true);
    log(
        "ladder: %s",
        String.join(", ", ladder.outputs().stream().map(o -> o.name() + " " + o.size()).toList()));
    // What the transcoder gives each stage with the worker's default budget (a thread per core).
    ThreadBudget capstanThreads =
        ThreadBudget.share(
            0,
            new Dimensions(WIDTH, HEIGHT),
            ladder.outputs().stream().map(o -> o.size()).toList());
    String capstanThreadsText =
        "budget %d (one per core): decoder %d, encoders %s, each encoder on its own thread"
            .formatted(
                Runtime.getRuntime().availableProcessors(),
                capstanThreads.decoder(),
                capstanThreads.encoders());
    String splitThreadsText =
        "ffmpeg defaults: threads auto for the decoder and every encoder (libx264: 1.5 x cores"
            + " frame threads each), filter threads auto";
    log("threads: A %s; B %s", capstanThreadsText, splitThreadsText);

    List<MeasuredRun> as = new ArrayList<>();
    List<Double> aTranscodeCpu = new ArrayList<>();
    List<Double> aTranscodeWall = new ArrayList<>();
    List<MeasuredRun> bs = new ArrayList<>();
    List<MeasuredRun> cs = new ArrayList<>();
    List<MeasuredRun> csWithoutMp4 = new ArrayList<>();
    List<MeasuredRun> ds = new ArrayList<>();
    long[] outBytes = new long[4];
    for (int round = 0; round < pairs; round++) {
      int sides = sameThreads ? 4 : 3;
      for (int k = 0; k < sides; k++) {
        int side = (round + k) % sides; // A B C D, B C D A, C D A B, ...
        Path out = work.resolve("out-" + "ABCD".charAt(side));
        deleteTree(out);
        Files.createDirectories(out);
        switch (side) {
          case 0 -> {
            MeasuredRun a = runCapstan(source, out, warmup);
            Matcher m = RESULT.matcher(a.output());
            if (!m.find()) {
              throw new IOException("side A printed no RESULT line:\n" + a.output());
            }
            aTranscodeCpu.add(Double.parseDouble(m.group(1)));
            aTranscodeWall.add(Double.parseDouble(m.group(2)));
            as.add(a);
            log(
                "round %d  A capstan   transcode CPU %7.2f s | JVM %s",
                round + 1, aTranscodeCpu.getLast(), a);
          }
          case 1 -> {
            MeasuredRun b =
                MeasuredRun.run(
                    ladder.splitCommand(out), ffmpegEnv, work.resolve("time-b"), TIMEOUT_S);
            bs.add(b);
            log("round %d  B split     %s", round + 1, b);
          }
          case 3 -> {
            MeasuredRun d =
                MeasuredRun.run(
                    ladder.splitCommand(out, capstanThreads),
                    ffmpegEnv,
                    work.resolve("time-d"),
                    TIMEOUT_S);
            ds.add(d);
            log("round %d  D split, Capstan's threads %s", round + 1, d);
          }
          default -> {
            List<MeasuredRun> parts = new ArrayList<>();
            for (List<String> cmd : ladder.perRungCommands(out)) {
              parts.add(MeasuredRun.run(cmd, ffmpegEnv, work.resolve("time-c"), TIMEOUT_S));
            }
            MeasuredRun c = MeasuredRun.sequence(parts);
            cs.add(c);
            // The MP4 download is the last output: without it, C is the HLS ladder alone.
            csWithoutMp4.add(MeasuredRun.sequence(parts.subList(0, parts.size() - 1)));
            log(
                "round %d  C per rung  %s (MP4 run: CPU %.2f s)",
                round + 1, c, parts.getLast().cpuSeconds());
          }
        }
        outBytes[side] = treeSize(out);
      }
    }

    List<Pair> splitPairs = new ArrayList<>();
    List<Pair> perRungPairs = new ArrayList<>();
    List<Pair> rssPairs = new ArrayList<>();
    List<Pair> sameThreadsPairs = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      if (sameThreads) {
        sameThreadsPairs.add(new Pair(aTranscodeCpu.get(i), ds.get(i).cpuSeconds()));
      }
      splitPairs.add(new Pair(aTranscodeCpu.get(i), bs.get(i).cpuSeconds()));
      perRungPairs.add(new Pair(aTranscodeCpu.get(i), cs.get(i).cpuSeconds()));
      rssPairs.add(new Pair(as.get(i).peakRssMb(), bs.get(i).peakRssMb()));
    }
    String src = "%.0f s %dx%d %d fps H.264/AAC (testsrc2)".formatted(seconds, WIDTH, HEIGHT, FPS);
    String ladderText =
        String.join(" + ", ladder.outputs().stream().map(CliLadder.Output::name).toList());
    String subject =
        ("JavaCvTranscoder in a warm worker-like JVM (CPU of the transcode call), %s of a %s"
                + " source; A remuxes its MP4 download from the 720p rung's segments and the audio"
                + " rendition (no second encode), while B and C encode the MP4 separately (2 s GOP),"
                + " as a CLI script or PeerTube does")
            .formatted(ladderText, src);
    List<Double> perRungWithoutMp4Cpu = cpuOf(csWithoutMp4);
    List<Double> ratiosWithoutMp4 = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      ratiosWithoutMp4.add(
          Math.round(aTranscodeCpu.get(i) / perRungWithoutMp4Cpu.get(i) * 100) / 100.0);
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("sourceSeconds", seconds);
    extra.put("capstanThreads", capstanThreadsText);
    extra.put("splitThreads", splitThreadsText);
    extra.put("capstanWholeJvmCpuSeconds", cpuOf(as));
    extra.put("capstanTranscodeWallSeconds", aTranscodeWall);
    extra.put("splitWallSeconds", bs.stream().map(MeasuredRun::wallSeconds).toList());
    extra.put("perRungWallSeconds", cs.stream().map(MeasuredRun::wallSeconds).toList());
    extra.put("capstanOutputMB", outBytes[0] / 1e6);
    extra.put("splitOutputMB", outBytes[1] / 1e6);
    extra.put("perRungOutputMB", outBytes[2] / 1e6);
    extra.put("splitWithCapstanThreadsCpuSeconds", cpuOf(ds));

    BenchmarkResult split =
        new BenchmarkResult(
            "transcode-split",
            "Transcode CPU: Capstan vs ffmpeg CLI (split)",
            "CPU s",
            false,
            subject,
            "ffmpeg CLI, one process, split filter graph, same outputs and settings",
            splitPairs,
            new Target("CPU ratio ≤ 1.00× (median)", 1.00, null),
            extra);
    BenchmarkResult perRung =
        new BenchmarkResult(
            "transcode-per-rung",
            "Transcode CPU: Capstan vs ffmpeg CLI per rung",
            "CPU s",
            false,
            subject,
            "ffmpeg CLI, one process per output (PeerTube way), same settings",
            perRungPairs,
            new Target("CPU ratio ≤ 0.80× (median)", 0.80, null),
            Map.of(
                "sourceSeconds",
                seconds,
                "perRungWallSeconds",
                cs.stream().map(MeasuredRun::wallSeconds).toList(),
                "perRungWithoutMp4CpuSeconds",
                perRungWithoutMp4Cpu,
                "ratioAgainstPerRungWithoutMp4",
                ratiosWithoutMp4));
    BenchmarkResult rss =
        new BenchmarkResult(
            "transcode-rss",
            "Transcode peak RSS: transcoder-only JVM vs ffmpeg CLI (split)",
            "MB",
            false,
            "peak RSS of a JVM running only the transcoder (-Xmx384m, SerialGC); the real worker"
                + " process is measured by bench/worker-memory.sh",
            "peak RSS of the ffmpeg CLI split process",
            rssPairs,
            new Target("worker peak RSS ≤ 768 MB (median)", null, 768.0),
            Map.of("sourceSeconds", seconds));

    BenchmarkResult sameThreads =
        new BenchmarkResult(
            "transcode-split-same-threads",
            "Transcode CPU: Capstan vs ffmpeg CLI (split) with Capstan's threads",
            "CPU s",
            false,
            subject,
            "the split ffmpeg CLI of the first result, but with the threads Capstan gives each"
                + " stage: %s; one filter thread".formatted(capstanThreadsText),
            sameThreadsPairs,
            new Target("for information: how much of the gap to B is threading", null, null),
            Map.of(
                "sourceSeconds",
                seconds,
                "splitWithCapstanThreadsWallSeconds",
                ds.stream().map(MeasuredRun::wallSeconds).toList(),
                "splitWithCapstanThreadsPeakRssMB",
                ds.stream().map(MeasuredRun::peakRssMb).toList()));

    List<BenchmarkResult> results =
        this.sameThreads ? List.of(split, perRung, rss, sameThreads) : List.of(split, perRung, rss);
    for (BenchmarkResult r : results) {
      Stats s = r.ratioStats();
      log(
          "%-52s ratio min %.2f  median %.2f  max %.2f  -> %s",
          r.title(), s.min(), s.median(), s.max(), r.verdict());
    }
    Stats withoutMp4 =
        Stats.of(ratiosWithoutMp4.stream().mapToDouble(Double::doubleValue).toArray());
    log(
        "%-52s ratio min %.2f  median %.2f  max %.2f  (for information; B is not run without it)",
        "Capstan vs ffmpeg CLI per rung, HLS ladder without the MP4",
        withoutMp4.min(),
        withoutMp4.median(),
        withoutMp4.max());
    return results;
  }

  private MeasuredRun runCapstan(Path source, Path out, Path warmup)
      throws IOException, InterruptedException {
    deleteTree(out.resolveSibling(out.getFileName() + "-warmup"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(WORKER_JVM_FLAGS);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            CapstanTranscodeRun.class.getName(),
            source.toString(),
            out.toString(),
            warmup.toString()));
    return MeasuredRun.run(cmd, Map.of(), work.resolve("time-a"), TIMEOUT_S);
  }

  private static List<Double> cpuOf(List<MeasuredRun> runs) {
    return runs.stream().map(MeasuredRun::cpuSeconds).toList();
  }

  private static void log(String format, Object... args) {
    System.err.println("transcode: " + String.format(Locale.ROOT, format, args));
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
