package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** YAML files as plain maps and lists (anchors and merge keys resolved), and ways through them. */
final class Yamls {
  private Yamls() {}

  static Map<String, Object> load(String relative) {
    List<Map<String, Object>> docs = loadAll(relative);
    assertThat(docs).as("%s holds one YAML document", relative).hasSize(1);
    return docs.get(0);
  }

  /** Every non-empty document of a multi-document file. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> loadAll(String relative) {
    Path file = Repo.path(relative);
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file)) {
      for (Object doc : yaml.loadAll(r)) {
        if (doc != null) {
          assertThat(doc).as("a document of %s is a mapping", relative).isInstanceOf(Map.class);
          docs.add((Map<String, Object>) doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** The mapping at {@code path} under {@code node}; fails the test when it is missing. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String... path) {
    Object v = at(node, path);
    assertThat(v).as("mapping at %s", String.join(".", path)).isInstanceOf(Map.class);
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String... path) {
    Object v = at(node, path);
    assertThat(v).as("list at %s", String.join(".", path)).isInstanceOf(List.class);
    return (List<Object>) v;
  }

  static String string(Object node, String... path) {
    Object v = at(node, path);
    assertThat(v).as("value at %s", String.join(".", path)).isNotNull();
    return String.valueOf(v);
  }

  /** The value at {@code path}, or null where any step is missing. */
  @SuppressWarnings("unchecked")
  static Object at(Object node, String... path) {
    Object current = node;
    for (String step : path) {
      if (!(current instanceof Map)) {
        return null;
      }
      current = ((Map<String, Object>) current).get(step);
    }
    return current;
  }
}
