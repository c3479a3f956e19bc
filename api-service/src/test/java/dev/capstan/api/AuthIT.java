package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class AuthIT {

  private static Map<String, String> signupBody(String email) {
    return Map.of("email", email, "password", "correct horse battery", "name", "Ada");
  }

  @Test
  void signup_returns_the_user_and_a_working_token() {
    String email = "ada-" + UUID.randomUUID() + "@example.com";
    String token =
        given()
            .contentType(ContentType.JSON)
            .body(signupBody(email))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .body("user.email", equalTo(email))
            .body("user.name", equalTo("Ada"))
            .body("user.id", notNullValue())
            .body("token", startsWith("cap_"))
            .body("expiresAt", notNullValue())
            .extract()
            .path("token");
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(Map.of("title", "t"))
        .post("/api/v1/videos")
        .then()
        .statusCode(201);
  }

  @Test
  void the_same_email_cannot_sign_up_twice_whatever_its_case() {
    String email = "dup-" + UUID.randomUUID() + "@example.com";
    ApiTestClient.signUp(email);
    given()
        .contentType(ContentType.JSON)
        .body(signupBody(email.toUpperCase()))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("code", equalTo("email_taken"));
  }

  @Test
  void invalid_signup_names_the_bad_fields() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", "not-an-email", "password", "short", "name", "x"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("code", equalTo("validation_failed"))
        .body("detail", containsString("email"))
        .body("detail", containsString("password"));
  }

  @Test
  void login_with_the_right_password_gives_a_new_token_and_a_wrong_one_gives_401() {
    String email = "login-" + UUID.randomUUID() + "@example.com";
    ApiTestClient.signUp(email);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "correct horse battery"))
        .post("/api/v1/auth/login")
        .then()
        .statusCode(200)
        .body("token", startsWith("cap_"))
        .body("expiresAt", notNullValue());
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "wrong password"))
        .post("/api/v1/auth/login")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .body("code", equalTo("invalid_credentials"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", "nobody-" + email, "password", "whatever"))
        .post("/api/v1/auth/login")
        .then()
        .statusCode(401)
        .body("code", equalTo("invalid_credentials"));
  }

  @Test
  void calls_without_a_valid_token_get_401_problem_json() {
    given()
        .get("/api/v1/videos/0195f3a2-7c1e-7000-8000-000000000001")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", startsWith("Bearer"))
        .body("code", equalTo("unauthenticated"));
    given()
        .auth()
        .oauth2("cap_not-a-real-token")
        .get("/api/v1/videos/0195f3a2-7c1e-7000-8000-000000000001")
        .then()
        .statusCode(401)
        .body("code", equalTo("invalid_token"));
  }

  @Test
  void logout_revokes_the_token() {
    String token = ApiTestClient.signUp();
    given().auth().oauth2(token).post("/api/v1/auth/logout").then().statusCode(204);
    given()
        .auth()
        .oauth2(token)
        .get("/api/v1/videos/0195f3a2-7c1e-7000-8000-000000000001")
        .then()
        .statusCode(401)
        .body("code", equalTo("invalid_token"));
  }

  @Test
  void changing_the_password_signs_out_every_other_session_and_needs_the_current_one() {
    String email = "pw-" + UUID.randomUUID() + "@example.com";
    String first = ApiTestClient.signUp(email);
    String second =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("email", email, "password", "correct horse battery"))
            .post("/api/v1/auth/login")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    // Both sessions are in use (and so in the session cache) before the change.
    given().auth().oauth2(second).get("/api/v1/videos").then().statusCode(200);
    given()
        .auth()
        .oauth2(first)
        .contentType(ContentType.JSON)
        .body(Map.of("currentPassword", "wrong", "newPassword", "a brand new password"))
        .post("/api/v1/auth/password")
        .then()
        .statusCode(401);
    given()
        .auth()
        .oauth2(first)
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "currentPassword", "correct horse battery", "newPassword", "a brand new password"))
        .post("/api/v1/auth/password")
        .then()
        .statusCode(204);

    given().auth().oauth2(second).get("/api/v1/videos").then().statusCode(401);
    given().auth().oauth2(first).get("/api/v1/videos").then().statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "correct horse battery"))
        .post("/api/v1/auth/login")
        .then()
        .statusCode(401);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "a brand new password"))
        .post("/api/v1/auth/login")
        .then()
        .statusCode(200);
  }
}
