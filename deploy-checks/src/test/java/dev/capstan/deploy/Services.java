package dev.capstan.deploy;

import dev.capstan.deploy.ConfigMappings.ConfigKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The two Capstan services as the deployment files see them: ports, paths and settings. */
enum Services {
  API(
      "api-service",
      8080,
      "api-service/src/main/java",
      "api-service/src/main/resources/application.properties"),
  WORKER(
      "media-worker",
      8081,
      "media-worker/src/main/java",
      "media-worker/src/main/resources/application.properties");

  static final String LIVE = "/q/health/live";
  static final String READY = "/q/health/ready";
  static final String METRICS = "/q/metrics";

  /**
   * Quarkus runtime settings the deployment sets that the services' application.properties do not
   * mention. Each is a documented Quarkus key; nothing else outside the config mappings may be set.
   */
  private static final Map<Services, Set<String>> QUARKUS_EXTRAS =
      Map.of(
          API,
          Set.of(
              // Behind nginx / an ingress: trust X-Forwarded-* for client address, scheme, host.
              "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING",
              "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED",
              "QUARKUS_HTTP_PROXY_ENABLE_FORWARDED_HOST",
              // The read replica's URL (none in application.properties: unset means no replica).
              "QUARKUS_DATASOURCE_REPLICA_JDBC_URL"),
          WORKER,
          Set.of());

  /**
   * Read by the image's entrypoint (JAVA_OPTS) or by glibc (MALLOC_ARENA_MAX: the worker's encoder
   * threads would each grow a malloc arena of their own), not by the application's configuration.
   */
  private static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS", "MALLOC_ARENA_MAX");

  private static final Pattern PROPERTY_LINE =
      Pattern.compile("^(?:%[\\w-]+\\.)?([\\w.\\-\"/]+)\\s*=");

  final String serviceName;
  final int port;
  final String sourceRoot;
  final String applicationProperties;

  Services(String serviceName, int port, String sourceRoot, String applicationProperties) {
    this.serviceName = serviceName;
    this.port = port;
    this.sourceRoot = sourceRoot;
    this.applicationProperties = applicationProperties;
  }

  /** Every key of every {@code @ConfigMapping} interface in the service's sources. */
  List<ConfigKey> configKeys() {
    List<ConfigKey> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Repo.path(sourceRoot))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String source = Files.readString(file);
        if (source.contains("@ConfigMapping(")) {
          keys.addAll(ConfigMappings.parse(source));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /** Keys named in application.properties (any profile). */
  Set<String> propertyKeys() {
    Set<String> keys = new TreeSet<>();
    for (String line : Repo.read(applicationProperties).split("\n")) {
      Matcher m = PROPERTY_LINE.matcher(line.strip());
      if (!line.strip().startsWith("#") && m.find()) {
        keys.add(m.group(1));
      }
    }
    return keys;
  }

  /** A property's value in application.properties (default profile), or null. */
  String property(String key) {
    for (String line : Repo.read(applicationProperties).split("\n")) {
      String s = line.strip();
      if (s.startsWith(key + "=")) {
        return s.substring(key.length() + 1).strip();
      }
    }
    return null;
  }

  /** Every environment variable this service understands. */
  Set<String> knownEnvironment() {
    Set<String> known = new LinkedHashSet<>();
    configKeys().forEach(k -> known.add(k.envVar()));
    propertyKeys().forEach(k -> known.add(ConfigMappings.envVarOf(k)));
    known.addAll(QUARKUS_EXTRAS.get(this));
    known.addAll(IMAGE_VARIABLES);
    return known;
  }

  static Services byName(String serviceName) {
    for (Services s : values()) {
      if (s.serviceName.equals(serviceName)) {
        return s;
      }
    }
    throw new IllegalArgumentException(serviceName);
  }
}
