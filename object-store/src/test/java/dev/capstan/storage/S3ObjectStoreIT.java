package dev.capstan.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.devtools.fixtures.LocalS3Process;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contract of {@link ObjectStore}, run against the real adapter on the embedded S3. */
class S3ObjectStoreIT {
  static LocalS3Process s3;
  static S3ObjectStore store;

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3Process.start("contract");
    store =
        new S3ObjectStore(
            new S3Settings(
                Optional.of(URI.create(s3.endpoint())),
                "us-east-1",
                "contract",
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
  void stream_of_unknown_length_is_stored_in_parts_byte_for_byte(@TempDir Path dir)
      throws Exception {
    byte[] data = new byte[12 * 1024 * 1024 + 123];
    new Random(7).nextBytes(data);
    long stored = store.putStream("t/big.bin", new ByteArrayInputStream(data), "video/mp4");
    assertThat(stored).isEqualTo(data.length);
    assertThat(store.head("t/big.bin"))
        .get()
        .extracting(ObjectStore.ObjectInfo::sizeBytes)
        .isEqualTo((long) data.length);
    Path out = dir.resolve("out.bin");
    store.download("t/big.bin", out);
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
  }

  @Test
  void small_stream_is_one_put_and_presigned_url_serves_it_without_credentials() throws Exception {
    store.putStream("t/small.txt", new ByteArrayInputStream("hello".getBytes()), "text/plain");
    URI url = store.presignGet("t/small.txt", Duration.ofMinutes(5));
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello");
  }

  @Test
  void a_text_object_reads_back_whole_and_a_missing_one_is_not_found() {
    String playlist = "#EXTM3U\n#EXT-X-VERSION:7\nséance_000.m4s\n";
    store.putStream(
        "t/list.m3u8",
        new ByteArrayInputStream(playlist.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "application/vnd.apple.mpegurl");
    assertThat(store.getText("t/list.m3u8")).isEqualTo(playlist);
    assertThatThrownBy(() -> store.getText("t/none.m3u8"))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void an_object_read_as_a_stream_has_its_length_up_front_and_every_byte() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(11).nextBytes(data);
    store.putStream("t/streamed.bin", new ByteArrayInputStream(data), "video/mp4");
    try (ObjectStore.ObjectStream in = store.read("t/streamed.bin")) {
      assertThat(in.sizeBytes()).isEqualTo(data.length);
      assertThat(in.body().readAllBytes()).isEqualTo(data);
    }
    assertThatThrownBy(() -> store.read("t/nowhere.bin"))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void empty_stream_stores_an_empty_object() {
    assertThat(store.putStream("t/empty", InputStream.nullInputStream(), "video/mp4")).isZero();
    assertThat(store.head("t/empty"))
        .get()
        .extracting(ObjectStore.ObjectInfo::sizeBytes)
        .isEqualTo(0L);
  }

  @Test
  void missing_object_is_empty_on_head_and_not_found_on_download(@TempDir Path dir) {
    assertThat(store.head("t/nothing")).isEmpty();
    assertThatThrownBy(() -> store.download("t/nothing", dir.resolve("x")))
        .isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void prefix_delete_removes_only_that_prefix(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    store.putFile("v/1/a1/x", f, "text/plain");
    store.putFile("v/1/a1/y", f, "text/plain");
    store.putFile("v/1/a2/x", f, "text/plain");
    assertThat(store.deletePrefix("v/1/a1/")).isEqualTo(2);
    assertThat(store.head("v/1/a1/x")).isEmpty();
    assertThat(store.head("v/1/a2/x")).isPresent();
  }

  @Test
  void ping_succeeds_on_a_live_bucket() {
    store.ping();
  }

  @Test
  void presigned_parts_uploaded_without_credentials_assemble_into_the_object(@TempDir Path dir)
      throws Exception {
    byte[] data = new byte[5 * 1024 * 1024 + 100];
    new Random(3).nextBytes(data);
    String key = "t/direct.bin";
    String uploadId = store.startMultipart(key, "video/mp4");
    HttpClient http = HttpClient.newHttpClient();
    int split = 5 * 1024 * 1024;
    byte[][] chunks = {
      Arrays.copyOfRange(data, 0, split), Arrays.copyOfRange(data, split, data.length)
    };
    for (int i = 0; i < chunks.length; i++) {
      URI url = store.presignUploadPart(key, uploadId, i + 1, Duration.ofMinutes(5));
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(url)
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(chunks[i]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    List<ObjectStore.PartInfo> parts = store.listParts(key, uploadId);
    assertThat(parts).extracting(ObjectStore.PartInfo::partNumber).containsExactly(1, 2);
    assertThat(store.pendingUploads("t/"))
        .extracting(ObjectStore.PendingUpload::uploadId)
        .contains(uploadId);
    store.completeMultipart(key, uploadId, parts);
    Path out = dir.resolve("direct.bin");
    store.download(key, out);
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
    assertThat(store.pendingUploads("t/"))
        .extracting(ObjectStore.PendingUpload::uploadId)
        .doesNotContain(uploadId);
  }

  @Test
  void aborted_upload_is_gone_and_aborting_twice_is_harmless() {
    String uploadId = store.startMultipart("t/aborted", "video/mp4");
    store.abortMultipart("t/aborted", uploadId);
    store.abortMultipart("t/aborted", uploadId);
    assertThat(store.pendingUploads("t/aborted")).isEmpty();
    assertThat(store.head("t/aborted")).isEmpty();
  }
}
