package dev.capstan.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** nginx configuration as a tree of directives, for assertions on what the config says. */
final class NginxConf {
  private NginxConf() {}

  /** One directive: {@code name args...;} or {@code name args... { children }}. */
  record Directive(String name, List<String> args, List<Directive> children) {
    List<Directive> all(String directive) {
      return children.stream().filter(d -> d.name.equals(directive)).toList();
    }

    Optional<Directive> first(String directive) {
      return children.stream().filter(d -> d.name.equals(directive)).findFirst();
    }

    Optional<Directive> first(String directive, Predicate<Directive> matching) {
      return children.stream().filter(d -> d.name.equals(directive)).filter(matching).findFirst();
    }

    /** The first argument of a direct child directive, or null. */
    String value(String directive) {
      return first(directive).map(d -> d.args.isEmpty() ? "" : d.args.get(0)).orElse(null);
    }

    String arg(int i) {
      return args.get(i);
    }
  }

  static Directive parse(String text) {
    List<String> tokens = tokenize(text);
    Directive root = new Directive("", List.of(), new ArrayList<>());
    int end = parseBlock(tokens, 0, root);
    if (end != tokens.size()) {
      throw new IllegalArgumentException("unbalanced '}' in nginx config");
    }
    return root;
  }

  private static int parseBlock(List<String> tokens, int i, Directive parent) {
    while (i < tokens.size()) {
      String t = tokens.get(i);
      if (t.equals("}")) {
        return i;
      }
      String name = t;
      List<String> args = new ArrayList<>();
      i++;
      while (i < tokens.size() && !tokens.get(i).equals(";") && !tokens.get(i).equals("{")) {
        args.add(tokens.get(i++));
      }
      if (i >= tokens.size()) {
        throw new IllegalArgumentException("directive '" + name + "' is not terminated");
      }
      Directive d = new Directive(name, args, new ArrayList<>());
      parent.children().add(d);
      if (tokens.get(i).equals("{")) {
        i = parseBlock(tokens, i + 1, d);
        if (i >= tokens.size() || !tokens.get(i).equals("}")) {
          throw new IllegalArgumentException("block '" + name + "' is not closed");
        }
      }
      i++;
    }
    return i;
  }

  private static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '#') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        int close = i + 1;
        while (close < text.length() && text.charAt(close) != c) {
          close += text.charAt(close) == '\\' ? 2 : 1;
        }
        current.append(text, i + 1, close);
        i = close + 1;
        flush(tokens, current, true);
        continue;
      }
      if (Character.isWhitespace(c) || c == ';' || c == '{' || c == '}') {
        flush(tokens, current, false);
        if (!Character.isWhitespace(c)) {
          tokens.add(String.valueOf(c));
        }
        i++;
        continue;
      }
      current.append(c);
      i++;
    }
    flush(tokens, current, false);
    return tokens;
  }

  private static void flush(List<String> tokens, StringBuilder current, boolean quoted) {
    if (quoted || current.length() > 0) {
      tokens.add(current.toString());
      current.setLength(0);
    }
  }

  /** nginx size syntax (1024, 8k, 5121m, 5g) in bytes. */
  static long bytes(String size) {
    String s = size.toLowerCase();
    long unit =
        switch (s.charAt(s.length() - 1)) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          default -> 1L;
        };
    String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
    return Long.parseLong(digits) * unit;
  }

  /** nginx time syntax (30s, 5m, 1h, 500ms, 60) in seconds. */
  static long seconds(String time) {
    String s = time.toLowerCase();
    if (s.endsWith("ms")) {
      return Long.parseLong(s.substring(0, s.length() - 2)) / 1000;
    }
    long unit =
        switch (s.charAt(s.length() - 1)) {
          case 's' -> 1L;
          case 'm' -> 60L;
          case 'h' -> 3600L;
          case 'd' -> 86400L;
          default -> 0L;
        };
    return unit == 0 ? Long.parseLong(s) : Long.parseLong(s.substring(0, s.length() - 1)) * unit;
  }
}
