package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint that touches a video, called by every kind of caller, against the status each must
 * get. Other people's private videos are 404, never 403: their existence does not leak.
 */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class AuthorizationMatrixIT {

  enum Caller {
    OWNER,
    OTHER_USER,
    ANONYMOUS,
    LINK_HOLDER,
    REVOKED_LINK_HOLDER,
    EXPIRED_LINK_HOLDER,
    ADMIN
  }

  /** One endpoint: how to call it, and what each caller must get. */
  record Endpoint(
      String name, String method, String path, Object body, Map<Caller, Integer> expect) {}

  /** A fresh video with its links, so destructive calls never disturb other rows. */
  record Fixture(
      String ownerToken, String videoId, String code, String revokedCode, String expiredCode) {}

  private static final Map<Caller, Integer> PRIVATE =
      Map.of(
          Caller.OWNER, 200,
          Caller.OTHER_USER, 404,
          Caller.ANONYMOUS, 401,
          Caller.LINK_HOLDER, 404,
          Caller.REVOKED_LINK_HOLDER, 404,
          Caller.EXPIRED_LINK_HOLDER, 404,
          Caller.ADMIN, 404);

  private static Map<Caller, Integer> privateWith(Caller who, int status) {
    Map<Caller, Integer> m = new java.util.EnumMap<>(PRIVATE);
    m.put(who, status);
    return m;
  }

  private static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint("read video", "GET", "/api/v1/videos/{id}", null, PRIVATE),
          new Endpoint(
              "rename video", "PATCH", "/api/v1/videos/{id}", Map.of("title", "x"), PRIVATE),
          new Endpoint(
              "start direct upload",
              "POST",
              "/api/v1/videos/{id}/uploads",
              Map.of("sizeBytes", 100),
              privateWith(Caller.OWNER, 201)),
          new Endpoint(
              "upload status",
              "GET",
              "/api/v1/videos/{id}/uploads",
              null,
              privateWith(Caller.OWNER, 404)),
          new Endpoint(
              "share video",
              "POST",
              "/api/v1/videos/{id}/shares",
              Map.of(),
              privateWith(Caller.OWNER, 201)),
          new Endpoint(
              "list comments",
              "GET",
              "/api/v1/videos/{id}/comments",
              null,
              privateWith(Caller.LINK_HOLDER, 200)),
          new Endpoint(
              "post comment",
              "POST",
              "/api/v1/videos/{id}/comments",
              Map.of("body", "hi"),
              withOwner(privateWith(Caller.LINK_HOLDER, 201), 201)),
          new Endpoint(
              "public share view", "GET", "/api/v1/public/shares/{code}", null, publicView()),
          new Endpoint(
              "public comments",
              "GET",
              "/api/v1/public/shares/{code}/comments",
              null,
              publicView()),
          new Endpoint(
              "delete video",
              "DELETE",
              "/api/v1/videos/{id}",
              null,
              privateWith(Caller.OWNER, 204)));

  private static Map<Caller, Integer> withOwner(Map<Caller, Integer> m, int ownerStatus) {
    Map<Caller, Integer> copy = new java.util.EnumMap<>(m);
    copy.put(Caller.OWNER, ownerStatus);
    return copy;
  }

  /** Public share endpoints: a live link opens them for anyone; dead links are 404. */
  private static Map<Caller, Integer> publicView() {
    Map<Caller, Integer> m = new java.util.EnumMap<>(Caller.class);
    for (Caller c : Caller.values()) {
      m.put(c, 200);
    }
    m.put(Caller.REVOKED_LINK_HOLDER, 404);
    m.put(Caller.EXPIRED_LINK_HOLDER, 404);
    return m;
  }

  @Test
  void every_caller_gets_exactly_what_the_matrix_says() throws Exception {
    String other = ApiTestClient.signUp();
    String holder = ApiTestClient.signUp();
    String admin = adminToken();
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (Endpoint e : ENDPOINTS) {
      for (Caller caller : Caller.values()) {
        Fixture f = fixture();
        String code =
            switch (caller) {
              case REVOKED_LINK_HOLDER -> f.revokedCode();
              case EXPIRED_LINK_HOLDER -> f.expiredCode();
              default -> f.code();
            };
        RequestSpecification request = given();
        switch (caller) {
          case OWNER -> request.auth().oauth2(f.ownerToken());
          case OTHER_USER -> request.auth().oauth2(other);
          case ADMIN -> request.auth().oauth2(admin);
          case LINK_HOLDER, REVOKED_LINK_HOLDER, EXPIRED_LINK_HOLDER ->
              request.auth().oauth2(holder).header("X-Share-Code", code);
          case ANONYMOUS -> {}
        }
        if (e.body() != null) {
          request.contentType(ContentType.JSON).body(e.body());
        }
        String path = e.path().replace("{id}", f.videoId()).replace("{code}", code);
        int status = request.request(e.method(), path).statusCode();
        int expected = e.expect().get(caller);
        checked++;
        if (status != expected) {
          mismatches.add(e.name() + " as " + caller + ": got " + status + ", want " + expected);
        }
      }
    }
    assertThat(mismatches).as("checked %d calls", checked).isEmpty();
    assertThat(checked).isEqualTo(ENDPOINTS.size() * Caller.values().length);
  }

  private static Fixture fixture() throws Exception {
    String owner = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(owner, "m");
    String code = share(owner, id);
    String revoked = share(owner, id);
    given().auth().oauth2(owner).delete("/api/v1/shares/" + revoked).then().statusCode(204);
    String expired = share(owner, id);
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s =
            c.prepareStatement(
                "update share_links set expires_at = now(6) - interval 1 minute where code = ?")) {
      s.setString(1, expired);
      s.executeUpdate();
    }
    return new Fixture(owner, id, code, revoked, expired);
  }

  private static String share(String token, String videoId) {
    return given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/api/v1/videos/" + videoId + "/shares")
        .then()
        .statusCode(201)
        .extract()
        .path("code");
  }

  /** An operator (users.role = admin): no special access to other people's videos. */
  private static String adminToken() throws Exception {
    String email = "matrix-admin-" + UUID.randomUUID() + "@example.com";
    String token = ApiTestClient.signUp(email);
    try (Connection c = CapstanTestServices.services.database().connect();
        PreparedStatement s =
            c.prepareStatement("update users set role = 'admin' where email = ?")) {
      s.setString(1, email);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    return token;
  }
}
