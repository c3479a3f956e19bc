package dev.capstan.cli;

import dev.capstan.cli.config.Environment;
import dev.capstan.cli.upload.Interruption;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code capstan} command-line client. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    Interruption.installHook();
    int code = run(args, Environment.current(), System.in, out, err, Terminal.detectInteractive());
    System.exit(code);
  }

  /** Runs one command line; answers the exit code. Prints nothing but through out and err. */
  public static int run(
      String[] args,
      Environment env,
      InputStream in,
      PrintStream out,
      PrintStream err,
      boolean interactive) {
    Terminal terminal = new Terminal(out, err, interactive);
    CommandLine cli = new CommandLine(new CapstanCommand(env, terminal, in));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof CliFailure f) {
            err.println("capstan: " + f.getMessage());
            if (terminal.verbose() && f.getCause() != null) {
              f.getCause().printStackTrace(err);
            }
            return f.exitCode().code();
          }
          err.println("capstan: unexpected error: " + e);
          if (terminal.verbose()) {
            e.printStackTrace(err);
          }
          return ExitCode.FAILURE.code();
        });
    return cli.execute(args);
  }
}
