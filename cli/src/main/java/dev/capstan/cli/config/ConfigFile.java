package dev.capstan.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.cli.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The file {@code capstan login} writes: the server and a session token. It holds a credential, so
 * it is created with mode 0600.
 */
public final class ConfigFile {
  /** What the file holds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Saved(String url, String token, String email, Instant expiresAt) {}

  private final Path path;

  public ConfigFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The saved login; empty when there is none. An unreadable file is an error worth telling. */
  public Optional<Saved> read() throws IOException {
    try {
      return Optional.of(Json.MAPPER.readValue(Files.readAllBytes(path), Saved.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  public void write(Saved saved) throws IOException {
    PrivateFiles.write(path, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(saved));
  }
}
