package dev.capstan.worker.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** A job's local work folder (source, outputs), removed whole when the job is done with it. */
final class WorkFolder {
  private static final Logger LOG = Logger.getLogger(WorkFolder.class);

  private WorkFolder() {}

  /** Removes {@code dir} and all under it; a failure is logged, not thrown (null: nothing). */
  static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warnf(e, "could not remove work folder %s", dir);
    }
  }
}
