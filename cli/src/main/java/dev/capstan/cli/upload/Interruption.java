package dev.capstan.cli.upload;

/**
 * What Ctrl-C (SIGINT) or SIGTERM says while an upload runs. The JVM runs shutdown hooks on both;
 * the state file is already consistent (every write is atomic), so all that is left is to tell the
 * person that the upload can be resumed.
 */
public final class Interruption {
  private static volatile Runnable onInterrupt;

  private Interruption() {}

  /** Installs the hook; once per process. */
  public static void installHook() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Runnable r = onInterrupt;
                  if (r != null) {
                    r.run();
                  }
                },
                "capstan-interrupt"));
  }

  static void whileRunning(Runnable notice) {
    onInterrupt = notice;
  }

  static void done() {
    onInterrupt = null;
  }
}
