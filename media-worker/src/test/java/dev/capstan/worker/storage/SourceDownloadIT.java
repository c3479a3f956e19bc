package dev.capstan.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.devtools.fixtures.LocalS3Process;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.S3ObjectStore;
import dev.capstan.storage.S3Settings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source download against the embedded S3: read while it arrives, complete when awaited. */
class SourceDownloadIT {
  private static LocalS3Process s3;
  private static S3ObjectStore store;

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3Process.start("downloads");
    store =
        new S3ObjectStore(
            new S3Settings(
                Optional.of(URI.create(s3.endpoint())),
                "us-east-1",
                "downloads",
                LocalS3Process.ACCESS_KEY,
                LocalS3Process.SECRET_KEY,
                true,
                5 * 1024 * 1024));
  }

  @AfterAll
  static void stop() {
    store.close();
    s3.close();
  }

  @Test
  void the_source_read_from_its_first_byte_while_it_arrives_is_the_object_byte_for_byte(
      @TempDir Path dir) throws Exception {
    byte[] data = new byte[9 * 1024 * 1024 + 5];
    new Random(3).nextBytes(data);
    store.putStream("videos/a/source", new ByteArrayInputStream(data), "video/mp4");

    try (SourceDownload download =
        SourceDownload.start(
            store, "videos/a/source", dir.resolve("source"), Duration.ofSeconds(30), () -> false)) {
      assertThat(download.size()).isEqualTo(data.length);
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      byte[] piece = new byte[65_537];
      long at = 0;
      int n;
      while ((n = download.read(at, piece, 0, piece.length)) >= 0) {
        read.write(piece, 0, n);
        at += n;
      }
      assertThat(read.toByteArray()).isEqualTo(data);
      assertThat(Files.readAllBytes(download.await())).isEqualTo(data);
      assertThat(download.read(data.length - 3, piece, 0, 10)).isEqualTo(3);
    }
  }

  @Test
  void a_missing_source_is_not_found(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                SourceDownload.start(
                    store,
                    "videos/none/source",
                    dir.resolve("x"),
                    Duration.ofSeconds(5),
                    () -> false))
        .isInstanceOf(ObjectNotFoundException.class);
  }
}
