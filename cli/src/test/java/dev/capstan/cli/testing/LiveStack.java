package dev.capstan.cli.testing;

import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.fixtures.Fixtures;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The packaged API and media worker, started once as processes on MariaDB, Redis and the embedded
 * S3 for every CLI test class, and stopped after the last one. Tests get a {@link Stack} parameter.
 *
 * <p>The API runs with an upload limit of 64 MiB and 5 share links per user and minute, so the
 * tests can meet "too large" and "rate limited" for real.
 */
public final class LiveStack implements ParameterResolver {
  public static final long MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
  public static final int SHARES_PER_MINUTE = 5;
  private static final String API_APP = "api-service/target/quarkus-app";
  private static final String WORKER_APP = "media-worker/target/quarkus-app";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Stack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .computeIfAbsent(Stack.class.getName(), k -> start(), Stack.class);
  }

  private static Stack start() {
    try {
      Path root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
      Path cliJar =
          Path.of(
              System.getProperty(
                  "capstan.cli.jar", root.resolve("cli/target/capstan-cli.jar").toString()));
      if (!Files.isRegularFile(cliJar)) {
        throw new IllegalStateException(cliJar + " is missing: ./mvnw -pl cli package");
      }
      Path logs = root.resolve("cli/target/service-logs");
      Path apiJar = snapshot(root.resolve(API_APP), root.resolve("cli/target/it-services/api"));
      Path workerJar =
          snapshot(root.resolve(WORKER_APP), root.resolve("cli/target/it-services/worker"));
      TestServices services = TestServices.start("cli");
      Map<String, String> env = new HashMap<>(services.environment());
      env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
      Map<String, String> apiEnv = new HashMap<>(env);
      apiEnv.put("CAPSTAN_UPLOAD_MAX_BYTES", Long.toString(MAX_UPLOAD_BYTES));
      apiEnv.put("CAPSTAN_RATE_LIMITS_SHARES", Integer.toString(SHARES_PER_MINUTE));
      Map<String, String> workerEnv = new HashMap<>(env);
      workerEnv.put("CAPSTAN_WORKER_ID", "cli-test-worker");
      // Both start at once: they migrate the same database under Flyway's lock.
      CompletableFuture<ServiceProcess> api =
          CompletableFuture.supplyAsync(() -> startService("api", apiJar, apiEnv, logs));
      CompletableFuture<ServiceProcess> worker =
          CompletableFuture.supplyAsync(() -> startService("worker", workerJar, workerEnv, logs));
      return new Stack(
          services,
          api.join(),
          worker.join(),
          cliJar,
          Files.createTempDirectory("capstan-cli-it-"));
    } catch (Exception e) {
      throw new IllegalStateException("could not start the services: " + e.getMessage(), e);
    }
  }

  /**
   * A private copy (hard links where possible) of a packaged service, so that a rebuild of that
   * service while these tests run cannot pull jars from under the running process.
   *
   * @return the copy's quarkus-run.jar
   */
  static Path snapshot(Path quarkusApp, Path target) {
    if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
      throw new IllegalStateException(
          quarkusApp + " is not packaged: ./mvnw -pl api-service,media-worker package -DskipTests");
    }
    // A build replacing the files right now makes the copy fail; it is tried again until it holds.
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .ignoreExceptions()
        .until(() -> copyTree(quarkusApp, target));
    return target.resolve("quarkus-run.jar");
  }

  private static boolean copyTree(Path from, Path to) throws IOException {
    Fixtures.deleteTree(to);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path dest = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          try {
            Files.createLink(dest, source);
          } catch (UnsupportedOperationException | IOException notLinkable) {
            Files.copy(source, dest, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    return Files.isRegularFile(to.resolve("quarkus-run.jar"));
  }

  private static ServiceProcess startService(
      String name, Path jar, Map<String, String> env, Path logs) {
    try {
      return ServiceProcess.start(name, jar, env, logs);
    } catch (Exception e) {
      throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
    }
  }
}
