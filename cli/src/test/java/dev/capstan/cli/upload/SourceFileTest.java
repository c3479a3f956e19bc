package dev.capstan.cli.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFileTest {
  @TempDir Path dir;

  @Test
  void a_readable_file_is_described_by_real_path_size_and_type() throws Exception {
    Path clip = Files.write(dir.resolve("Clip.MOV"), new byte[42]);

    SourceFile f = SourceFile.of(dir.resolve(".").resolve("Clip.MOV").toString());

    assertThat(f.path()).isEqualTo(clip.toRealPath());
    assertThat(f.sizeBytes()).isEqualTo(42);
    assertThat(f.contentType()).isEqualTo("video/quicktime");
    assertThat(f.name()).isEqualTo("Clip.MOV");
  }

  @Test
  void missing_empty_and_directory_arguments_are_file_errors() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.mp4"));

    assertFileError(dir.resolve("nope.mp4").toString(), "no such file");
    assertFileError(empty.toString(), "it is empty");
    assertFileError(dir.toString(), "it is a directory");
  }

  private static void assertFileError(String arg, String why) {
    assertThatThrownBy(() -> SourceFile.of(arg))
        .isInstanceOf(CliFailure.class)
        .hasMessage("cannot upload " + arg + ": " + why)
        .extracting(e -> ((CliFailure) e).exitCode())
        .isEqualTo(ExitCode.FILE_UNUSABLE);
  }
}
