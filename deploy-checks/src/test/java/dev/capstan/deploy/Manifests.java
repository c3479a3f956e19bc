package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks shared by the compose file and the swarm stack. */
final class Manifests {
  static final String ONE_SHOT_LABEL = "dev.capstan.one-shot";
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?])?");

  private Manifests() {}

  /** Environment of a compose/stack service, as a map (list form converted). */
  static Map<String, String> environment(Map<String, Object> service) {
    Object env = service.get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    } else if (env instanceof List<?> l) {
      for (Object item : l) {
        String[] kv = String.valueOf(item).split("=", 2);
        out.put(kv[0], kv.length > 1 ? kv[1] : null);
      }
    }
    return out;
  }

  static boolean oneShot(Map<String, Object> service) {
    return "true".equals(String.valueOf(Yamls.at(service, "labels", ONE_SHOT_LABEL)));
  }

  /** A long-running service has a real health check; a one-shot job says it has none on purpose. */
  static void assertHealthCheck(String name, Map<String, Object> service) {
    Object healthcheck = service.get("healthcheck");
    assertThat(healthcheck).as("%s: healthcheck", name).isInstanceOf(Map.class);
    if (Boolean.TRUE.equals(Yamls.at(healthcheck, "disable"))) {
      assertThat(oneShot(service))
          .as("%s disables its health check, so it must be labelled %s", name, ONE_SHOT_LABEL)
          .isTrue();
      return;
    }
    List<Object> test = Yamls.list(healthcheck, "test");
    assertThat(test.get(0)).as("%s: healthcheck test", name).isIn("CMD", "CMD-SHELL");
    assertThat(Yamls.string(healthcheck, "interval")).isNotBlank();
  }

  static void assertLimits(String name, Map<String, Object> service) {
    assertThat(Yamls.at(service, "deploy", "resources", "limits", "cpus"))
        .as("%s: deploy.resources.limits.cpus", name)
        .isNotNull();
    assertThat(Yamls.at(service, "deploy", "resources", "limits", "memory"))
        .as("%s: deploy.resources.limits.memory", name)
        .isNotNull();
  }

  /** An image with an explicit tag (a variable with a default counts), never latest. */
  static void assertPinnedImage(String name, Map<String, Object> service) {
    String image = Yamls.string(service, "image");
    String withDefaults = image.replaceAll("\\$\\{[A-Z0-9_]+:?[-?]([^}]*)}", "$1");
    assertThat(withDefaults).as("%s: image %s", name, image).matches("[^:]+:[\\w.\\-]+");
    assertThat(withDefaults).doesNotEndWith(":latest");
  }

  static void assertHealthCheckProbes(Map<String, Object> service, Services s) {
    List<Object> test = Yamls.list(service, "healthcheck", "test");
    assertThat(String.join(" ", test.stream().map(String::valueOf).toList()))
        .contains("http://127.0.0.1:" + s.port + Services.READY);
  }

  static Duration duration(String composeDuration) {
    if (composeDuration.startsWith("PT")) {
      return Duration.parse(composeDuration);
    }
    Matcher m = Pattern.compile("(\\d+)([smh])").matcher(composeDuration);
    assertThat(m.matches()).as("duration %s", composeDuration).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /**
   * quarkus.shutdown.timeout of the worker: how long it drains on SIGTERM. Without one the
   * deployment assumes 120 s, the drain the orchestrators are then sized for.
   */
  static Duration workerDrain() {
    String value = Services.WORKER.property("quarkus.shutdown.timeout");
    return value == null ? Duration.ofSeconds(120) : duration(value);
  }

  /** Variables a compose file interpolates: name -> true when required ({@code :?}). */
  static Map<String, Boolean> variables(String text) {
    Map<String, Boolean> vars = new LinkedHashMap<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      boolean required = m.group(2) != null && m.group(2).endsWith("?");
      vars.merge(m.group(1), required, Boolean::logicalOr);
    }
    return vars;
  }
}
