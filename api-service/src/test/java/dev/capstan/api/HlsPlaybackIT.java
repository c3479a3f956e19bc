package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  @Test
  void a_playable_video_plays_through_the_link_from_growing_playlists_nobody_may_store()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token);
    Path hls = HlsFixtures.playableWithHls(store, dir, id);
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

    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id)
        .then()
        .statusCode(200)
        .body("status", org.hamcrest.Matchers.equalTo("playable"))
        .body("playback.hls", org.hamcrest.Matchers.endsWith("/hls/master.m3u8"));
    given()
        .get("/api/v1/public/shares/" + code)
        .then()
        .statusCode(200)
        .body("status", org.hamcrest.Matchers.equalTo("playable"))
        .body("playback.hls", org.hamcrest.Matchers.endsWith("/s/" + code + "/hls/master.m3u8"));

    Response master = given().get("/s/" + code + "/hls/master.m3u8");
    master.then().statusCode(200).contentType(M3U8).header("Cache-Control", "no-store");
    assertThat(master.asString()).contains("\n360p.m3u8\n");
    Response rung = given().get("/s/" + code + "/hls/360p.m3u8");
    rung.then().statusCode(200).header("Cache-Control", "no-store");
    assertThat(rung.asString())
        .contains("#EXT-X-PLAYLIST-TYPE:EVENT")
        .doesNotContain("#EXT-X-ENDLIST");
    assertSegmentsPresignedAndPlayable(rung.asString(), hls);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/" + id + "/hls/360p.m3u8")
        .then()
        .statusCode(200)
        .header("Cache-Control", "no-store");

    // The share page plays it: the player is there with the link's playlist, no "processing".
    String page = given().get("/s/" + code).then().statusCode(200).extract().asString();
    assertThat(page)
        .contains("data-status=\"playable\"")
        .contains("data-hls=")
        .contains("id=\"processing\" class=\"overlay hidden\"");
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

  private Path readyWithHls(String id) throws Exception {
    return HlsFixtures.readyWithHls(store, dir, id);
  }
}
