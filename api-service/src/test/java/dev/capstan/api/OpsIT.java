package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class OpsIT {

  @Test
  void readiness_reports_database_redis_and_s3_up() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("redis", "s3"))
        .body("checks.find { it.name == 'redis' }.status", equalTo("UP"))
        .body("checks.find { it.name == 's3' }.status", equalTo("UP"))
        .body(
            "checks.name", hasItems(org.hamcrest.Matchers.containsStringIgnoringCase("database")));
  }

  @Test
  void liveness_is_up() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metrics_are_exposed_for_prometheus() {
    given().get("/api/v1/auth/nothing-here");
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("http_server_requests_seconds_bucket"))
        .body(containsString("agroal_active_count"))
        .body(containsString("jvm_memory_used_bytes"));
  }

  @Test
  void unknown_paths_answer_problem_json() {
    given()
        .get("/api/v1/no-such-thing")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("code", equalTo("not_found"));
  }

  @Test
  void openapi_document_lists_the_video_endpoints() {
    given()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body(containsString("/api/v1/videos/{id}/source"))
        .body(containsString("/api/v1/auth/signup"));
  }
}
