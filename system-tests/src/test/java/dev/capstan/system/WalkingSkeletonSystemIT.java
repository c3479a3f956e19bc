package dev.capstan.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.MediaProbe.MediaInfo;
import dev.capstan.devtools.media.SampleClips;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton as a user meets it: the packaged API and media worker run as separate
 * processes on MariaDB, Redis and the embedded S3; a clip goes in over REST and a playable MP4
 * comes out of S3.
 */
class WalkingSkeletonSystemIT {
  static TestServices services;
  static ServiceProcess api;
  static ServiceProcess worker;
  static Path work;
  static String token;

  @BeforeAll
  static void startTheStack() throws Exception {
    Path root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    work = Files.createTempDirectory("capstan-system-");
    services = TestServices.start("system");
    Map<String, String> env = new HashMap<>(services.environment());
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    api =
        ServiceProcess.start(
            "api", root.resolve("api-service/target/quarkus-app/quarkus-run.jar"), env, logs(root));
    env.put("CAPSTAN_WORKER_ID", "system-test-worker");
    worker =
        ServiceProcess.start(
            "worker",
            root.resolve("media-worker/target/quarkus-app/quarkus-run.jar"),
            env,
            logs(root));
    token =
        given()
            .baseUri(api.baseUrl())
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "email", "system-" + UUID.randomUUID() + "@example.com",
                    "password", "system test password",
                    "name", "System"))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
  }

  private static Path logs(Path root) {
    return root.resolve("system-tests/target/service-logs");
  }

  @AfterAll
  static void stopTheStack() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
    if (services != null) {
      services.close();
    }
  }

  private static RequestSpecification asUser() {
    return given().baseUri(api.baseUrl()).auth().oauth2(token);
  }

  private static String upload(Path file, String contentType) {
    return asUser()
        .multiPart("file", file.toFile(), contentType)
        .multiPart("title", file.getFileName().toString())
        .post("/api/v1/videos")
        .then()
        .statusCode(202)
        .body("status", equalTo("queued"))
        .extract()
        .path("id");
  }

  private static JsonPath awaitSettled(String id) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .failFast("the worker died:\n" + worker.tail(), () -> !worker.isAlive())
        .until(
            () -> asUser().get("/api/v1/videos/" + id).then().statusCode(200).extract().jsonPath(),
            v -> "ready".equals(v.getString("status")) || "failed".equals(v.getString("status")));
  }

  @Test
  void an_uploaded_clip_becomes_a_playable_h264_aac_mp4() throws Exception {
    Path clip = SampleClips.generate(SampleClips.Spec.standard(2.0), work.resolve("clip.mp4"));
    String id = upload(clip, "video/mp4");

    JsonPath video = awaitSettled(id);
    assertThat(video.getString("status")).as(worker.tail()).isEqualTo("ready");
    assertThat(video.getDouble("durationSeconds")).isCloseTo(2.0, offset(0.1));
    assertThat(video.getInt("width")).isEqualTo(320);
    assertThat(video.getInt("height")).isEqualTo(180);
    assertThat(video.getInt("progress.percent")).isEqualTo(100);

    Path mp4 = download(video.getString("playback.mp4"), work.resolve(id + ".mp4"));
    MediaInfo info = MediaProbe.probe(mp4);
    assertThat(info.videoCodec()).isEqualTo("h264");
    assertThat(info.audioCodec()).isEqualTo("aac");
    assertThat(info.width()).isEqualTo(320);
    assertThat(info.height()).isEqualTo(180);
    assertThat(info.durationSeconds()).isCloseTo(2.0, offset(0.1));

    Path poster = download(video.getString("thumbnailUrl"), work.resolve(id + ".jpg"));
    byte[] jpeg = Files.readAllBytes(poster);
    assertThat(Arrays.copyOf(jpeg, 3)).as("JPEG magic").isEqualTo(new byte[] {-1, -40, -1});
  }

  @Test
  void bad_sources_fail_with_a_readable_reason_and_the_worker_survives() throws Exception {
    Path text =
        Files.writeString(work.resolve("notes.txt"), "definitely not a video\n".repeat(100));
    byte[] noise = new byte[256 * 1024];
    new Random(42).nextBytes(noise);
    Path random = Files.write(work.resolve("noise.mp4"), noise);

    for (Path bad : new Path[] {text, random}) {
      JsonPath video = awaitSettled(upload(bad, "application/octet-stream"));
      assertThat(video.getString("status")).as(bad.toString()).isEqualTo("failed");
      assertThat(video.getString("error.code")).isEqualTo("unsupported_media");
      assertThat(video.getString("error.message")).isNotBlank();
    }

    Path clip = SampleClips.generate(SampleClips.Spec.standard(1.0), work.resolve("after.mp4"));
    assertThat(awaitSettled(upload(clip, "video/mp4")).getString("status")).isEqualTo("ready");
    assertThat(worker.isAlive()).isTrue();
  }

  @Test
  void a_share_link_plays_the_first_segments_before_the_video_is_ready() throws Exception {
    // MPEG-4 part 2: nothing to copy, so every rung is encoded and published as it grows.
    Path clip =
        SampleClips.generate(
            SampleClips.Spec.standard(40).withSize(640, 360).withVideoCodec("mpeg4"),
            work.resolve("long.mp4"));
    String id = upload(clip, "video/mp4");
    String code =
        asUser()
            .contentType(ContentType.JSON)
            .body(Map.of())
            .post("/api/v1/videos/" + id + "/shares")
            .then()
            .statusCode(201)
            .extract()
            .path("code");

    // As a player: the link's master, its first variant, that playlist's first segment.
    io.restassured.response.Response master =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .failFast("the worker died:\n" + worker.tail(), () -> !worker.isAlive())
            .until(
                () -> given().baseUri(api.baseUrl()).get("/s/" + code + "/hls/master.m3u8"),
                r -> r.statusCode() == 200);
    String variant =
        master
            .asString()
            .lines()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .findFirst()
            .orElseThrow();
    io.restassured.response.Response media =
        given().baseUri(api.baseUrl()).get("/s/" + code + "/hls/" + variant);
    media.then().statusCode(200).header("Cache-Control", "no-store");
    String first =
        media
            .asString()
            .lines()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .findFirst()
            .orElseThrow();
    Path segment = download(first, work.resolve(id + "-first.m4s"));
    String status = asUser().get("/api/v1/videos/" + id).then().extract().path("status");

    assertThat(status).as("status when the first segment played").isEqualTo("playable");
    assertThat(media.asString())
        .contains("#EXT-X-PLAYLIST-TYPE:EVENT")
        .doesNotContain("#EXT-X-ENDLIST");
    assertThat(Files.size(segment)).isPositive();
    given()
        .baseUri(api.baseUrl())
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .body("status", equalTo("playable"));

    JsonPath video = awaitSettled(id);
    assertThat(video.getString("status")).as(worker.tail()).isEqualTo("ready");
    String done = given().baseUri(api.baseUrl()).get("/s/" + code + "/hls/" + variant).asString();
    assertThat(done).contains("#EXT-X-PLAYLIST-TYPE:VOD").contains("#EXT-X-ENDLIST");
  }

  private static Path download(String url, Path target) throws Exception {
    assertThat(url).as("presigned URL").startsWith("http");
    try (InputStream in = URI.create(url).toURL().openStream()) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
