package dev.capstan.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.testing.CliRun;
import dev.capstan.cli.testing.CliUser;
import dev.capstan.cli.testing.LiveStack;
import dev.capstan.cli.testing.Stack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On a terminal the upload shows a progress bar redrawn in place; in a pipe it writes plain lines.
 * The terminal is a real pseudo-terminal: util-linux {@code script} runs the CLI on one.
 */
@ExtendWith(LiveStack.class)
class TerminalIT {
  /** {@code name [=====> ] 45% 3.6 MiB/12.0 MiB 2.1 MiB/s ETA 0:02} */
  private static final Pattern FRAME =
      Pattern.compile(
          "noise\\.bin \\[[= >]{10,}\\]\\s+(\\d+)%\\s+[\\d.]+ (?:B|KiB|MiB)/12\\.0 MiB\\s+"
              + "(?:[\\d.]+ (?:B|KiB|MiB)/s|--- B/s)\\s+ETA (?:\\d+:\\d\\d|--:--)");

  @Test
  void on_a_terminal_the_upload_draws_a_progress_bar_with_bytes_rate_and_eta(Stack stack)
      throws Exception {
    CliUser user = stack.newUser("tty");
    Path file = randomFile(stack.folder("tty").resolve("noise.bin"), 12);

    String command =
        user
            .command(
                List.of(), "upload", file.toString(), "--limit-rate", "6M", "--concurrency", "2")
            .stream()
            .map(TerminalIT::shellQuote)
            .collect(Collectors.joining(" "));
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qefc", command, "/dev/null").redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(user.loggedIn());
    pb.environment().put("COLUMNS", "100");
    pb.environment().put("TERM", "xterm");
    Process p = pb.start();
    p.getOutputStream().close();
    String screen = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(screen).isZero();
    System.out.println(
        "pseudo-terminal output, \\r shown as a line break:\n" + screen.replace("\r", "\\r\n"));
    List<Integer> percents = new ArrayList<>();
    for (String frame : screen.split("\r")) {
      Matcher m = FRAME.matcher(frame);
      if (m.find()) {
        percents.add(Integer.parseInt(m.group(1)));
      }
    }
    assertThat(percents).as("frames redrawn with \\r:\n%s", screen).hasSizeGreaterThanOrEqualTo(4);
    assertThat(percents).as("progress only grows").isSorted();
    assertThat(percents.get(percents.size() - 1)).isEqualTo(100);
    assertThat(percents.stream().distinct().count()).as("intermediate frames").isGreaterThan(2);
    assertThat(screen).containsPattern("MiB/s\\s+ETA 0:0[1-9]").contains("uploaded as video");
  }

  @Test
  void in_a_pipe_the_upload_writes_plain_lines_without_redrawing(Stack stack) throws Exception {
    CliUser user = stack.newUser("pipe");
    Path file = randomFile(stack.folder("pipe").resolve("noise.bin"), 12);

    CliRun run = user.run("upload", file.toString());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stderr()).doesNotContain("\r");
    assertThat(run.stderr())
        .contains("noise.bin: uploading 12.0 MiB in 2 parts")
        .containsPattern(
            "noise\\.bin: part [12] stored \\(1/2\\), [\\d.]+ MiB/12\\.0 MiB \\(\\d+%\\), "
                + "[\\d.]+ \\w+/s, ETA \\d+:\\d\\d")
        .containsPattern(
            "noise\\.bin: part [12] stored \\(2/2\\), 12\\.0 MiB/12\\.0 MiB \\(100%\\)");
    assertThat(run.out()).as("stdout: the video id").matches("[0-9a-zA-Z-]{8,}");
  }

  static Path randomFile(Path path, int mebibytes) throws Exception {
    byte[] data = new byte[mebibytes * 1024 * 1024];
    new Random(mebibytes).nextBytes(data);
    return Files.write(path, data);
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
