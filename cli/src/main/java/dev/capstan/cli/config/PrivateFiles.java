package dev.capstan.cli.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only their owner may read (0600 in folders of mode 0700), written atomically: a reader (or
 * a process killed mid-write) sees the old content or the new, never half of it.
 */
public final class PrivateFiles {
  static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  private PrivateFiles() {}

  /** Creates {@code dir} and missing parents; folders created here get mode 0700. */
  public static void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      if (posix(parent)) {
        Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      } else {
        Files.createDirectory(absolute);
      }
    } catch (FileAlreadyExistsException raced) {
      // another process made it meanwhile
    }
  }

  /** Replaces {@code target} with {@code content}; the file has mode 0600 from its first byte. */
  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    createDirectories(dir);
    boolean posix = posix(dir);
    FileAttribute<?>[] attrs =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attrs);
    try {
      Files.write(tmp, content);
      if (posix) {
        Files.setPosixFilePermissions(tmp, OWNER_FILE);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean posix(Path p) {
    return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
