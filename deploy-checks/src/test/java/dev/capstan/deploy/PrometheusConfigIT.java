package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** promtool on deploy/prometheus: the config, the alert rules and the rules' unit tests. */
class PrometheusConfigIT {
  private static final Path DIR = Repo.path("deploy/prometheus");

  @Test
  void promtool_accepts_the_scrape_config_and_its_rule_files() {
    Tools.Result r = promtool("check", "config", "prometheus.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void promtool_accepts_the_alert_rules() {
    Tools.Result r = promtool("check", "rules", "alerts.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  @Test
  void alerts_fire_on_the_situations_they_describe_and_stay_quiet_otherwise() {
    Tools.Result r = promtool("test", "rules", "alerts-test.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void promtool_rejects_a_broken_rule_so_the_check_can_fail(@TempDir Path dir) throws IOException {
    Path broken = dir.resolve("alerts.yml");
    Files.writeString(
        broken, Files.readString(DIR.resolve("alerts.yml")).replace("> 0.05", "> > 0.05"));
    Tools.Result r = promtool("check", "rules", broken.toString());
    assertThat(r.exitCode()).isNotZero();
  }

  private static Tools.Result promtool(String... args) {
    Path promtool = Tools.require("promtool", "prometheus");
    List<String> cmd = new java.util.ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, Map.of(), Duration.ofSeconds(60), DIR);
  }
}
