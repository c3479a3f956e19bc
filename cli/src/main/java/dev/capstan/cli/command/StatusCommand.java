package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.api.Json;
import dev.capstan.model.api.VideoMessages.VideoView;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code capstan status ID}: where a video stands. */
@Command(name = "status", description = "Show a video: status, progress, size and playback URL.")
public final class StatusCommand implements Callable<Integer> {
  @ParentCommand CapstanCommand root;

  @Parameters(paramLabel = "ID", description = "the video's id")
  String id;

  @Option(names = "--json", description = "the video as JSON")
  boolean json;

  @Override
  public Integer call() throws IOException {
    VideoView v = root.api().video(id);
    Terminal t = root.terminal();
    if (json) {
      t.result(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(v));
      return ExitCode.OK.code();
    }
    t.result("id:        " + v.id());
    t.result("title:     " + (v.title() == null ? "" : v.title()));
    t.result("status:    " + v.status().wireName());
    if (v.progress() != null) {
      t.result(
          "progress:  "
              + v.progress().percent()
              + "%"
              + (v.progress().stage() == null ? "" : " (" + v.progress().stage() + ")"));
    }
    if (v.durationSeconds() != null) {
      t.result(String.format(Locale.ROOT, "duration:  %.1f s", v.durationSeconds()));
    }
    if (v.width() != null && v.height() != null) {
      t.result("size:      " + v.width() + "x" + v.height());
    }
    if (v.playback() != null && v.playback().mp4() != null) {
      t.result("playback:  " + v.playback().mp4());
    }
    if (v.thumbnailUrl() != null) {
      t.result("thumbnail: " + v.thumbnailUrl());
    }
    if (v.error() != null) {
      t.result("error:     " + v.error().code() + ": " + v.error().message());
    }
    if (v.createdAt() != null) {
      t.result("created:   " + v.createdAt());
    }
    return ExitCode.OK.code();
  }
}
