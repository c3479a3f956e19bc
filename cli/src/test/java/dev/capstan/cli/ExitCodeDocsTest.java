package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/CLI.md documents exactly the exit codes the client has; scripts rely on that table. */
class ExitCodeDocsTest {
  private static final Pattern ROW = Pattern.compile("^\\| `(\\d+)` \\|", Pattern.MULTILINE);

  @Test
  void the_exit_code_table_in_the_docs_matches_the_code() throws Exception {
    Path root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    String doc = Files.readString(root.resolve("docs/CLI.md"));
    Matcher m = ROW.matcher(doc);
    Set<Integer> documented = new TreeSet<>();
    while (m.find()) {
      documented.add(Integer.parseInt(m.group(1)));
    }

    assertThat(documented)
        .isEqualTo(
            Arrays.stream(ExitCode.values())
                .map(ExitCode::code)
                .collect(Collectors.toCollection(TreeSet::new)));
  }
}
