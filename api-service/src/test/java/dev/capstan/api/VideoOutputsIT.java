package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code GET /api/v1/videos/{id}} shows of the worker's results: the source facts, one entry
 * per rendition row, the storyboard (cues served by the API and pointed at a presigned sheet), the
 * audio-only download, and the ETA while processing.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class VideoOutputsIT {
  @Inject ObjectStore store;

  @TempDir Path dir;

  @Test
  void a_ready_video_shows_its_facts_every_rendition_and_a_storyboard_that_resolves()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "outputs");
    String prefix = "videos/" + id + "/a1/";
    byte[] sheet = jpeg(320, 90);
    Path sheetFile = Files.write(dir.resolve("storyboard.jpg"), sheet);
    store.putFile(prefix + "storyboard.jpg", sheetFile, "image/jpeg");
    Path cues =
        Files.writeString(
            dir.resolve("storyboard.vtt"),
            """
            WEBVTT

            00:00:00.000 --> 00:00:01.000
            storyboard.jpg#xywh=0,0,160,90

            00:00:01.000 --> 00:00:02.000
            storyboard.jpg#xywh=160,0,160,90
            """);
    store.putFile(prefix + "storyboard.vtt", cues, "text/vtt");
    Path master =
        Files.writeString(
            dir.resolve("master.m3u8"),
            """
            #EXTM3U
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,URI="audio.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=320x180,CODECS="avc1.64000d,mp4a.40.2",AUDIO="audio"
            360p.m3u8
            """);
    store.putFile(prefix + "hls/master.m3u8", master, "application/vnd.apple.mpegurl");
    Path audio =
        Files.writeString(
            dir.resolve("audio.m3u8"),
            """
            #EXTM3U
            #EXT-X-MAP:URI="audio_init.mp4"
            #EXTINF:2.0,
            audio_000.m4s
            #EXT-X-ENDLIST
            """);
    store.putFile(prefix + "hls/audio.m3u8", audio, "application/vnd.apple.mpegurl");
    ready(id, prefix, true);
    rows(
        id,
        prefix,
        new Object[][] {
          {"mp4", "720p", 320, 180, 450, "avc1.64000d,mp4a.40.2", "mp4/download.mp4", 112_000},
          {"thumbnail", "poster", 320, 180, null, null, "thumb.jpg", 9_000},
          {"storyboard", "sprite", 320, 90, null, null, "storyboard.jpg", sheet.length},
          {"storyboard", "vtt", 160, 90, null, null, "storyboard.vtt", 120},
          {"hls_rung", "360p", 320, 180, 330, "avc1.64000d", "hls/360p.m3u8", 80_000},
          {"hls_audio", "audio", null, null, 130, "mp4a.40.2", "hls/audio.m3u8", 33_000},
          {"hls", "master", 320, 180, null, "avc1.64000d,mp4a.40.2", "hls/master.m3u8", 113_500}
        });

    JsonPath video =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    assertThat(video.getDouble("fps")).isEqualTo(30.0);
    assertThat(video.getBoolean("hasAudio")).isTrue();
    assertThat(video.getInt("width")).isEqualTo(320);
    assertThat(video.getList("renditions.kind"))
        .containsExactly(
            "hls", "hls_audio", "hls_rung", "mp4", "storyboard", "storyboard", "thumbnail");
    Map<String, Object> rung = video.getMap("renditions.find { it.kind == 'hls_rung' }");
    assertThat(rung)
        .containsEntry("name", "360p")
        .containsEntry("width", 320)
        .containsEntry("height", 180)
        .containsEntry("bitrateKbps", 330)
        .containsEntry("codecs", "avc1.64000d")
        .containsEntry("sizeBytes", 80_000);
    assertThat(video.getString("playback.hls"))
        .endsWith("/api/v1/videos/" + id + "/hls/master.m3u8");
    assertThat(video.getString("storyboard.vtt"))
        .endsWith("/api/v1/videos/" + id + "/storyboard.vtt");
    assertThat(video.getInt("storyboard.tileWidth")).isEqualTo(160);
    assertThat(video.getInt("storyboard.tileHeight")).isEqualTo(90);
    assertThat(fetch(video.getString("storyboard.image"))).isEqualTo(sheet);

    Response vtt = given().auth().oauth2(token).get("/api/v1/videos/" + id + "/storyboard.vtt");
    vtt.then().statusCode(200).contentType("text/vtt");
    List<String> targets = vtt.asString().lines().filter(l -> l.contains("#xywh=")).toList();
    assertThat(targets).hasSize(2);
    assertThat(targets.get(1)).endsWith("#xywh=160,0,160,90");
    String signed = targets.get(0).substring(0, targets.get(0).indexOf('#'));
    assertThat(signed).startsWith("http").contains("X-Amz-Signature");
    assertThat(fetch(signed)).as("the cue's sheet URL serves the sheet").isEqualTo(sheet);
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .get("/api/v1/videos/" + id + "/storyboard.vtt")
        .then()
        .statusCode(404);

    // The audio rendition is served beside the rungs; the master keeps its EXT-X-MEDIA line.
    String served =
        given().auth().oauth2(token).get("/api/v1/videos/" + id + "/hls/master.m3u8").asString();
    assertThat(served).contains("URI=\"audio.m3u8\"", "\n360p.m3u8\n");
    String audioPlaylist =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id + "/hls/audio.m3u8")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(audioPlaylist).contains("audio_000.m4s?").contains("X-Amz-Signature");
  }

  @Test
  void an_audio_only_video_offers_its_m4a_and_no_mp4() throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "podcast");
    String prefix = "videos/" + id + "/a1/";
    ready(id, prefix, true);
    rows(
        id,
        prefix,
        new Object[][] {
          {"m4a", "audio", null, null, 130, "mp4a.40.2", "m4a/download.m4a", 40_000},
          {"thumbnail", "poster", 640, 360, null, null, "thumb.jpg", 9_000}
        });

    JsonPath video =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();

    assertThat(video.getString("playback.m4a")).contains("m4a/download.m4a");
    assertThat(video.getString("playback.mp4")).isNull();
    assertThat(video.getString("storyboard")).isNull();
  }

  @Test
  void a_processing_video_shows_the_workers_eta_and_a_finished_one_does_not() throws Exception {
    String token = ApiTestClient.signUp();
    String processing = ApiTestClient.createVideo(token, "busy");
    String done = ApiTestClient.createVideo(token, "done");
    update(
        "update videos set status = 'processing', progress_percent = 42,"
            + " progress_stage = 'transcoding', progress_eta_seconds = 12.5 where id = ?",
        processing);
    update(
        "update videos set status = 'ready', progress_percent = 100,"
            + " progress_stage = 'done', progress_eta_seconds = 3 where id = ?",
        done);

    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + processing)
        .then()
        .statusCode(200)
        .body("progress.percent", org.hamcrest.Matchers.equalTo(42))
        .body("progress.stage", org.hamcrest.Matchers.equalTo("transcoding"))
        .body("progress.etaSeconds", org.hamcrest.Matchers.equalTo(12.5f));
    JsonPath finished =
        given().auth().oauth2(token).get("/api/v1/videos/" + done).then().extract().jsonPath();
    assertThat(finished.getMap("progress")).doesNotContainKey("etaSeconds");
  }

  private static byte[] jpeg(int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    for (int x = 0; x < w; x++) {
      img.setRGB(x, x % h, 0xffffff);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    return out.toByteArray();
  }

  private static byte[] fetch(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }
  }

  private static void ready(String id, String prefix, boolean audio) throws Exception {
    try (var c = CapstanTestServices.services.database().connect();
        var s =
            c.prepareStatement(
                "update videos set status = 'ready', output_prefix = ?, duration_seconds = 2.0,"
                    + " width = 320, height = 180, fps = 30, has_audio = ? where id = ?")) {
      s.setString(1, prefix);
      s.setBoolean(2, audio);
      s.setString(3, id);
      s.executeUpdate();
    }
  }

  private static void update(String sql, String id) throws Exception {
    try (var c = CapstanTestServices.services.database().connect();
        var s = c.prepareStatement(sql)) {
      s.setString(1, id);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  /** Rendition rows as the worker writes them: kind, name, w, h, kbps, codecs, key, size. */
  private static void rows(String id, String prefix, Object[][] rows) throws Exception {
    try (var c = CapstanTestServices.services.database().connect()) {
      for (Object[] r : rows) {
        try (var s =
            c.prepareStatement(
                "insert into renditions (video_id, attempt, kind, name, width, height,"
                    + " bitrate_kbps, codecs, s3_key, size_bytes, created_at)"
                    + " values (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          s.setString(1, id);
          s.setString(2, (String) r[0]);
          s.setString(3, (String) r[1]);
          s.setObject(4, r[2]);
          s.setObject(5, r[3]);
          s.setObject(6, r[4]);
          s.setObject(7, r[5]);
          s.setString(8, prefix + r[6]);
          s.setLong(9, ((Number) r[7]).longValue());
          s.setTimestamp(10, Timestamp.from(Instant.now()));
          s.executeUpdate();
        }
      }
    }
  }
}
