package dev.capstan.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.api.event.VideoEventHub;
import dev.capstan.model.event.VideoEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/** Server-Sent Events of a video, fed by Redis pub/sub as the workers publish them. */
@QuarkusTest
@QuarkusTestResource(value = CapstanTestServices.class, restrictToAnnotatedClass = false)
class VideoEventsIT {
  @Inject RedissonClient redisson;
  @Inject VideoEventHub hub;

  /** Reads an SSE stream in the background, collecting "event:" names and data lines. */
  private static final class SseClient {
    final List<String> names = new CopyOnWriteArrayList<>();
    final List<String> data = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> done = new CompletableFuture<>();

    SseClient(String token, String videoId) {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:"
                          + RestAssured.port
                          + "/api/v1/videos/"
                          + videoId
                          + "/events"))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "text/event-stream")
              .build();
      HttpClient.newHttpClient()
          .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
          .thenAccept(
              r -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    if (line.startsWith("event:")) {
                      names.add(line.substring(6).strip());
                    } else if (line.startsWith("data:")) {
                      data.add(line.substring(5).strip());
                    }
                  }
                  done.complete(r.statusCode());
                } catch (Exception e) {
                  done.completeExceptionally(e);
                }
              });
    }
  }

  @Test
  void a_client_sees_the_current_status_then_live_progress_until_ready() throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "live");
    int before = hub.listenerCount();
    SseClient client = new SseClient(token, id);
    await().atMost(Duration.ofSeconds(10)).until(() -> hub.listenerCount() == before + 1);
    // The snapshot event is written when the stream opens; wait until the client has read it.
    await().atMost(Duration.ofSeconds(10)).until(() -> !client.data.isEmpty());
    assertThat(client.names).containsExactly("video.status");
    assertThat(client.data.get(0)).contains("\"status\":\"awaiting_upload\"");

    given()
        .auth()
        .oauth2(token)
        .contentType("video/mp4")
        .body(new byte[] {1, 2, 3})
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);
    ApiTestClient.publishAsAWorkerWould(
        redisson, VideoEvent.progress(id, 40, "transcoding", 3.5, Instant.now()));
    ApiTestClient.publishAsAWorkerWould(
        redisson, VideoEvent.progress("someone-else", 1, "x", null, Instant.now()));
    ApiTestClient.publishAsAWorkerWould(redisson, VideoEvent.ready(id, Instant.now()));

    assertThat(client.done.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(client.names)
        .containsExactly("video.status", "video.status", "video.progress", "video.ready");
    assertThat(client.data.get(1)).contains("\"status\":\"queued\"");
    assertThat(client.data.get(2)).contains("\"percent\":40").contains("\"etaSeconds\":3.5");
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.listenerCount() == before);
  }

  @Test
  void a_finished_video_answers_its_final_state_and_closes() throws Exception {
    String token = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(token, "x");
    try (var c = CapstanTestServices.services.database().connect();
        var s =
            c.prepareStatement(
                "update videos set status = 'failed', error_code = 'unsupported_media',"
                    + " error_message = 'Not a video.' where id = ?")) {
      s.setString(1, id);
      s.executeUpdate();
    }
    SseClient client = new SseClient(token, id);
    assertThat(client.done.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(client.names).containsExactly("video.failed");
    assertThat(client.data.get(0)).contains("unsupported_media");
  }

  @Test
  void strangers_get_404_and_anonymous_401() {
    String owner = ApiTestClient.signUp();
    String id = ApiTestClient.createVideo(owner, "x");
    given()
        .auth()
        .oauth2(ApiTestClient.signUp())
        .get("/api/v1/videos/" + id + "/events")
        .then()
        .statusCode(404);
    given().get("/api/v1/videos/" + id + "/events").then().statusCode(401);
  }
}
