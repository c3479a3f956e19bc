package dev.capstan.cli.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the client reads from its surroundings: environment variables and the home folder. Passed
 * in, so tests can run the client with an environment of their own.
 */
public record Environment(Map<String, String> variables, Path home) {
  public static final String URL = "CAPSTAN_URL";
  public static final String TOKEN = "CAPSTAN_TOKEN";
  public static final String CONFIG = "CAPSTAN_CONFIG";
  public static final String STATE_DIR = "CAPSTAN_STATE_DIR";

  /** The process's environment; home is {@code $HOME} like other Unix tools, else user.home. */
  public static Environment current() {
    String home = System.getenv("HOME");
    return new Environment(
        System.getenv(),
        Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home));
  }

  public Optional<String> get(String name) {
    String value = variables.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /** {@code $CAPSTAN_CONFIG}, else {@code $XDG_CONFIG_HOME/capstan/config.json}, else ~/.config. */
  public Path configFile() {
    return get(CONFIG)
        .map(Path::of)
        .orElseGet(
            () ->
                get("XDG_CONFIG_HOME")
                    .map(Path::of)
                    .orElse(home.resolve(".config"))
                    .resolve("capstan")
                    .resolve("config.json"));
  }

  /** Where resumable uploads are remembered: {@code $CAPSTAN_STATE_DIR}, else ~/.cache/capstan. */
  public Path stateDir() {
    return get(STATE_DIR)
        .map(Path::of)
        .orElseGet(
            () ->
                get("XDG_CACHE_HOME")
                    .map(Path::of)
                    .orElse(home.resolve(".cache"))
                    .resolve("capstan"));
  }
}
