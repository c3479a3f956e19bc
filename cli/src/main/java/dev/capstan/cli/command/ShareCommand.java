package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.model.api.ShareMessages.ShareView;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code capstan share ID}: a new share link, printed. */
@Command(name = "share", description = "Create a share link for a video and print its URL.")
public final class ShareCommand implements Callable<Integer> {
  @ParentCommand CapstanCommand root;

  @Parameters(paramLabel = "ID", description = "the video's id")
  String id;

  @Option(names = "--password", description = "viewers must give this password (4+ characters)")
  String password;

  @Option(
      names = "--expires",
      paramLabel = "WHEN",
      description = "the link stops working after a duration (7d, 12h) or at a time (2026-12-31)")
  String expires;

  @Override
  public Integer call() {
    Instant expiresAt;
    try {
      expiresAt = expires == null ? null : TimeArguments.moment(expires, Instant.now());
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, e.getMessage());
    }
    if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
      throw new CliFailure(ExitCode.USAGE, "--expires must be in the future");
    }
    ShareView link = root.api().createShare(id, expiresAt, password);
    root.terminal().result(link.url().toString());
    if (link.expiresAt() != null || link.passwordProtected()) {
      root.terminal()
          .note(
              (link.passwordProtected() ? "password protected" : "")
                  + (link.passwordProtected() && link.expiresAt() != null ? ", " : "")
                  + (link.expiresAt() != null ? "expires " + link.expiresAt() : ""));
    }
    return ExitCode.OK.code();
  }
}
