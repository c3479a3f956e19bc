package dev.capstan.deploy;

import dev.capstan.deploy.ConfigMappings.ConfigKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment variable table of docs/OPERATIONS.md, made from the services' config mappings.
 */
final class EnvReference {
  static final String DOC = "docs/OPERATIONS.md";
  static final String REGENERATE =
      "./mvnw -B -q -pl deploy-checks test -Dtest=EnvReferenceTest -Dcapstan.docs.write=true";
  static final String BEGIN =
      "<!-- BEGIN GENERATED: env-reference. Generated from the services' @ConfigMapping"
          + " interfaces — do not edit; regenerate with: "
          + REGENERATE
          + " -->";
  static final String END = "<!-- END GENERATED: env-reference -->";

  private EnvReference() {}

  static String render() {
    Map<String, Map<Services, ConfigKey>> byProperty = new TreeMap<>();
    for (Services service : Services.values()) {
      for (ConfigKey key : service.configKeys()) {
        byProperty.computeIfAbsent(key.property(), k -> new LinkedHashMap<>()).put(service, key);
      }
    }
    StringBuilder table = new StringBuilder();
    table.append("| Variable | Property | Type | Default | Read by | What it sets |\n");
    table.append("|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<Services, ConfigKey>> e : byProperty.entrySet()) {
      Map<Services, ConfigKey> perService = e.getValue();
      ConfigKey first = perService.values().iterator().next();
      String description =
          perService.values().stream()
              .map(ConfigKey::description)
              .filter(d -> d != null && !d.isBlank())
              .findFirst()
              .orElse("");
      table
          .append("| `")
          .append(first.envVar())
          .append("` | `")
          .append(e.getKey())
          .append("` | ")
          .append(typeName(first.javaType()))
          .append(" | ")
          .append(defaults(perService))
          .append(" | ")
          .append(readers(perService))
          .append(" | ")
          .append(cell(description))
          .append(" |\n");
    }
    return table.toString();
  }

  /** {@code text} of the docs with the table between the markers replaced by {@code table}. */
  static String withTable(String text, String table) {
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(DOC + " lacks the markers:\n" + BEGIN + "\n" + END);
    }
    return text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end);
  }

  static String tableIn(String text) {
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      return null;
    }
    return text.substring(begin + BEGIN.length() + 1, end);
  }

  private static String defaults(Map<Services, ConfigKey> perService) {
    Map<String, List<String>> byValue = new LinkedHashMap<>();
    for (Map.Entry<Services, ConfigKey> e : perService.entrySet()) {
      ConfigKey k = e.getValue();
      String value =
          k.defaultValue() != null
              ? "`" + k.defaultValue() + "`"
              : k.optional() ? "unset" : "**required**";
      byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(label(e.getKey()));
    }
    if (byValue.size() == 1) {
      return cell(byValue.keySet().iterator().next());
    }
    List<String> parts = new ArrayList<>();
    byValue.forEach((value, services) -> parts.add(String.join(", ", services) + ": " + value));
    return cell(String.join("; ", parts));
  }

  private static String readers(Map<Services, ConfigKey> perService) {
    List<String> names = new ArrayList<>();
    perService.keySet().forEach(s -> names.add(label(s)));
    return String.join(", ", names);
  }

  private static String label(Services s) {
    return s == Services.API ? "API" : "worker";
  }

  private static String typeName(String javaType) {
    return switch (javaType) {
      case "String" -> "string";
      case "int", "long", "Integer", "Long" -> "integer";
      case "boolean", "Boolean" -> "boolean";
      case "Duration" -> "duration (`PT30S` or `30s`)";
      case "URI" -> "URL";
      case "Path" -> "path";
      case "List<String>" -> "list (comma-separated)";
      default -> javaType;
    };
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
