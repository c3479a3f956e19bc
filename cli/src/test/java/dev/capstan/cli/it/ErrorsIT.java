package dev.capstan.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.testing.CliRun;
import dev.capstan.cli.testing.CliUser;
import dev.capstan.cli.testing.LiveStack;
import dev.capstan.cli.testing.Stack;
import dev.capstan.model.api.VideoMessages.CreateVideoRequest;
import dev.capstan.model.api.VideoMessages.VideoView;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Errors a person can act on: one line on stderr and an exit code of its own. */
@ExtendWith(LiveStack.class)
class ErrorsIT {

  @Test
  void a_url_where_nothing_listens_says_so_and_exits_3(Stack stack) throws Exception {
    CliUser user = stack.newUser("errors-url");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    CliRun run = user.run("ls", "--url", "http://127.0.0.1:" + closedPort);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .isEqualTo(
            "capstan: cannot reach Capstan at http://127.0.0.1:"
                + closedPort
                + ": connection refused (check --url or CAPSTAN_URL)");
  }

  @Test
  void a_url_of_something_else_than_capstan_exits_3(Stack stack) throws Exception {
    CliUser user = stack.newUser("errors-wrong-server");
    CliRun run = user.run("ls", "--url", stack.s3Endpoint());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    assertThat(run.stderrLines()).singleElement().asString().endsWith("is the URL right?");
  }

  @Test
  void a_bad_token_is_rejected_with_exit_4(Stack stack) throws Exception {
    CliUser user = stack.newUser("errors-token");
    CliRun run = user.run("ls", "--token", "not-a-real-token");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .startsWith("capstan: the server rejected the token")
        .contains("invalid_token")
        .endsWith("run `capstan login` or set CAPSTAN_TOKEN");
  }

  @Test
  void no_token_at_all_says_how_to_log_in_with_exit_4(Stack stack) throws Exception {
    CliUser user = stack.newUser("errors-no-token");
    CliRun run =
        user.run(user.env(user.bare(), "CAPSTAN_URL", stack.apiUrl()), List.of(), null, "ls");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .isEqualTo(
            "capstan: not logged in to "
                + stack.apiUrl()
                + ": run `capstan login` or set CAPSTAN_TOKEN");
  }

  @Test
  void a_missing_file_exits_5_before_anything_reaches_the_server(Stack stack) throws Exception {
    CliUser user = stack.newUser("errors-file");
    Path present = Files.write(stack.folder("present").resolve("present.mp4"), new byte[1024]);
    Path missing = present.resolveSibling("missing.mp4");

    CliRun run = user.run("upload", present.toString(), missing.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .isEqualTo("capstan: cannot upload " + missing + ": no such file");
    assertThat(user.run("ls", "--json").out())
        .as("not even the present file went up")
        .isEqualTo("[ ]");
  }

  @Test
  void a_file_over_the_servers_limit_exits_6_and_leaves_nothing_behind(Stack stack)
      throws Exception {
    CliUser user = stack.newUser("errors-large");
    Path big = stack.folder("large").resolve("huge.mp4");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(LiveStack.MAX_UPLOAD_BYTES + 16L * 1024 * 1024); // sparse: no disk, no bytes
    }

    CliRun run = user.run("upload", big.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .isEqualTo(
            "capstan: cannot upload huge.mp4 (80.0 MiB): too large for the server, uploads are"
                + " limited to "
                + LiveStack.MAX_UPLOAD_BYTES
                + " bytes (payload_too_large)");
    assertThat(user.run("ls", "--json").out()).as("the empty video was removed").isEqualTo("[ ]");
    assertThat(
            Files.exists(user.uploadStates())
                ? Files.list(user.uploadStates()).toList()
                : List.of())
        .as("no state file left")
        .isEmpty();
  }

  @Test
  void too_many_share_links_are_rate_limited_with_exit_7_and_a_time_to_wait(Stack stack)
      throws Exception {
    CliUser user = stack.newUser("errors-rate");
    VideoView video =
        Stack.JSON.readValue(
            stack
                .send(
                    "POST", "/api/v1/videos", user.token(), new CreateVideoRequest("limited", null))
                .body(),
            VideoView.class);
    for (int i = 0; i < LiveStack.SHARES_PER_MINUTE; i++) {
      assertThat(
              stack
                  .send("POST", "/api/v1/videos/" + video.id() + "/shares", user.token(), Map.of())
                  .statusCode())
          .isEqualTo(201);
    }

    CliRun run = user.run("share", video.id());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(7);
    assertThat(run.stderrLines())
        .singleElement()
        .asString()
        .startsWith("capstan: rate limited by the server")
        .containsPattern("try again in \\d+ s$");
  }
}
