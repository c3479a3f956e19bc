package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HLS through the API: a real fMP4 HLS tree (made by the bundled ffmpeg) in S3, served to the owner
 * and to link holders with every segment URL presigned.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class HlsPlaybackIT {
  private static final String M3U8 = "application/vnd.apple.mpegurl";
  private static final Pattern MAX_AGE = Pattern.compile("private, max-age=(\\d+)");

  @Inject ObjectStore store;

  @TempDir Path dir;

  @Test
  void the_owner_plays_the_master_and_rung_playlists_whose_segments_are_presigned()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    Path hls = readyWithHls(id);

    String hlsUrl =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id)
            .then()
            .statusCode(200)
            .extract()
            .path("playback.hls");
    assertThat(hlsUrl).endsWith("/api/v1/videos/" + id + "/hls/master.m3u8");

    Response master = given().auth().oauth2(token).get("/api/v1/videos/" + id + "/hls/master.m3u8");
    assertPlaylist(master);
    assertThat(master.asString())
        .contains("#EXT-X-STREAM-INF:BANDWIDTH=")
        .contains("\n360p.m3u8\n");

    Response rung = given().auth().oauth2(token).get("/api/v1/videos/" + id + "/hls/360p.m3u8");
    assertPlaylist(rung);
    assertSegmentsPresignedAndPlayable(rung.asString(), hls);

    String other = ApiTestClient.signUp();
    for (String file : List.of("master.m3u8", "360p.m3u8")) {
      given()
          .auth()
          .oauth2(other)
          .get("/api/v1/videos/" + id + "/hls/" + file)
          .then()
          .statusCode(404);
    }
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id + "/hls/1080p.m3u8")
        .then()
        .statusCode(404);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id + "/hls/360p_init.mp4")
        .then()
        .statusCode(404);
    given().get("/api/v1/videos/" + id + "/hls/master.m3u8").then().statusCode(401);
  }

  @Test
  void a_link_holder_plays_through_the_link_and_a_revoked_link_plays_nothing() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    Path hls = readyWithHls(id);
    String code =
        given()
            .auth()
            .oauth2(token)
            .contentType(ContentType.JSON)
            .body(Map.of())
            .post("/api/v1/videos/" + id + "/shares")
            .then()
            .statusCode(201)
            .extract()
            .path("code");

    String live = given().get("/s/" + code + "/video").then().statusCode(200).extract().path("hls");
    assertThat(live).endsWith("/s/" + code + "/hls/master.m3u8");

    Response master = given().get("/s/" + code + "/hls/master.m3u8");
    assertPlaylist(master);
    assertThat(master.asString()).contains("\n360p.m3u8\n");
    Response rung = given().get("/s/" + code + "/hls/360p.m3u8");
    assertPlaylist(rung);
    assertSegmentsPresignedAndPlayable(rung.asString(), hls);

    String shared =
        given()
            .get("/api/v1/public/shares/" + code)
            .then()
            .statusCode(200)
            .extract()
            .path("playback.hls");
    assertThat(shared).isEqualTo(live);

    given().auth().oauth2(token).delete("/api/v1/shares/" + code).then().statusCode(204);
    given().get("/s/" + code + "/hls/master.m3u8").then().statusCode(404);
    given().get("/s/" + code + "/hls/360p.m3u8").then().statusCode(404);
  }

  private static void assertPlaylist(Response r) {
    r.then().statusCode(200).contentType(M3U8);
    Matcher m = MAX_AGE.matcher(r.header("Cache-Control"));
    assertThat(m.matches()).as(r.header("Cache-Control")).isTrue();
    // Less than the presigned URLs' lifetime (1 h), so a cached playlist never holds dead URLs.
    assertThat(Long.parseLong(m.group(1))).isPositive().isLessThan(3600);
    assertThat(r.asString()).startsWith("#EXTM3U");
  }

  private void assertSegmentsPresignedAndPlayable(String playlist, Path hls) throws Exception {
    Matcher map = Pattern.compile("#EXT-X-MAP:URI=\"([^\"]+)\"").matcher(playlist);
    assertThat(map.find()).as(playlist).isTrue();
    List<String> uris = new ArrayList<>(List.of(map.group(1)));
    playlist.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(uris::add);
    assertThat(uris).hasSizeGreaterThan(2);
    HttpClient http = HttpClient.newHttpClient();
    for (String uri : uris) {
      assertThat(uri).startsWith("http").contains("X-Amz-Signature=");
      String name =
          URI.create(uri).getPath().substring(URI.create(uri).getPath().lastIndexOf('/') + 1);
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(uri)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(uri).isEqualTo(200);
      assertThat(r.body()).isEqualTo(Files.readAllBytes(hls.resolve(name)));
    }
  }

  private static String video(String token) {
    return ApiTestClient.createVideo(token, "hls");
  }

  /**
   * What the worker leaves behind: an fMP4 HLS rung of 1 s segments and a master playlist under the
   * attempt's prefix, their renditions rows, the video ready.
   */
  private Path readyWithHls(String id) throws Exception {
    Path hls = Files.createDirectories(dir.resolve(id));
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        "-t",
        "3",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "30",
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_type",
        "fmp4",
        "-hls_fmp4_init_filename",
        "360p_init.mp4",
        "-hls_segment_filename",
        hls.resolve("360p_%03d.m4s").toString(),
        hls.resolve("360p.m3u8").toString());
    Files.writeString(
        hls.resolve("master.m3u8"),
        """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180,CODECS="avc1.64000d"
        360p.m3u8
        """);
    String prefix = "videos/" + id + "/a1/";
    try (Stream<Path> files = Files.list(hls)) {
      for (Path f : files.toList()) {
        store.putFile(
            prefix + "hls/" + f.getFileName(),
            f,
            f.toString().endsWith(".m3u8") ? M3U8 : "video/mp4");
      }
    }
    try (var c = CapstanTestServices.services.database().connect()) {
      try (var s =
          c.prepareStatement(
              "update videos set status = 'ready', output_prefix = ?, duration_seconds = 3.0,"
                  + " width = 320, height = 180 where id = ?")) {
        s.setString(1, prefix);
        s.setString(2, id);
        s.executeUpdate();
      }
      for (String[] r :
          new String[][] {
            {"hls", "master", "hls/master.m3u8"}, {"hls_rung", "360p", "hls/360p.m3u8"}
          }) {
        try (var s =
            c.prepareStatement(
                "insert into renditions (video_id, attempt, kind, name, s3_key, size_bytes,"
                    + " created_at) values (?, 1, ?, ?, ?, 1, ?)")) {
          s.setString(1, id);
          s.setString(2, r[0]);
          s.setString(3, r[1]);
          s.setString(4, prefix + r[2]);
          s.setTimestamp(5, Timestamp.from(Instant.now()));
          s.executeUpdate();
        }
      }
    }
    return hls;
  }

  private static void ffmpeg(String... args) throws Exception {
    String bin = SampleClips.ffmpegBinary();
    List<String> cmd = new ArrayList<>(List.of(bin, "-hide_banner", "-loglevel", "error", "-y"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LD_LIBRARY_PATH", Path.of(bin).getParent().toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }
}
