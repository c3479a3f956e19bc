package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Playback through a CDN ({@code capstan.cdn.base-url}): playlists still come from the API, but
 * every segment, init segment and the poster point at the CDN by object key, unsigned. The "CDN"
 * here is an origin-pull proxy in front of the real bucket (as CloudFront with origin access does):
 * fetching each URL through it must return the object's bytes.
 */
@QuarkusTest
@TestProfile(CdnPlaybackIT.ThroughACdn.class)
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class CdnPlaybackIT {
  static final int CDN_PORT = freePort();
  static final String CDN_BASE = "http://127.0.0.1:" + CDN_PORT + "/media";
  static HttpServer cdn;
  static final List<String> pulled = new CopyOnWriteArrayList<>();

  /** Points the API at the CDN. */
  public static class ThroughACdn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("capstan.cdn.base-url", CDN_BASE);
    }
  }

  @Inject ObjectStore store;

  @TempDir Path dir;

  @BeforeAll
  static void startTheCdn() throws IOException {
    cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), CDN_PORT), 0);
    cdn.start();
  }

  @AfterAll
  static void stopTheCdn() {
    if (cdn != null) {
      cdn.stop(0);
    }
  }

  /** Serves {@code /media/<key>} from the bucket, with the store's own credentials. */
  private void originPull() {
    cdn.createContext(
        "/media/",
        exchange -> {
          try (exchange) {
            String key = exchange.getRequestURI().getPath().substring("/media/".length());
            pulled.add(key);
            Path copy = Files.createTempFile(dir, "pull", ".bin");
            try {
              store.download(key, copy);
            } catch (ObjectNotFoundException e) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            byte[] bytes = Files.readAllBytes(copy);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
          }
        });
  }

  @Test
  void segments_init_segment_and_poster_point_at_the_cdn_and_resolve_to_the_objects()
      throws Exception {
    originPull();
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "cdn");
    Path hls = HlsFixtures.readyWithHls(store, dir, id);
    byte[] posterBytes = "not really a jpeg, but bytes to compare".getBytes();
    String posterKey = "videos/" + id + "/a1/poster.jpg";
    Path poster = Files.write(dir.resolve("poster.jpg"), posterBytes);
    store.putFile(posterKey, poster, "image/jpeg");
    try (var c = CapstanTestServices.services.database().connect();
        var s =
            c.prepareStatement(
                "insert into renditions (video_id, attempt, kind, name, s3_key, size_bytes,"
                    + " created_at) values (?, 1, 'thumbnail', 'poster', ?, ?, now(6))")) {
      s.setString(1, id);
      s.setString(2, posterKey);
      s.setLong(3, posterBytes.length);
      s.executeUpdate();
    }
    String thumbnailUrl =
        given()
            .auth()
            .oauth2(token)
            .get("/api/v1/videos/" + id)
            .then()
            .statusCode(200)
            .extract()
            .path("thumbnailUrl");
    assertThat(thumbnailUrl).isEqualTo(CDN_BASE + "/" + posterKey);
    HttpResponse<byte[]> posterViaCdn =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(thumbnailUrl)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(posterViaCdn.body()).isEqualTo(posterBytes);
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

    for (String playlist :
        List.of(
            given().auth().oauth2(token).get("/api/v1/videos/" + id + "/hls/360p.m3u8").asString(),
            given().get("/s/" + code + "/hls/360p.m3u8").asString())) {
      Matcher map = Pattern.compile("#EXT-X-MAP:URI=\"([^\"]+)\"").matcher(playlist);
      assertThat(map.find()).as(playlist).isTrue();
      List<String> uris = new ArrayList<>(List.of(map.group(1)));
      playlist.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(uris::add);
      assertThat(uris).hasSizeGreaterThan(2);
      HttpClient http = HttpClient.newHttpClient();
      for (String uri : uris) {
        assertThat(uri)
            .startsWith(CDN_BASE + "/videos/" + id + "/a1/hls/")
            .doesNotContain("X-Amz-");
        HttpResponse<byte[]> r =
            http.send(
                HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(uri).isEqualTo(200);
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        assertThat(r.body()).isEqualTo(Files.readAllBytes(hls.resolve(name)));
      }
    }
    assertThat(pulled).contains("videos/" + id + "/a1/hls/360p_init.mp4");

    // The share page lets the player fetch media from the CDN's origin, not the S3 endpoint.
    String csp =
        given()
            .get("/s/" + code)
            .then()
            .statusCode(200)
            .extract()
            .header("Content-Security-Policy");
    assertThat(csp).contains("media-src 'self' http://127.0.0.1:" + CDN_PORT + " blob:");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
