package dev.capstan.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Dockerfile as its stages and instructions (continuations joined, comments dropped). */
final class Dockerfiles {
  private Dockerfiles() {}

  record Instruction(String keyword, String args) {}

  /** One build stage: its base image, optional name and instructions. */
  record Stage(String image, String name, List<Instruction> instructions) {
    List<String> all(String keyword) {
      return instructions.stream()
          .filter(i -> i.keyword.equals(keyword))
          .map(Instruction::args)
          .toList();
    }

    String last(String keyword) {
      List<String> found = all(keyword);
      return found.isEmpty() ? null : found.get(found.size() - 1);
    }
  }

  static List<Stage> parse(String text) {
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      logical.add(current.toString().strip());
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    for (String line : logical) {
      int space = line.indexOf(' ');
      String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
      String args = space < 0 ? "" : line.substring(space + 1).strip().replaceAll("\\s+", " ");
      if (keyword.equals("FROM")) {
        String[] parts = args.split(" ");
        String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
        stages.add(new Stage(parts[0], name, new ArrayList<>()));
      } else if (!stages.isEmpty()) {
        stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, args));
      } else if (!keyword.equals("ARG")) {
        throw new IllegalArgumentException("instruction before FROM: " + line);
      }
    }
    return stages;
  }
}
