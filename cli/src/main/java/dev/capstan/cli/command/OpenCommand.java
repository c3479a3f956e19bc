package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.ShareMessages.ShareView;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code capstan open ID}: the video's share link (an open, unexpired one; a new one when there is
 * none), printed, and with {@code --browse} opened in the browser.
 */
@Command(
    name = "open",
    description = "Print the video's share URL, making a link if it has none; --browse opens it.")
public final class OpenCommand implements Callable<Integer> {
  @ParentCommand CapstanCommand root;

  @Parameters(paramLabel = "ID", description = "the video's id")
  String id;

  @Option(names = "--browse", description = "also open the URL with xdg-open / open")
  boolean browse;

  @Override
  public Integer call() {
    CapstanApi api = root.api();
    api.video(id); // 404 for a video that does not exist (or is not mine)
    String url =
        existingLink(api)
            .map(s -> s.url().toString())
            .orElseGet(() -> api.createShare(id, null, null).url().toString());
    root.terminal().result(url);
    if (browse) {
      launch(url);
    }
    return ExitCode.OK.code();
  }

  private Optional<ShareView> existingLink(CapstanApi api) {
    Instant now = Instant.now();
    String cursor = null;
    do {
      Page<ShareView> page = api.shares(100, cursor);
      for (ShareView s : page.items()) {
        if (id.equals(s.videoId())
            && !s.passwordProtected()
            && (s.expiresAt() == null || s.expiresAt().isAfter(now.plusSeconds(60)))) {
          return Optional.of(s);
        }
      }
      cursor = page.nextCursor();
    } while (cursor != null);
    return Optional.empty();
  }

  private void launch(String url) {
    String opener =
        System.getProperty("os.name", "").toLowerCase().contains("mac") ? "open" : "xdg-open";
    try {
      new ProcessBuilder(opener, url).inheritIO().start();
    } catch (IOException e) {
      root.terminal().note("could not start " + opener + ": open the URL yourself");
    }
  }
}
