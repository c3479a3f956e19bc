package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class WatchPageIT {
  static final String HOSTILE = "<script>alert(1)</script> & \"quotes\"";

  private static String video(String token, String title) {
    return ApiTestClient.createVideo(token, title);
  }

  private static String share(String token, String videoId, Map<String, Object> body) {
    return ApiTestClient.share(token, videoId, body);
  }

  /** What the worker records when it finishes: status, facts, an MP4 and a poster. */
  private static void markReady(String id) throws Exception {
    String prefix = "videos/" + id + "/a1/";
    try (var c = CapstanTestServices.services.database().connect()) {
      try (var s =
          c.prepareStatement(
              "update videos set status = 'ready', output_prefix = ?, duration_seconds = 4.0,"
                  + " width = 320, height = 180 where id = ?")) {
        s.setString(1, prefix);
        s.setString(2, id);
        s.executeUpdate();
      }
      for (String[] r :
          new String[][] {{"mp4", "720p", "mp4/download.mp4"}, {"thumbnail", "poster", "p.jpg"}}) {
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
  }

  @Test
  void share_page_escapes_the_title_and_carries_unfurl_tags_and_a_strict_policy() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, HOSTILE);
    markReady(id);
    String code = share(token, id, Map.of());

    Response page = given().get("/s/" + code);
    page.then().statusCode(200).contentType(startsWith("text/html"));
    String html = page.asString();
    assertThat(html)
        .doesNotContain("<script>alert")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(html)
        .contains("<meta property=\"og:type\" content=\"video.other\">")
        .contains("<meta property=\"og:title\" content=\"&lt;script&gt;")
        .containsPattern("<meta property=\"og:image\" content=\"http[^\"]+p\\.jpg[^\"]*\">")
        .containsPattern("<meta property=\"og:video\" content=\"http[^\"]+download\\.mp4[^\"]*\">")
        .contains("<meta name=\"twitter:card\" content=\"player\">")
        .contains("type=\"application/json+oembed\"")
        .contains("Test User")
        .contains("0:04")
        .containsPattern("<script src=\"/assets/hls\\.js/[0-9.]+/hls\\.min\\.js\" defer>")
        .doesNotContainPattern("<script>|<script [^>]*>[^<]")
        .doesNotContain("style=");

    String csp = page.header("Content-Security-Policy");
    String s3 = CapstanTestServices.services.config().get("capstan.s3.endpoint");
    assertThat(csp)
        .startsWith("default-src 'none';")
        .contains("script-src 'self';")
        .contains("style-src 'self';")
        .contains("img-src 'self' " + s3.replaceAll("/+$", ""))
        .contains("media-src 'self' " + s3.replaceAll("/+$", ""))
        .contains("connect-src 'self' " + s3.replaceAll("/+$", ""))
        .endsWith("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");

    given()
        .get("/embed/" + code)
        .then()
        .statusCode(200)
        .header("Content-Security-Policy", containsString("frame-ancestors *"))
        .body(containsString("<video"))
        .body(not(containsString("comment-box")));
  }

  @Test
  void unknown_revoked_and_expired_links_get_the_same_404_page() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, "gone soon");
    String revoked = share(token, id, Map.of());
    String expiring =
        share(token, id, Map.of("expiresAt", Instant.now().plusSeconds(2).toString()));
    given().auth().oauth2(token).delete("/api/v1/shares/" + revoked).then().statusCode(204);

    for (String code : new String[] {revoked, "AAAAAAAAAAAAAAAA", "nope"}) {
      given()
          .get("/s/" + code)
          .then()
          .statusCode(404)
          .contentType(startsWith("text/html"))
          .header("Content-Security-Policy", startsWith("default-src 'none'"))
          .body(containsString("This link does not work"))
          .body(not(containsString("gone soon")));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                given()
                    .get("/s/" + expiring)
                    .then()
                    .statusCode(404)
                    .body(containsString("This link does not work")));
  }

  @Test
  void protected_link_answers_401_with_a_prompt_and_plays_after_the_right_password()
      throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, "private demo");
    markReady(id);
    String code = share(token, id, Map.of("password", "open sesame"));

    given()
        .get("/s/" + code)
        .then()
        .statusCode(401)
        .body(containsString("id=\"password-form\""))
        .body(not(containsString("private demo")))
        .body(not(containsString("download.mp4")));
    given()
        .redirects()
        .follow(false)
        .formParam("password", "wrong")
        .post("/s/" + code)
        .then()
        .statusCode(401)
        .body(containsString("That password is not right."));

    Response unlocked =
        given().redirects().follow(false).formParam("password", "open sesame").post("/s/" + code);
    unlocked.then().statusCode(303).header("Location", containsString("/s/" + code));
    String cookie = unlocked.getDetailedCookie("capstan_share_" + code).toString();
    assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Lax");

    given()
        .cookie("capstan_share_" + code, unlocked.getCookie("capstan_share_" + code))
        .get("/s/" + code)
        .then()
        .statusCode(200)
        .body(containsString("private demo"))
        .body(containsString("download.mp4"));
    given()
        .cookie("capstan_share_" + code, unlocked.getCookie("capstan_share_" + code))
        .get("/s/" + code + "/video")
        .then()
        .statusCode(200)
        .body("status", equalTo("ready"))
        .body("mp4", containsString("download.mp4"));
    given().get("/s/" + code + "/video").then().statusCode(401);
  }

  @Test
  void oembed_describes_the_video_with_an_iframe_to_the_embed() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, HOSTILE);
    markReady(id);
    String code = share(token, id, Map.of());

    given()
        .queryParam("url", "http://localhost:8080/s/" + code)
        .queryParam("format", "json")
        .get("/oembed")
        .then()
        .statusCode(200)
        .contentType(ContentType.JSON)
        .body("type", equalTo("video"))
        .body("version", equalTo("1.0"))
        .body("provider_name", equalTo("Capstan"))
        .body("title", equalTo(HOSTILE))
        .body("width", equalTo(640))
        .body("height", equalTo(360))
        .body("thumbnail_url", containsString("p.jpg"))
        .body("html", startsWith("<iframe src=\"http://localhost:8080/embed/" + code + "\""));
    given()
        .queryParam("url", "http://localhost:8080/s/AAAAAAAAAAAAAAAA")
        .get("/oembed")
        .then()
        .statusCode(404);
    given()
        .queryParam("url", "http://localhost:8080/s/" + code)
        .queryParam("format", "xml")
        .get("/oembed")
        .then()
        .statusCode(501);
  }

  @Test
  void share_events_start_with_the_current_state_for_link_holders() throws Exception {
    String token = ApiTestClient.signUp();
    String id = video(token, "done");
    markReady(id);
    String code = share(token, id, Map.of());
    given()
        .get("/s/" + code + "/events")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/event-stream"))
        .body(containsString("event:video.ready"));
    given().get("/s/AAAAAAAAAAAAAAAA/events").then().statusCode(404);
  }

  @Test
  void hls_js_is_served_from_its_webjar_with_a_year_long_immutable_cache() {
    String html = given().get("/s/AAAAAAAAAAAAAAAA").asString();
    assertThat(html).doesNotContain("hls.min.js");
    String token = ApiTestClient.signUp();
    String code = share(token, video(token, "x"), Map.of());
    String page = given().get("/s/" + code).asString();
    String path = page.replaceAll("(?s).*<script src=\"(/assets/hls\\.js/[^\"]+)\".*", "$1");
    given()
        .get(path)
        .then()
        .statusCode(200)
        .contentType(startsWith("text/javascript"))
        .header("Cache-Control", equalTo("public, max-age=31536000, immutable"))
        .body(containsString("Hls"));
    given().get("/assets/hls.js/0.0.1/hls.min.js").then().statusCode(404);
    given().get("/watch/watch.js").then().statusCode(200).body(containsString("textContent"));
  }
}
