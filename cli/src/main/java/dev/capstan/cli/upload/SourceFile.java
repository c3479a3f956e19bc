package dev.capstan.cli.upload;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A local file to upload, as it was when the upload started: its real path, size and modification
 * time identify it for resuming.
 */
public record SourceFile(Path path, long sizeBytes, long modifiedMillis, String contentType) {
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("mp4", "video/mp4"),
          Map.entry("m4v", "video/x-m4v"),
          Map.entry("mov", "video/quicktime"),
          Map.entry("webm", "video/webm"),
          Map.entry("mkv", "video/x-matroska"),
          Map.entry("avi", "video/x-msvideo"),
          Map.entry("mpg", "video/mpeg"),
          Map.entry("mpeg", "video/mpeg"),
          Map.entry("ts", "video/mp2t"),
          Map.entry("ogv", "video/ogg"),
          Map.entry("3gp", "video/3gpp"),
          Map.entry("flv", "video/x-flv"),
          Map.entry("wmv", "video/x-ms-wmv"));

  /** Checks the file before anything is sent; every problem is a {@link ExitCode#FILE_UNUSABLE}. */
  public static SourceFile of(String argument) {
    Path path;
    try {
      path = Path.of(argument);
    } catch (InvalidPathException e) {
      throw unusable(argument, "not a valid path");
    }
    try {
      Path real = path.toRealPath();
      if (Files.isDirectory(real)) {
        throw unusable(argument, "it is a directory");
      }
      if (!Files.isReadable(real)) {
        throw unusable(argument, "permission denied");
      }
      long size = Files.size(real);
      if (size == 0) {
        throw unusable(argument, "it is empty");
      }
      return new SourceFile(
          real, size, Files.getLastModifiedTime(real).toMillis(), contentTypeOf(real));
    } catch (NoSuchFileException e) {
      throw unusable(argument, "no such file");
    } catch (IOException e) {
      throw unusable(argument, e.getMessage());
    }
  }

  public String name() {
    return path.getFileName().toString();
  }

  /** Whether the file on disk is still the one that started uploading. */
  public boolean unchanged() {
    try {
      return Files.size(path) == sizeBytes
          && Files.getLastModifiedTime(path).toMillis() == modifiedMillis;
    } catch (IOException e) {
      return false;
    }
  }

  static String contentTypeOf(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }

  private static CliFailure unusable(String argument, String why) {
    return new CliFailure(ExitCode.FILE_UNUSABLE, "cannot upload " + argument + ": " + why);
  }
}
