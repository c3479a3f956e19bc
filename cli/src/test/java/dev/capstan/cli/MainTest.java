package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.config.Environment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command line answers before it talks to any server. */
class MainTest {
  @TempDir Path home;

  record Result(int code, String out, String err) {}

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new Environment(Map.of("CAPSTAN_TOKEN", "t"), home),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void help_lists_the_commands_and_the_exit_codes() {
    Result r = run("--help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("login", "upload", "ls", "status", "share", "rm", "open")
        .contains("Exit codes: 0 ok");
  }

  @Test
  void wrong_command_lines_exit_2() {
    assertThat(run().code()).as("no command").isEqualTo(2);
    assertThat(run("upload").code()).as("no file").isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
  }

  @Test
  void a_title_for_several_files_is_refused_in_one_line() throws Exception {
    Path a = Files.write(home.resolve("a.mp4"), new byte[1]);
    Path b = Files.write(home.resolve("b.mp4"), new byte[1]);

    Result r = run("upload", a.toString(), b.toString(), "--title", "x");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("capstan: --title names one video: upload one file with it\n");
  }

  @Test
  void a_missing_file_exits_5_without_contacting_the_server() {
    Result r = run("upload", home.resolve("nope.mp4").toString(), "--url", "http://127.0.0.1:9");

    assertThat(r.code()).isEqualTo(5);
    assertThat(r.err())
        .isEqualTo("capstan: cannot upload " + home.resolve("nope.mp4") + ": no such file\n");
  }

  @Test
  void every_exit_code_is_distinct_and_documented() {
    assertThat(ExitCode.values())
        .extracting(ExitCode::code)
        .doesNotHaveDuplicates()
        .contains(0, 2, 3, 4, 5, 6, 7, 8, 130);
  }
}
