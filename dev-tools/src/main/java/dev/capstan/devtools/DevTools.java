package dev.capstan.devtools;

import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.devtools.s3.LocalS3;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of {@code java -jar dev-tools.jar}:
 *
 * <ul>
 *   <li>{@code s3 --port 9000 --data .capstan/s3 --bucket capstan --access-key K --secret-key S}
 *       runs an S3-compatible server on a folder until killed;
 *   <li>{@code clip --out FILE [--seconds 5] [--size 320x180] [--no-audio]} writes an H.264/AAC
 *       test clip;
 *   <li>{@code probe FILE} prints codecs, size and duration of a media file as JSON;
 *   <li>{@code ffmpeg-path} prints where the bundled ffmpeg executable is (it needs its folder on
 *       {@code LD_LIBRARY_PATH}), for scripts that generate their own sources.
 * </ul>
 */
public final class DevTools {
  private DevTools() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      return;
    }
    Map<String, String> opts = options(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "s3" -> LocalS3.runUntilKilled(LocalS3.Settings.from(opts));
      case "clip" -> {
        Path out = Path.of(require(opts, "out"));
        SampleClips.generate(SampleClips.Spec.from(opts), out);
        System.out.println(out.toAbsolutePath());
      }
      case "probe" -> System.out.println(MediaProbe.probe(Path.of(args[1])).toJson());
      case "ffmpeg-path" -> System.out.println(SampleClips.ffmpegBinary());
      default -> {
        usage();
        System.exit(2);
      }
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        continue;
      }
      String key = args[i].substring(2);
      boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
      opts.put(key, hasValue ? args[++i] : "true");
    }
    return opts;
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  private static void usage() {
    System.err.println(
        """
        usage: java -jar dev-tools.jar s3 [--port 9000] [--data DIR] [--bucket capstan] \
        [--access-key K] [--secret-key S]
               java -jar dev-tools.jar clip --out FILE [--seconds 5] [--size 320x180] [--no-audio]
               java -jar dev-tools.jar probe FILE
               java -jar dev-tools.jar ffmpeg-path""");
  }
}
