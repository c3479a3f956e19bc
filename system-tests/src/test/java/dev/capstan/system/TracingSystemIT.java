package dev.capstan.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.system.OtlpReceiver.ReceivedSpan;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing and structured logs across both services: with OpenTelemetry switched on, one trace spans
 * the upload request, the worker's transcode and its S3 calls (the trace context travels inside the
 * job payload), and with {@code CAPSTAN_LOG_JSON=true} every log line is a JSON object whose job
 * lines carry the video id, job id and trace id.
 */
class TracingSystemIT {
  private static final int SPAN_KIND_SERVER = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  static TestServices services;
  static OtlpReceiver collector;
  static ServiceProcess api;
  static ServiceProcess worker;
  static Path work;
  static String token;

  @BeforeAll
  static void startTheTracedStack() throws Exception {
    Path root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    Path logs = root.resolve("system-tests/target/service-logs");
    work = Files.createTempDirectory("capstan-tracing-");
    services = TestServices.start("tracing");
    collector = new OtlpReceiver();
    Map<String, String> env = new HashMap<>(services.environment());
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    env.put("CAPSTAN_LOG_JSON", "true");
    env.put("QUARKUS_OTEL_SDK_DISABLED", "false");
    env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.endpoint());
    env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
    env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
    api =
        ServiceProcess.start(
            "tracing-api",
            root.resolve("api-service/target/quarkus-app/quarkus-run.jar"),
            env,
            logs);
    env.put("CAPSTAN_WORKER_ID", "tracing-worker");
    worker =
        ServiceProcess.start(
            "tracing-worker",
            root.resolve("media-worker/target/quarkus-app/quarkus-run.jar"),
            env,
            logs);
    token =
        given()
            .baseUri(api.baseUrl())
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "email", "tracing-" + UUID.randomUUID() + "@example.com",
                    "password", "tracing test password",
                    "name", "Tracer"))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
  }

  @AfterAll
  static void stopIt() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
    if (collector != null) {
      collector.close();
    }
    if (services != null) {
      services.close();
    }
  }

  private static RequestSpecification asUser() {
    return given().baseUri(api.baseUrl()).auth().oauth2(token);
  }

  @Test
  void one_trace_spans_upload_worker_s3_and_ready_and_log_lines_carry_the_ids() throws Exception {
    Path clip = SampleClips.generate(SampleClips.Spec.standard(1.0), work.resolve("traced.mp4"));
    String id =
        asUser()
            .multiPart("file", clip.toFile(), "video/mp4")
            .multiPart("title", "traced")
            .post("/api/v1/videos")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .failFast("the worker died:\n" + worker.tail(), () -> !worker.isAlive())
        .until(
            () -> asUser().get("/api/v1/videos/" + id).then().extract().path("status"),
            s -> "ready".equals(s) || "failed".equals(s));
    assertThat(asUser().get("/api/v1/videos/" + id).then().extract().<String>path("status"))
        .as(worker.tail())
        .isEqualTo("ready");

    // The worker's span for the job, exported once its batch is flushed.
    ReceivedSpan transcode =
        await()
            .atMost(Duration.ofSeconds(30))
            .failFast("the collector could not read an export", () -> !collector.errors().isEmpty())
            .until(
                () ->
                    collector.spans().stream()
                        .filter(s -> s.name().equals("transcode"))
                        .filter(s -> id.equals(s.attributes().get("capstan.video.id")))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(transcode.attributes())
        .containsEntry("capstan.job.outcome", "SUCCEEDED")
        .containsEntry("capstan.job.attempt", "1")
        .containsKey("capstan.job.id");
    String traceId = transcode.traceId();

    // Its parent is the API's upload request: the trace context came through the job payload.
    List<ReceivedSpan> trace =
        collector.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    ReceivedSpan upload =
        trace.stream()
            .filter(s -> s.spanId().equals(transcode.parentSpanId()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no parent span for transcode in " + trace));
    assertThat(upload.kind()).isEqualTo(SPAN_KIND_SERVER);
    assertThat(upload.name()).contains("POST").contains("/api/v1/videos");
    assertThat(upload.service()).isNotEqualTo(transcode.service());

    // The worker's S3 calls are children of its span: source downloaded, renditions stored.
    List<ReceivedSpan> s3 =
        trace.stream().filter(s -> s.parentSpanId().equals(transcode.spanId())).toList();
    assertThat(s3).extracting(ReceivedSpan::name).contains("s3.GetObject", "s3.PutObject");
    assertThat(s3)
        .filteredOn(s -> s.name().equals("s3.GetObject"))
        .extracting(s -> s.attributes().get("capstan.s3.key"))
        .contains("videos/" + id + "/source");
    String jobId = transcode.attributes().get("capstan.job.id");

    // JSON logs: every line parses; the worker's lines about this job carry its ids and trace.
    List<JsonNode> workerLines = jsonLines(worker.log());
    assertThat(jsonLines(api.log())).isNotEmpty();
    List<JsonNode> jobLines =
        workerLines.stream()
            .filter(l -> id.equals(l.path("mdc").path("videoId").asText()))
            .toList();
    assertThat(jobLines).as("worker log lines naming video " + id).isNotEmpty();
    assertThat(jobLines)
        .allSatisfy(
            l -> {
              assertThat(l.path("mdc").path("jobId").asText()).isEqualTo(jobId);
              assertThat(l.path("mdc").path("traceId").asText()).isEqualTo(traceId);
            });
  }

  /** Every line of a log written with CAPSTAN_LOG_JSON=true, parsed; fails on a line that isn't. */
  private static List<JsonNode> jsonLines(Path log) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        lines.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON log line in " + log.getFileName() + ": " + line, e);
      }
    }
    return lines;
  }
}
