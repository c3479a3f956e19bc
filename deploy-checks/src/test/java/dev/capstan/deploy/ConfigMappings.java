package dev.capstan.deploy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a SmallRye {@code @ConfigMapping} interface from its source: every leaf key with its type,
 * default and the first sentence of Javadoc. Groups are nested interfaces returned by a method.
 * Enough for the services' own config interfaces (one mapping per file, google-java-format).
 */
final class ConfigMappings {
  private static final Pattern PREFIX =
      Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"");
  private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)");
  private static final Pattern WITH_DEFAULT =
      Pattern.compile("@WithDefault\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)");
  private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\"([^\"]+)\"\\)");
  private static final Pattern METHOD =
      Pattern.compile("^([\\w.]+(?:<[\\w.<>, ?]+>)?(?:\\[])?)\\s+(\\w+)\\(\\)\\s*;$");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  private ConfigMappings() {}

  /** One configuration key of a service. */
  record ConfigKey(
      String property, String javaType, boolean optional, String defaultValue, String description) {

    /** The environment variable SmallRye maps to this key. */
    String envVar() {
      return envVarOf(property);
    }

    boolean required() {
      return !optional && defaultValue == null;
    }
  }

  static String envVarOf(String property) {
    return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private record Member(
      String type, String name, String doc, String defaultValue, String withName) {}

  static List<ConfigKey> parse(String source) {
    Matcher prefixMatch = PREFIX.matcher(source);
    if (!prefixMatch.find()) {
      throw new IllegalArgumentException("no @ConfigMapping(prefix = ...) in the source");
    }
    String prefix = prefixMatch.group(1);
    Map<String, List<Member>> interfaces = new LinkedHashMap<>();
    String root = null;
    Deque<String> open = new ArrayDeque<>();
    Deque<Integer> openDepth = new ArrayDeque<>();
    int depth = 0;
    StringBuilder javadoc = null;
    String doc = null;
    String defaultValue = null;
    String withName = null;

    for (String raw : source.split("\n")) {
      String line = raw.strip();
      if (javadoc != null) {
        javadoc.append(' ').append(line);
        if (line.contains("*/")) {
          doc = cleanJavadoc(javadoc.toString());
          javadoc = null;
        }
        continue;
      }
      if (line.startsWith("/**")) {
        if (line.contains("*/")) {
          doc = cleanJavadoc(line);
        } else {
          javadoc = new StringBuilder(line);
        }
        continue;
      }
      if (line.startsWith("//") || line.startsWith("*") || line.startsWith("/*")) {
        continue;
      }
      Matcher m;
      if ((m = WITH_DEFAULT.matcher(line)).find()) {
        defaultValue = unescape(m.group(1));
      }
      if ((m = WITH_NAME.matcher(line)).find()) {
        withName = m.group(1);
      }
      String code = STRING.matcher(line).replaceAll("\"\"");
      Matcher iface = INTERFACE.matcher(code);
      boolean opensInterface = iface.find() && !code.startsWith("@");
      if (opensInterface) {
        String name = iface.group(1);
        interfaces.put(name, new ArrayList<>());
        if (root == null) {
          root = name;
        }
        open.push(name);
        doc = null;
        defaultValue = null;
        withName = null;
      } else if ((m = METHOD.matcher(code)).matches() && !open.isEmpty()) {
        interfaces
            .get(open.peek())
            .add(new Member(m.group(1), m.group(2), doc, defaultValue, withName));
        doc = null;
        defaultValue = null;
        withName = null;
      }
      for (char c : code.toCharArray()) {
        if (c == '{') {
          depth++;
        } else if (c == '}') {
          if (!openDepth.isEmpty() && openDepth.peek() == depth) {
            openDepth.pop();
            open.pop();
          }
          depth--;
        }
      }
      if (opensInterface) {
        openDepth.push(depth);
      }
    }
    List<ConfigKey> keys = new ArrayList<>();
    collect(interfaces, root, prefix, keys);
    return keys;
  }

  private static void collect(
      Map<String, List<Member>> interfaces, String iface, String prefix, List<ConfigKey> out) {
    for (Member member : interfaces.get(iface)) {
      String key =
          prefix + "." + (member.withName() != null ? member.withName() : kebab(member.name()));
      if (interfaces.containsKey(member.type())) {
        collect(interfaces, member.type(), key, out);
        continue;
      }
      boolean optional = member.type().startsWith("Optional<");
      String type =
          optional ? member.type().substring(9, member.type().length() - 1) : member.type();
      out.add(new ConfigKey(key, type, optional, member.defaultValue(), member.doc()));
    }
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String cleanJavadoc(String javadoc) {
    String text =
        javadoc
            .replace("/**", " ")
            .replace("*/", " ")
            .replaceAll("\\s\\*\\s", " ")
            .replaceAll("\\{@code ([^}]*)}", "`$1`")
            .replaceAll("\\{@link #?([\\w.]+)(\\(\\))?}", "`$1`")
            .replaceAll("\\s+", " ")
            .strip();
    return text;
  }

  private static String unescape(String javaString) {
    return javaString.replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
