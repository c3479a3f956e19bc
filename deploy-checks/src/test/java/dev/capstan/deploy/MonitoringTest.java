package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.model.job.QueueNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Prometheus scrape config, alerts and the Grafana dashboard against the services and docs. */
class MonitoringTest {
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:capstan|http_server|agroal|redis|mysql)_[a-z0-9_]+)\\b");
  private static final Pattern STREAM_MATCHER = Pattern.compile("stream=~\"([^\"]+)\"");
  private static final Pattern GROUP_MATCHER = Pattern.compile("group=\"([^\"]+)\"");
  private static final Pattern JOB_MATCHER = Pattern.compile("job=\"([^\"]+)\"");

  private final Map<String, Object> prometheus = Yamls.load("deploy/prometheus/prometheus.yml");
  private final Map<String, Object> alerts = Yamls.load("deploy/prometheus/alerts.yml");
  private final String operations = Repo.read("docs/OPERATIONS.md");

  @Test
  void every_api_and_worker_instance_is_discovered_on_its_port_and_metrics_path() {
    for (Services service : Services.values()) {
      Map<String, Object> job = scrapeJob(service.serviceName);
      assertThat(job.get("metrics_path")).isEqualTo(Services.METRICS);
      Map<String, Object> dns = Yamls.map(Yamls.list(job, "dns_sd_configs").get(0));
      assertThat(dns.get("names")).isEqualTo(List.of(service.serviceName));
      assertThat(dns.get("type")).isEqualTo("A");
      assertThat(dns.get("port")).isEqualTo(service.port);
    }
  }

  @Test
  void static_targets_name_services_of_the_compose_stack() {
    Set<String> services = Yamls.map(Yamls.load("docker-compose.yml"), "services").keySet();
    for (Object job : Yamls.list(prometheus, "scrape_configs")) {
      Object statics = Yamls.at(job, "static_configs");
      if (statics == null) {
        continue;
      }
      for (Object group : (List<?>) statics) {
        for (Object target : Yamls.list(group, "targets")) {
          String host = target.toString().split(":")[0];
          if (!host.equals("localhost")) {
            assertThat(services).as("scrape target %s", target).contains(host);
          }
        }
      }
    }
  }

  @Test
  void every_alert_has_severity_summary_and_a_runbook_section_in_the_docs() {
    for (Map<String, Object> rule : alertRules()) {
      String name = (String) rule.get("alert");
      assertThat(Yamls.string(rule, "labels", "severity")).isIn("critical", "warning");
      assertThat(Yamls.string(rule, "annotations", "summary")).isNotBlank();
      assertThat(Yamls.string(rule, "annotations", "runbook"))
          .isEqualTo("docs/OPERATIONS.md#" + name.toLowerCase());
      assertThat(operations).as("docs section for %s", name).contains("\n### " + name + "\n");
    }
  }

  @Test
  void alerts_cover_what_the_seed_and_the_issue_ask_for() {
    assertThat(alertRules())
        .extracting(r -> r.get("alert"))
        .contains(
            "CapstanApiDown",
            "CapstanApiHigh5xxRate",
            "CapstanApiLatencyHigh",
            "CapstanQueueBacklogGrowing",
            "CapstanOldestJobTooOld",
            "CapstanJobsFailing",
            "CapstanNoLiveWorkers",
            "CapstanReplicaLagHigh",
            "CapstanDbPoolExhausted");
  }

  @Test
  void queries_use_the_real_job_stream_group_and_scrape_jobs() {
    Set<String> jobs = new TreeSet<>();
    for (Object job : Yamls.list(prometheus, "scrape_configs")) {
      jobs.add(Yamls.string(job, "job_name"));
    }
    List<String> jobStreams = JobStreams.of("capstan");
    String deadLetters = QueueNames.deadLetterStream("capstan");
    for (String expr : allExpressions()) {
      Matcher m = STREAM_MATCHER.matcher(expr);
      while (m.find()) {
        Pattern matcher = Pattern.compile(m.group(1));
        if (matcher.matcher(deadLetters).matches()) {
          assertThat(jobStreams).noneMatch(s -> matcher.matcher(s).matches());
        } else {
          // A job-stream matcher takes in every lane.
          assertThat(jobStreams)
              .as("streams matched by %s in %s", m.group(1), expr)
              .allMatch(s -> matcher.matcher(s).matches());
        }
      }
      m = GROUP_MATCHER.matcher(expr);
      while (m.find()) {
        assertThat(m.group(1)).isEqualTo(QueueNames.WORKER_GROUP);
      }
      m = JOB_MATCHER.matcher(expr);
      while (m.find()) {
        assertThat(jobs).as("job in %s", expr).contains(m.group(1));
      }
    }
  }

  @Test
  void every_metric_the_alerts_and_dashboard_use_is_listed_in_the_docs() {
    Set<String> metrics = new TreeSet<>();
    for (String expr : allExpressions()) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        metrics.add(m.group(1));
      }
    }
    assertThat(metrics).contains("capstan_worker_jobs_total", "http_server_requests_seconds_count");
    String metricsSection = section(operations, "## Metrics");
    assertThat(metrics)
        .allSatisfy(
            name ->
                assertThat(metricsSection)
                    .as("docs list %s", name)
                    .containsPattern("`" + Pattern.quote(name) + "[`{]"));
  }

  @Test
  void the_dashboard_reads_the_provisioned_datasource() throws IOException {
    Map<String, Object> ds =
        Yamls.map(
            Yamls.list(
                    Yamls.load("deploy/grafana/provisioning/datasources/prometheus.yml"),
                    "datasources")
                .get(0));
    assertThat(ds.get("url")).isEqualTo("http://prometheus:9090");
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    assertThat(panels).hasSizeGreaterThan(10);
    for (JsonNode panel : panels) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText())
          .as("panel %s", panel.path("title").asText())
          .isEqualTo(ds.get("uid"));
      assertThat(panel.path("targets")).isNotEmpty();
    }
    Map<String, Object> provider =
        Yamls.map(
            Yamls.list(
                    Yamls.load("deploy/grafana/provisioning/dashboards/capstan.yml"), "providers")
                .get(0));
    assertThat(Yamls.string(provider, "options", "path")).isEqualTo("/var/lib/grafana/dashboards");
  }

  @Test
  void the_dashboard_shows_what_the_issue_lists() throws IOException {
    List<String> titles = new ArrayList<>();
    dashboard().path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertThat(titles)
        .contains(
            "Request rate by status",
            "Latency",
            "Queue depth",
            "Oldest queued job",
            "Jobs by outcome",
            "Realtime factor",
            "Worker count",
            "Connection pool",
            "Replica lag");
  }

  private Map<String, Object> scrapeJob(String name) {
    for (Object job : Yamls.list(prometheus, "scrape_configs")) {
      if (name.equals(Yamls.at(job, "job_name"))) {
        return Yamls.map(job);
      }
    }
    throw new AssertionError("no scrape job " + name);
  }

  private List<Map<String, Object>> alertRules() {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object group : Yamls.list(alerts, "groups")) {
      for (Object rule : Yamls.list(group, "rules")) {
        rules.add(Yamls.map(rule));
      }
    }
    return rules;
  }

  private List<String> allExpressions() {
    List<String> exprs = new ArrayList<>();
    alertRules().forEach(r -> exprs.add(String.valueOf(r.get("expr"))));
    try {
      dashboard()
          .path("panels")
          .forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return exprs;
  }

  private static JsonNode dashboard() throws IOException {
    return new ObjectMapper()
        .readTree(Repo.path("deploy/grafana/dashboards/capstan-overview.json").toFile());
  }

  /** From {@code heading} to the next heading of the same level. */
  static String section(String markdown, String heading) {
    int start = markdown.indexOf("\n" + heading + "\n");
    assertThat(start).as("docs section %s", heading).isNotNegative();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int end = markdown.indexOf("\n" + level, start + heading.length() + 1);
    return end < 0 ? markdown.substring(start) : markdown.substring(start, end);
  }
}
