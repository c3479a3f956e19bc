package dev.capstan.cli.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadStatesTest {
  @TempDir Path dir;

  @Test
  void the_same_file_finds_its_upload_again() throws Exception {
    SourceFile file = SourceFile.of(Files.write(dir.resolve("a.mp4"), new byte[100]).toString());
    UploadStates states = new UploadStates(dir.resolve("state"));
    TreeMap<Integer, String> parts = new TreeMap<>();
    parts.put(2, "\"etag-2\"");
    UploadState saved =
        UploadState.started(file, "video-1", Instant.EPOCH)
            .withUpload("up-1", 8, 13)
            .withParts(parts);

    states.save(file, saved);

    assertThat(states.find(SourceFile.of(file.path().toString()))).contains(saved);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(states.fileOf(file))))
        .isEqualTo("rw-------");
  }

  @Test
  void an_edited_file_is_a_new_upload() throws Exception {
    Path path = Files.write(dir.resolve("a.mp4"), new byte[100]);
    SourceFile before = SourceFile.of(path.toString());
    UploadStates states = new UploadStates(dir.resolve("state"));
    states.save(before, UploadState.started(before, "video-1", Instant.EPOCH));

    Files.setLastModifiedTime(path, FileTime.fromMillis(before.modifiedMillis() + 5000));
    SourceFile touched = SourceFile.of(path.toString());

    assertThat(states.find(touched)).isEmpty();
    assertThat(states.fileOf(touched)).isNotEqualTo(states.fileOf(before));
  }

  @Test
  void deleting_a_video_forgets_its_uploads_only() throws Exception {
    UploadStates states = new UploadStates(dir.resolve("state"));
    SourceFile a = SourceFile.of(Files.write(dir.resolve("a.mp4"), new byte[1]).toString());
    SourceFile b = SourceFile.of(Files.write(dir.resolve("b.mp4"), new byte[2]).toString());
    states.save(a, UploadState.started(a, "video-a", Instant.EPOCH));
    states.save(b, UploadState.started(b, "video-b", Instant.EPOCH));

    assertThat(states.deleteForVideo("video-a")).isEqualTo(1);

    assertThat(states.find(a)).isEmpty();
    assertThat(states.find(b)).isPresent();
  }
}
