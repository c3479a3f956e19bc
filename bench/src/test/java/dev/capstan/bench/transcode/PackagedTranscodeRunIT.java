package dev.capstan.bench.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devtools.media.SampleClips;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transcode benchmark runs its side A as {@code java -cp capstan-bench.jar CapstanTranscodeRun}
 * in a JVM of its own, on the packaged jar's manifest class path, which the unit tests' class path
 * does not show: a dependency the worker's transcoder needs but the bench module excludes only
 * fails there. This runs that child on the packaged jar, with a one-second clip, and checks it
 * transcodes.
 */
class PackagedTranscodeRunIT {
  @TempDir Path work;

  @Test
  void sideARunsOnThePackagedJarsClassPath() throws IOException, InterruptedException {
    Path jar = Path.of("target", "capstan-bench.jar").toAbsolutePath();
    assertThat(jar).exists();
    Path clip = SampleClips.generate(SampleClips.Spec.standard(1), work.resolve("clip.mp4"));
    Path log = work.resolve("run.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xmx256m",
                    "-cp",
                    jar.toString(),
                    CapstanTranscodeRun.class.getName(),
                    clip.toString(),
                    work.resolve("out").toString(),
                    clip.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished within 2 minutes").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).containsPattern("RESULT cpuSeconds=[0-9.]+ wallSeconds=[0-9.]+ rungs=[1-9]");
  }
}
