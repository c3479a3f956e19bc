package dev.capstan.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;

/** What most tests do first: sign up a fresh user and get their token. */
final class ApiTestClient {
  private ApiTestClient() {}

  static String signUp() {
    return signUp("user-" + UUID.randomUUID() + "@example.com");
  }

  static String signUp(String email) {
    return given()
        .contentType(ContentType.JSON)
        .body(Map.of("email", email, "password", "correct horse battery", "name", "Test User"))
        .post("/api/v1/auth/signup")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }
}
