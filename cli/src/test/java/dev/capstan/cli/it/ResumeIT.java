package dev.capstan.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import dev.capstan.cli.api.Json;
import dev.capstan.cli.testing.CliRun;
import dev.capstan.cli.testing.CliUser;
import dev.capstan.cli.testing.LiveStack;
import dev.capstan.cli.testing.Stack;
import dev.capstan.cli.upload.UploadState;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.api.UploadMessages.ReceivedPart;
import dev.capstan.model.api.UploadMessages.UploadView;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.video.VideoStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ctrl-C in the middle of an upload, then the same command again: the second run asks the server
 * which parts it has and PUTs only the others. PUTs are counted from the JDK HTTP client's own
 * request log ({@code -Djdk.httpclient.HttpClient.log=requests}), independent of what the CLI says
 * about itself, and cross-checked with the server's list of received parts.
 */
@ExtendWith(LiveStack.class)
class ResumeIT {
  private static final List<String> LOG_REQUESTS =
      List.of("-Djdk.httpclient.HttpClient.log=requests");
  private static final Pattern PART_PUT =
      Pattern.compile("REQUEST: (http://\\S+)[?&]partNumber=(\\d+)\\S* PUT");

  @Test
  void an_interrupted_upload_resumes_and_sends_only_the_missing_parts(Stack stack)
      throws Exception {
    CliUser user = stack.newUser("resume");
    Path clip = threePartClip(stack.folder("resume").resolve("long.mp4"));
    long size = Files.size(clip);
    int partCount = (int) ((size + PART - 1) / PART);
    assertThat(partCount).as("a clip of %d bytes", size).isEqualTo(3);

    // 1. Throttled to ~1 s a part, one at a time; Ctrl-C once part 1 is stored and part 2 is on
    //    its way.
    Path out1 = user.home().resolve("run1.out");
    Path err1 = user.home().resolve("run1.err");
    Process first =
        user.start(
            user.loggedIn(),
            LOG_REQUESTS,
            out1,
            err1,
            "upload",
            clip.toString(),
            "--concurrency",
            "1",
            "--limit-rate",
            "8M",
            "--progress",
            "plain",
            "--verbose");
    UploadState interruptedAt =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .failFast(
                () -> assertThat(first.isAlive()).as("first run alive:\n%s", read(err1)).isTrue())
            .until(
                () ->
                    read(err1).contains("· PUT part 2/3")
                        ? state(user)
                        : Optional.<UploadState>empty(),
                s -> s.isPresent() && !s.get().partsDone().isEmpty())
            .orElseThrow();
    int expectedExit = interrupt(first);
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("the CLI stops on Ctrl-C").isTrue();
    String firstErr = read(err1);
    assertThat(first.exitValue()).as(firstErr).isEqualTo(expectedExit);
    assertThat(firstErr).contains("long.mp4 is resumable").contains("run the same command again");

    // 2. What the server has now: at least the part the state file recorded, not all of them.
    String videoId = interruptedAt.videoId();
    UploadView before =
        stack.get("/api/v1/videos/" + videoId + "/uploads", user.token(), UploadView.class);
    Set<Integer> stored =
        before.received().stream()
            .filter(p -> p.sizeBytes() == sizeOfPart(p.partNumber(), size, before.partSize()))
            .map(ReceivedPart::partNumber)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(stored).containsAll(interruptedAt.partsDone().keySet()).hasSizeLessThan(partCount);
    assertThat(state(user)).as("the state file survives Ctrl-C").isPresent();
    assertThat(puts(firstErr)).as("the first run PUT what the server has").containsAll(stored);

    // 3. The same command again, at full speed.
    CliRun second =
        user.run(
            user.loggedIn(),
            LOG_REQUESTS,
            null,
            "upload",
            clip.toString(),
            "--wait",
            "--progress",
            "plain",
            "--verbose");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    Set<Integer> missing =
        IntStream.rangeClosed(1, partCount)
            .filter(n -> !stored.contains(n))
            .boxed()
            .collect(Collectors.toCollection(TreeSet::new));
    List<Integer> resent = puts(second.stderr());
    assertThat(resent)
        .as(
            "PUTs of the resumed run (JDK request log): %d stored before, %d parts",
            stored.size(), partCount)
        .hasSize(partCount - stored.size())
        .containsExactlyInAnyOrderElementsOf(missing)
        .doesNotContainAnyElementsOf(stored);
    assertThat(cliReportedPuts(second.stderr()))
        .as("the CLI's own --verbose log agrees")
        .isEqualTo(resent.size());
    assertThat(second.stderr())
        .contains("resuming the upload of video " + videoId)
        .contains(stored.size() + " of " + partCount + " parts already stored");
    assertThat(state(user)).as("state file removed once complete").isEmpty();

    // 4. The assembled file is the clip: the worker decodes all of it.
    VideoView video = stack.get("/api/v1/videos/" + videoId, user.token(), VideoView.class);
    assertThat(video.status()).as(stack.worker().tail()).isEqualTo(VideoStatus.READY);
    assertThat(video.durationSeconds()).isCloseTo(CLIP_SECONDS, offset(0.2));
    assertThat(URI.create(second.out()).getPath())
        .as("stdout: the playback URL")
        .isEqualTo(video.playback().mp4().getPath());
    System.out.printf(
        "resume: %d parts; first run PUT parts %s (interrupted), server had %s, resumed run PUT %s%n",
        partCount, puts(firstErr), stored, resent);
  }

  private static final long PART = 8L * 1024 * 1024;
  private static final double CLIP_SECONDS = 6.0;

  /**
   * A 6 s clip of noise, lossless H.264: about 21 MB, three 8 MiB parts, still quick to transcode.
   */
  static Path threePartClip(Path out) throws IOException, InterruptedException {
    String ffmpeg = SampleClips.ffmpegBinary();
    ProcessBuilder pb =
        new ProcessBuilder(
                ffmpeg,
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x180:rate=30",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000",
                "-t",
                Double.toString(CLIP_SECONDS),
                "-vf",
                "noise=alls=80:allf=t",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-qp",
                "0",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-ac",
                "2",
                out.toString())
            .redirectErrorStream(true);
    pb.environment().put("LD_LIBRARY_PATH", Path.of(ffmpeg).getParent().toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("ffmpeg failed: " + output);
    }
    return out;
  }

  /**
   * Ctrl-C: SIGINT to the CLI's JVM, which runs its shutdown hook as on a terminal. A process
   * started from a shell's background job inherits SIGINT ignored (and the JVM then leaves it so);
   * there SIGTERM, which takes the same path, stands in for it.
   *
   * @return the exit code the signal ends the CLI with (128 + signal number)
   */
  private static int interrupt(Process p) throws IOException, InterruptedException {
    boolean intIgnored = (ignoredSignals(p.pid()) & 0x2) != 0;
    Process kill =
        new ProcessBuilder("kill", intIgnored ? "-TERM" : "-INT", Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
    return intIgnored ? 143 : 130;
  }

  /** The process's mask of ignored signals (bit n-1 for signal n), from /proc. */
  private static long ignoredSignals(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("SigIgn:"))
        .mapToLong(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16))
        .findFirst()
        .orElse(0);
  }

  private static Optional<UploadState> state(CliUser user) throws IOException {
    if (!Files.isDirectory(user.uploadStates())) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(user.uploadStates())) {
      List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
      if (json.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(json.get(0)), UploadState.class));
    }
  }

  /** Part numbers of the part PUTs in a JDK HttpClient request log, one per request sent. */
  static List<Integer> puts(String log) {
    List<Integer> parts = new ArrayList<>();
    Matcher m = PART_PUT.matcher(log);
    while (m.find()) {
      parts.add(Integer.parseInt(m.group(2)));
    }
    return parts;
  }

  private static long cliReportedPuts(String log) {
    return log.lines().filter(l -> l.matches("· PUT part \\d+/\\d+ .*")).count();
  }

  private static long sizeOfPart(int n, long size, long partSize) {
    long parts = (size + partSize - 1) / partSize;
    return n < parts ? partSize : size - partSize * (parts - 1);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
