package dev.capstan.cli.command;

import dev.capstan.cli.CapstanCommand;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import dev.capstan.cli.Terminal;
import dev.capstan.cli.config.ConfigFile;
import dev.capstan.cli.config.Environment;
import dev.capstan.model.api.AuthMessages.LoginResponse;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code capstan login}: exchanges email and password for a token and saves both (0600). */
@Command(
    name = "login",
    description = "Log in and save the server and token in the config file (mode 0600).")
public final class LoginCommand implements Callable<Integer> {
  @ParentCommand CapstanCommand root;

  @Option(names = "--email", paramLabel = "EMAIL", description = "asked for when not given")
  String email;

  @Option(
      names = "--password-stdin",
      description = "read the password from the first line of standard input")
  boolean passwordStdin;

  @Override
  public Integer call() throws IOException {
    Terminal terminal = root.terminal();
    Console console = terminal.interactive() ? System.console() : null;
    String who = email;
    if (who == null || who.isBlank()) {
      if (console == null) {
        throw new CliFailure(ExitCode.USAGE, "give --email (no terminal to ask on)");
      }
      who = console.readLine("Email: ");
      if (who == null || who.isBlank()) {
        throw new CliFailure(ExitCode.USAGE, "no email given");
      }
    }
    String password;
    if (passwordStdin) {
      password =
          new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8))
              .readLine();
    } else if (console != null) {
      char[] typed = console.readPassword("Password for %s: ", who.trim());
      password = typed == null ? null : new String(typed);
    } else {
      throw new CliFailure(
          ExitCode.USAGE, "no terminal to ask for the password on: pipe it with --password-stdin");
    }
    if (password == null || password.isEmpty()) {
      throw new CliFailure(ExitCode.USAGE, "no password given");
    }

    var api = root.api();
    LoginResponse login = api.login(who.trim(), password);
    Environment env = root.environment();
    ConfigFile config = new ConfigFile(env.configFile());
    config.write(
        new ConfigFile.Saved(api.base().toString(), login.token(), who.trim(), login.expiresAt()));
    terminal.note(
        "logged in to "
            + api.base()
            + " as "
            + who.trim()
            + "; token saved in "
            + config.path()
            + (login.expiresAt() == null ? "" : " (valid until " + login.expiresAt() + ")"));
    if (env.get(Environment.TOKEN).isPresent()) {
      terminal.note("note: CAPSTAN_TOKEN is set and takes precedence over the saved token");
    }
    return ExitCode.OK.code();
  }
}
