package dev.capstan.cli;

import dev.capstan.cli.api.Backoff;
import dev.capstan.cli.api.CapstanApi;
import dev.capstan.cli.command.ListCommand;
import dev.capstan.cli.command.LoginCommand;
import dev.capstan.cli.command.OpenCommand;
import dev.capstan.cli.command.RemoveCommand;
import dev.capstan.cli.command.ShareCommand;
import dev.capstan.cli.command.StatusCommand;
import dev.capstan.cli.command.UploadCommand;
import dev.capstan.cli.config.Environment;
import dev.capstan.cli.config.Settings;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code capstan}: the options every command shares, and the way to the server. */
@Command(
    name = "capstan",
    mixinStandardHelpOptions = true,
    version = "capstan 0.1.0",
    description = "Upload, share and manage videos on a Capstan server.",
    subcommands = {
      LoginCommand.class,
      UploadCommand.class,
      ListCommand.class,
      StatusCommand.class,
      ShareCommand.class,
      RemoveCommand.class,
      OpenCommand.class
    },
    footer = {
      "",
      "Server and token: --url and --token, else CAPSTAN_URL and CAPSTAN_TOKEN, else the",
      "login saved by `capstan login` (~/.config/capstan/config.json or $CAPSTAN_CONFIG).",
      "",
      "Exit codes: 0 ok, 1 refused, 2 usage, 3 server unreachable or wrong URL,",
      "4 not logged in or bad token, 5 file missing or unreadable, 6 file too large,",
      "7 rate limited, 8 server error after retries, 9 no such video,",
      "10 processing failed, 130 interrupted (the upload stays resumable)."
    })
public final class CapstanCommand implements Callable<Integer> {
  /** API calls: four tries, 0.25 s, 0.5 s, 1 s apart. */
  private static final Backoff API_BACKOFF =
      Backoff.of(4, Duration.ofMillis(250), Duration.ofSeconds(2));

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description =
          "Capstan server (default: $CAPSTAN_URL, the saved login, http://127.0.0.1:8080)")
  String url;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      description = "session token (default: $CAPSTAN_TOKEN, then the saved login)")
  String token;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "show requests, parts and events as they happen")
  void verbose(boolean on) {
    terminal.setVerbose(on);
  }

  private final Environment environment;
  private final Terminal terminal;
  private final InputStream stdin;

  public CapstanCommand(Environment environment, Terminal terminal, InputStream stdin) {
    this.environment = environment;
    this.terminal = terminal;
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(terminal.err());
    return ExitCode.USAGE.code();
  }

  public Environment environment() {
    return environment;
  }

  public Terminal terminal() {
    return terminal;
  }

  public InputStream stdin() {
    return stdin;
  }

  public Settings settings() {
    return Settings.resolve(url, token, environment);
  }

  public CapstanApi api() {
    Settings s = settings();
    terminal.debug(
        "server " + s.url() + (s.token().isPresent() ? ", token from " + s.tokenSource() : ""));
    return new CapstanApi(s.url(), s.token(), CapstanApi.newHttpClient(), API_BACKOFF, terminal);
  }
}
