package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.api.Json;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.VideoMessages.VideoView;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code capstan ls}: my videos, newest first. */
@Command(name = "ls", description = "List your videos, newest first.")
public final class ListCommand implements Callable<Integer> {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  @ParentCommand CapstanCommand root;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "20",
      description = "how many (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--all", description = "every video, page after page")
  boolean all;

  @Option(names = "--json", description = "the videos as a JSON array")
  boolean json;

  @Override
  public Integer call() throws IOException {
    if (limit < 1) {
      throw new CliFailure(ExitCode.USAGE, "--limit must be positive");
    }
    CapstanApi api = root.api();
    List<VideoView> videos = new ArrayList<>();
    String cursor = null;
    do {
      Page<VideoView> page = api.videos(all ? 100 : Math.min(limit, 100), cursor);
      videos.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null && (all || videos.size() < limit));
    if (!all && videos.size() > limit) {
      videos = videos.subList(0, limit);
    }
    if (json) {
      root.terminal()
          .result(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(videos));
      return ExitCode.OK.code();
    }
    if (videos.isEmpty()) {
      root.terminal().note("no videos yet: `capstan upload FILE`");
      return ExitCode.OK.code();
    }
    int idWidth = videos.stream().mapToInt(v -> v.id().length()).max().orElse(2);
    String format = "%-" + idWidth + "s  %-15s  %8s  %-16s  %s";
    root.terminal()
        .result(String.format(Locale.ROOT, format, "ID", "STATUS", "DURATION", "CREATED", "TITLE"));
    for (VideoView v : videos) {
      root.terminal()
          .result(
              String.format(
                  Locale.ROOT,
                  format,
                  v.id(),
                  v.status().wireName(),
                  v.durationSeconds() == null
                      ? "-"
                      : String.format(Locale.ROOT, "%.1f s", v.durationSeconds()),
                  v.createdAt() == null ? "-" : WHEN.format(v.createdAt()),
                  v.title() == null ? "" : v.title()));
    }
    return ExitCode.OK.code();
  }
}
