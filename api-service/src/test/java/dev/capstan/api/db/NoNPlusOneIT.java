package dev.capstan.api.db;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.api.CapstanTestServices;
import dev.capstan.api.comment.service.CommentService;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.api.video.service.VideoService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every list costs the same number of statements whatever its length: owners, renditions, authors,
 * replies and videos come in one query per page, never one per row. Counted per thread with a
 * Hibernate statement inspector.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class NoNPlusOneIT {
  @Inject VideoService videos;
  @Inject ShareService shares;
  @Inject CommentService comments;

  record User(String token, String id) {}

  @Test
  void listing_videos_costs_the_same_for_two_rows_as_for_nine() {
    User few = signUp();
    User many = signUp();
    for (int i = 0; i < 2; i++) {
      createVideo(few, "few " + i);
    }
    for (int i = 0; i < 9; i++) {
      createVideo(many, "many " + i);
    }
    List<String> small = StatementCounter.count(() -> videos.list(few.id, 50, null));
    List<String> large = StatementCounter.count(() -> videos.list(many.id, 50, null));
    assertThat(videos.list(many.id, 50, null).items()).hasSize(9);
    assertThat(small).as("the inspector sees the statements").isNotEmpty();
    assertThat(large).as("statements for 9 videos: %s", large).hasSameSizeAs(small);
    assertThat(large.size()).isLessThanOrEqualTo(2);
  }

  @Test
  void listing_comments_with_their_authors_and_replies_costs_the_same_for_any_page() {
    User owner = signUp();
    String quiet = createVideo(owner, "quiet");
    String busy = createVideo(owner, "busy");
    String quietCode = share(owner, quiet);
    String busyCode = share(owner, busy);
    comment(signUp(), quiet, quietCode, Map.of("body", "only one"));
    for (int i = 0; i < 6; i++) {
      String top = comment(signUp(), busy, busyCode, Map.of("body", "top " + i));
      comment(signUp(), busy, busyCode, Map.of("body", "reply " + i, "parentId", top));
    }
    List<String> small =
        StatementCounter.count(() -> comments.listShared(quietCode, null, 50, null));
    List<String> large =
        StatementCounter.count(() -> comments.listShared(busyCode, null, 50, null));
    var page = comments.listShared(busyCode, null, 50, null);
    assertThat(page.items()).hasSize(6);
    assertThat(small).isNotEmpty();
    assertThat(large).as("statements for 6 threads by 12 authors: %s", large).hasSameSizeAs(small);
  }

  @Test
  void share_page_data_and_the_owners_share_list_take_a_fixed_number_of_statements() {
    User owner = signUp();
    User other = signUp();
    String v = createVideo(owner, "shared a lot");
    String code = share(owner, v);
    for (int i = 0; i < 7; i++) {
      share(owner, createVideo(owner, "also shared " + i));
    }
    share(other, createVideo(other, "shared once"));

    List<String> page = StatementCounter.count(() -> shares.open(code, null));
    assertThat(page).as("share page: %s", page).isNotEmpty().hasSizeLessThanOrEqualTo(5);

    List<String> small = StatementCounter.count(() -> shares.list(other.id, 50, null));
    List<String> large = StatementCounter.count(() -> shares.list(owner.id, 50, null));
    assertThat(shares.list(owner.id, 50, null).items()).hasSize(8);
    assertThat(small).isNotEmpty();
    assertThat(large).as("statements for 8 links: %s", large).hasSameSizeAs(small);
  }

  private static User signUp() {
    JsonPath body =
        given()
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "email", "n1-" + UUID.randomUUID() + "@example.com",
                    "password", "correct horse battery",
                    "name", "Counter"))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    return new User(body.getString("token"), body.getString("user.id"));
  }

  private static String createVideo(User u, String title) {
    return given()
        .auth()
        .oauth2(u.token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", title))
        .post("/api/v1/videos")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  private static String share(User u, String videoId) {
    return given()
        .auth()
        .oauth2(u.token)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/api/v1/videos/" + videoId + "/shares")
        .then()
        .statusCode(201)
        .extract()
        .path("code");
  }

  private static String comment(User u, String videoId, String code, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(u.token)
        .header("X-Share-Code", code)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/videos/" + videoId + "/comments")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }
}
