package dev.capstan.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.ExitCode;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path home;
  Map<String, String> vars = new HashMap<>();

  Environment env() {
    return new Environment(vars, home);
  }

  @BeforeEach
  void a_saved_login() throws Exception {
    new ConfigFile(env().configFile())
        .write(new ConfigFile.Saved("http://saved:8080/", "saved-token", "me@x", null));
  }

  @Test
  void the_saved_login_is_used_when_nothing_else_is_given() {
    Settings s = Settings.resolve(null, null, env());

    assertThat(s.url()).isEqualTo(URI.create("http://saved:8080"));
    assertThat(s.token()).contains("saved-token");
  }

  @Test
  void environment_beats_the_saved_login_and_flags_beat_the_environment() {
    vars.put("CAPSTAN_URL", "http://env:1");
    vars.put("CAPSTAN_TOKEN", "env-token");

    assertThat(Settings.resolve(null, null, env()))
        .extracting(Settings::url, s -> s.token().orElseThrow())
        .containsExactly(URI.create("http://env:1"), "env-token");
    assertThat(Settings.resolve("http://flag:2", "flag-token", env()))
        .extracting(Settings::url, s -> s.token().orElseThrow())
        .containsExactly(URI.create("http://flag:2"), "flag-token");
  }

  @Test
  void the_saved_token_is_never_sent_to_another_server() {
    Settings s = Settings.resolve("http://other:8080", null, env());

    assertThat(s.token()).isEmpty();
    assertThatThrownBy(s::requireToken)
        .isInstanceOf(CliFailure.class)
        .hasMessage("not logged in to http://other:8080: run `capstan login` or set CAPSTAN_TOKEN")
        .extracting(e -> ((CliFailure) e).exitCode())
        .isEqualTo(ExitCode.UNAUTHORIZED);
  }

  @Test
  void capstan_config_moves_the_file_and_the_default_server_is_local() {
    vars.put("CAPSTAN_CONFIG", home.resolve("nowhere.json").toString());

    Settings s = Settings.resolve(null, null, env());

    assertThat(s.url()).isEqualTo(URI.create(Settings.DEFAULT_URL));
    assertThat(s.token()).isEmpty();
  }

  @Test
  void a_url_that_is_not_http_is_a_usage_error() {
    assertThatThrownBy(() -> Settings.resolve("localhost:8080", null, env()))
        .isInstanceOf(CliFailure.class)
        .extracting(e -> ((CliFailure) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }
}
