package dev.capstan.cli.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A person at a shell: an account on the server and a home folder, running the packaged CLI as a
 * process ({@code java -jar cli/target/capstan-cli.jar}) with nothing of the developer's
 * environment (no CAPSTAN_* variables, no ~/.config).
 */
public final class CliUser {
  private final Stack stack;
  private final String email;
  private final String password;
  private final String token;
  private final Path home;

  CliUser(Stack stack, String email, String password, String token, Path home) {
    this.stack = stack;
    this.email = email;
    this.password = password;
    this.token = token;
    this.home = home;
  }

  public String email() {
    return email;
  }

  public String password() {
    return password;
  }

  public String token() {
    return token;
  }

  public Path home() {
    return home;
  }

  /** Where the CLI keeps resumable uploads for this user (the default under $HOME). */
  public Path uploadStates() {
    return home.resolve(".cache/capstan/uploads");
  }

  /** The environment with the server and this user's token. */
  public Map<String, String> loggedIn() {
    Map<String, String> env = bare();
    env.put("CAPSTAN_URL", stack.apiUrl());
    env.put("CAPSTAN_TOKEN", token);
    return env;
  }

  /** Only a home folder and a PATH: the CLI has to be told (or have saved) everything else. */
  public Map<String, String> bare() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("LANG", "C.UTF-8");
    return env;
  }

  /** Runs {@code capstan ARGS} logged in; waits for it. */
  public CliRun run(String... args) throws IOException, InterruptedException {
    return run(loggedIn(), List.of(), null, args);
  }

  public CliRun run(Map<String, String> env, List<String> jvmOptions, String stdin, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(home, "stdout-", ".txt");
    Path err = Files.createTempFile(home, "stderr-", ".txt");
    Process p = start(env, jvmOptions, out, err, args);
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("capstan " + String.join(" ", args) + " hung");
    }
    return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts {@code capstan ARGS}; output goes to the given files, readable while it runs. */
  public Process start(
      Map<String, String> env, List<String> jvmOptions, Path stdout, Path stderr, String... args)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command(jvmOptions, args))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .directory(home.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  /** {@code java [options] -jar capstan-cli.jar ARGS}. */
  public List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", stack.cliJar().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  public Map<String, String> env(Map<String, String> base, String key, String value) {
    Map<String, String> env = new HashMap<>(base);
    env.put(key, value);
    return env;
  }
}
