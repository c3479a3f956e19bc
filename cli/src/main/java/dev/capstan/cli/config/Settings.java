package dev.capstan.cli.config;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * The server and the token a command uses. Each comes from the first of: the command line ({@code
 * --url}, {@code --token}), the environment ({@code CAPSTAN_URL}, {@code CAPSTAN_TOKEN}), the
 * config file {@code capstan login} wrote. The saved token is only sent to the server it was issued
 * by.
 */
public record Settings(URI url, Optional<String> token, String tokenSource) {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  public static Settings resolve(String urlFlag, String tokenFlag, Environment env) {
    Optional<ConfigFile.Saved> saved;
    ConfigFile file = new ConfigFile(env.configFile());
    try {
      saved = file.read();
    } catch (IOException e) {
      throw new CliFailure(
          ExitCode.FAILURE, "cannot read " + file.path() + ": " + e.getMessage(), e);
    }
    String url =
        firstOf(urlFlag)
            .or(() -> env.get(Environment.URL))
            .or(() -> saved.map(ConfigFile.Saved::url))
            .orElse(DEFAULT_URL);
    URI base = parseUrl(url);
    if (firstOf(tokenFlag).isPresent()) {
      return new Settings(base, firstOf(tokenFlag), "--token");
    }
    if (env.get(Environment.TOKEN).isPresent()) {
      return new Settings(base, env.get(Environment.TOKEN), Environment.TOKEN);
    }
    Optional<String> savedToken =
        saved
            .filter(s -> s.url() != null && sameServer(parseUrl(s.url()), base))
            .map(ConfigFile.Saved::token);
    return new Settings(base, savedToken, file.path().toString());
  }

  /** The token, or a failure that says how to get one. */
  public String requireToken() {
    return token.orElseThrow(
        () ->
            new CliFailure(
                ExitCode.UNAUTHORIZED,
                "not logged in to " + url + ": run `capstan login` or set CAPSTAN_TOKEN"));
  }

  static URI parseUrl(String url) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = URI.create(trimmed);
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new CliFailure(
          ExitCode.USAGE, "not a server URL: '" + url + "' (expected e.g. " + DEFAULT_URL + ")");
    }
  }

  static boolean sameServer(URI a, URI b) {
    return a.toString().equalsIgnoreCase(b.toString());
  }

  private static Optional<String> firstOf(String flag) {
    return flag == null || flag.isBlank() ? Optional.empty() : Optional.of(flag.trim());
  }
}
