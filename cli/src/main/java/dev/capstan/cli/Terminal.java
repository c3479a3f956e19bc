package dev.capstan.cli;

import java.io.PrintStream;

/**
 * Where the client talks to the person: results (URLs, ids, tables) on stdout so scripts can
 * capture them; progress, notes and errors on stderr.
 */
public final class Terminal {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean interactive;
  private volatile boolean verbose;

  public Terminal(PrintStream out, PrintStream err, boolean interactive) {
    this.out = out;
    this.err = err;
    this.interactive = interactive;
  }

  /** Whether a person watches: {@code System.console()} is a real terminal. */
  public static boolean detectInteractive() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // JDK 22+ always answers a Console; isTerminal() says whether it is a terminal.
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException onJdk21) {
      return true;
    }
  }

  public boolean interactive() {
    return interactive;
  }

  public boolean verbose() {
    return verbose;
  }

  public void setVerbose(boolean verbose) {
    this.verbose = verbose;
  }

  /** A result line on stdout. */
  public void result(String line) {
    out.println(line);
    out.flush();
  }

  /** A note for the person, on stderr. */
  public void note(String line) {
    err.println(line);
    err.flush();
  }

  /** Detail shown with {@code --verbose}. */
  public void debug(String line) {
    if (verbose) {
      err.println("· " + line);
      err.flush();
    }
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }
}
