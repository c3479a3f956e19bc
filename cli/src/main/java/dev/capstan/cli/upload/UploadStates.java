package dev.capstan.cli.upload;

import dev.capstan.cli.api.Json;
import dev.capstan.cli.config.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The state files of resumable uploads, one per file under {@code <state dir>/uploads/}, named by a
 * hash of the file's absolute path, size and modification time: the same file resumes, an edited
 * one starts afresh. Writes are atomic, so a run killed at any moment leaves a readable state.
 */
public final class UploadStates {
  private final Path dir;

  public UploadStates(Path stateDir) {
    this.dir = stateDir.resolve("uploads");
  }

  public Path dir() {
    return dir;
  }

  public Path fileOf(SourceFile file) {
    return dir.resolve(key(file) + ".json");
  }

  public Optional<UploadState> find(SourceFile file) {
    try {
      UploadState s = Json.MAPPER.readValue(Files.readAllBytes(fileOf(file)), UploadState.class);
      return s.describes(file) ? Optional.of(s) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException unreadable) {
      // A state we cannot read is a state we do not have; the server keeps the truth.
      return Optional.empty();
    }
  }

  public void save(SourceFile file, UploadState state) {
    try {
      PrivateFiles.write(fileOf(file), Json.MAPPER.writeValueAsBytes(state));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + fileOf(file) + ": " + e.getMessage(), e);
    }
  }

  public void delete(SourceFile file) {
    try {
      Files.deleteIfExists(fileOf(file));
    } catch (IOException ignored) {
      // a stale state is harmless: the next run asks the server
    }
  }

  /** Forgets every upload of {@code videoId} (after the video is deleted). */
  public int deleteForVideo(String videoId) {
    List<Path> gone = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          UploadState s = Json.MAPPER.readValue(Files.readAllBytes(f), UploadState.class);
          if (videoId.equals(s.videoId())) {
            gone.add(f);
          }
        } catch (IOException unreadable) {
          // not ours to judge
        }
      }
    } catch (IOException noDir) {
      return 0;
    }
    for (Path f : gone) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // harmless, see delete()
      }
    }
    return gone.size();
  }

  static String key(SourceFile file) {
    String identity = file.path() + "\n" + file.sizeBytes() + "\n" + file.modifiedMillis();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
