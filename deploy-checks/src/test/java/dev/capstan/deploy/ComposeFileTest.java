package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml, its overlays and .env.example, against each other and the services. */
class ComposeFileTest {
  private static final List<String> OVERLAYS =
      List.of("deploy/compose/single-server.yml", "deploy/compose/external-s3.yml");

  private final Map<String, Object> compose = Yamls.load("docker-compose.yml");
  private final Map<String, Object> services = Yamls.map(compose, "services");

  @Test
  void every_service_has_a_health_check_a_restart_policy_limits_and_a_pinned_image() {
    assertThat(services)
        .containsKeys(
            "mariadb-primary",
            "mariadb-replica",
            "redis",
            "minio",
            "minio-init",
            "api-service",
            "media-worker",
            "nginx",
            "prometheus",
            "grafana");
    services.forEach(
        (name, s) -> {
          Map<String, Object> service = Yamls.map(s);
          Manifests.assertHealthCheck(name, service);
          Manifests.assertLimits(name, service);
          Manifests.assertPinnedImage(name, service);
          assertThat(service.get("restart")).as("%s: restart", name).isNotNull();
          if (Manifests.oneShot(service)) {
            assertThat(service.get("restart")).isIn("on-failure", "no");
          } else {
            assertThat(service.get("restart")).isEqualTo("unless-stopped");
          }
          assertThat(service).as("%s: logging", name).containsKey("logging");
          // A fixed container name would stop `--scale`.
          assertThat(service).doesNotContainKey("container_name");
        });
  }

  @Test
  void two_api_instances_and_scalable_workers_with_the_right_probes() {
    Map<String, Object> api = Yamls.map(services, "api-service");
    Map<String, Object> worker = Yamls.map(services, "media-worker");
    assertThat(Yamls.at(api, "deploy", "replicas")).isEqualTo(2);
    Manifests.assertHealthCheckProbes(api, Services.API);
    Manifests.assertHealthCheckProbes(worker, Services.WORKER);
    // Scaling needs no fixed host ports; only nginx publishes the API.
    assertThat(api).doesNotContainKey("ports");
    assertThat(worker).doesNotContainKey("ports");
    assertThat(Yamls.string(api, "build", "dockerfile"))
        .isEqualTo("deploy/docker/api-service.Dockerfile");
    assertThat(Yamls.string(worker, "build", "dockerfile"))
        .isEqualTo("deploy/docker/media-worker.Dockerfile");
  }

  @Test
  void the_worker_gets_longer_to_stop_than_it_takes_to_drain() {
    Duration grace =
        Manifests.duration(Yamls.string(services, "media-worker", "stop_grace_period"));
    Duration drain = Manifests.workerDrain();
    assertThat(grace).isGreaterThan(drain).isLessThanOrEqualTo(drain.plusSeconds(30));
  }

  @Test
  void services_are_given_only_settings_they_understand() {
    for (Services s : Services.values()) {
      Set<String> given = Manifests.environment(Yamls.map(services, s.serviceName)).keySet();
      assertThat(s.knownEnvironment()).as("%s environment", s.serviceName).containsAll(given);
      assertThat(given)
          .contains(
              "QUARKUS_DATASOURCE_JDBC_URL",
              "QUARKUS_DATASOURCE_USERNAME",
              "QUARKUS_DATASOURCE_PASSWORD",
              "CAPSTAN_REDIS_URL",
              "CAPSTAN_S3_ENDPOINT",
              "CAPSTAN_S3_ACCESS_KEY",
              "CAPSTAN_S3_SECRET_KEY");
    }
    for (String overlay : OVERLAYS) {
      Map<String, Object> overlayServices = Yamls.map(Yamls.load(overlay), "services");
      for (Services s : Services.values()) {
        Object service = overlayServices.get(s.serviceName);
        if (service != null) {
          assertThat(s.knownEnvironment())
              .as("%s environment in %s", s.serviceName, overlay)
              .containsAll(Manifests.environment(Yamls.map(service)).keySet());
        }
      }
    }
  }

  @Test
  void the_database_url_points_at_the_primary_service() {
    String url =
        Manifests.environment(Yamls.map(services, "api-service"))
            .get("QUARKUS_DATASOURCE_JDBC_URL");
    assertThat(url).startsWith("jdbc:mariadb://mariadb-primary:3306/");
    assertThat(services).containsKey("mariadb-primary");
  }

  @Test
  void redis_never_evicts_and_keeps_an_append_only_file() {
    String command =
        String.join(
            " ", Yamls.list(services, "redis", "command").stream().map(String::valueOf).toList());
    assertThat(command).contains("--maxmemory-policy noeviction").contains("--appendonly yes");
    assertThat(command).doesNotContain("${REDIS_PASSWORD").contains("$$REDIS_PASSWORD");
  }

  @Test
  void replication_is_set_up_by_the_init_scripts_on_first_start() {
    List<Object> primary = Yamls.list(services, "mariadb-primary", "volumes");
    List<Object> replica = Yamls.list(services, "mariadb-replica", "volumes");
    assertThat(primary)
        .contains(
            "./deploy/mysql/initdb/10-accounts.sh:/docker-entrypoint-initdb.d/10-accounts.sh:ro")
        .contains("./deploy/mysql/primary.cnf:/etc/mysql/conf.d/capstan.cnf:ro");
    assertThat(replica)
        .contains(
            "./deploy/mysql/initdb/20-follow-primary.sh:/docker-entrypoint-initdb.d/20-follow-primary.sh:ro")
        .contains("./deploy/mysql/replica.cnf:/etc/mysql/conf.d/capstan.cnf:ro");
    assertThat(Manifests.environment(Yamls.map(services, "mariadb-primary")))
        .containsEntry("CAPSTAN_DB_ROLE", "primary");
    assertThat(Manifests.environment(Yamls.map(services, "mariadb-replica")))
        .containsEntry("CAPSTAN_DB_ROLE", "replica")
        .containsEntry("CAPSTAN_DB_PRIMARY_HOST", "mariadb-primary");
    assertThat(
            Yamls.string(services, "mariadb-replica", "depends_on", "mariadb-primary", "condition"))
        .isEqualTo("service_healthy");
  }

  @Test
  void every_bind_mounted_file_exists_and_scripts_are_executable() {
    services.forEach(
        (name, s) -> {
          Object volumes = Yamls.at(s, "volumes");
          if (volumes == null) {
            return;
          }
          for (Object v : (List<?>) volumes) {
            String spec = String.valueOf(v);
            if (!spec.startsWith("./")) {
              continue;
            }
            Path source = Repo.path(spec.substring(2, spec.indexOf(':')));
            assertThat(source).as("%s mounts %s", name, spec).exists();
            if (source.toString().endsWith(".sh") && spec.contains("docker-entrypoint-initdb.d")) {
              // The image sources non-executable scripts into its own shell: they must run on their
              // own.
              assertThat(Files.isExecutable(source)).as("%s is executable", source).isTrue();
            }
          }
        });
  }

  @Test
  void nginx_fronts_the_api_and_answers_the_s3_host_for_the_containers() {
    Map<String, Object> nginx = Yamls.map(services, "nginx");
    assertThat(Yamls.list(nginx, "volumes"))
        .contains("./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
    assertThat(Yamls.list(nginx, "ports")).containsExactly("${CAPSTAN_HTTP_PORT:-80}:80");
    assertThat(Yamls.list(nginx, "networks", "default", "aliases"))
        .containsExactly("${CAPSTAN_S3_PUBLIC_HOST:-s3.localhost}");
    assertThat(Manifests.environment(Yamls.map(services, "api-service")).get("CAPSTAN_S3_ENDPOINT"))
        .isEqualTo("http://${CAPSTAN_S3_PUBLIC_HOST:-s3.localhost}");
  }

  @Test
  void overlays_only_adjust_services_of_the_base_file() {
    for (String overlay : OVERLAYS) {
      assertThat(services.keySet())
          .as(overlay)
          .containsAll(Yamls.map(Yamls.load(overlay), "services").keySet());
    }
    Map<String, Object> single = Yamls.map(Yamls.load(OVERLAYS.get(0)), "services");
    assertThat(Yamls.at(single, "api-service", "deploy", "replicas")).isEqualTo(1);
    assertThat(Yamls.list(single, "mariadb-replica", "profiles")).isNotEmpty();
    assertThat(Manifests.environment(Yamls.map(single, "backup")))
        .containsEntry("BACKUP_DB_HOST", "mariadb-primary");
  }

  @Test
  void env_example_documents_every_variable_and_commits_no_secret() {
    Map<String, Boolean> used =
        new LinkedHashMap<>(Manifests.variables(Repo.read("docker-compose.yml")));
    for (String overlay : OVERLAYS) {
      Manifests.variables(Repo.read(overlay))
          .forEach((k, v) -> used.merge(k, v, Boolean::logicalOr));
    }
    Manifests.variables(Repo.read("deploy/swarm/stack.yml"))
        .forEach((k, v) -> used.merge(k, v, Boolean::logicalOr));
    String example = Repo.read(".env.example");
    Map<String, String> set = new LinkedHashMap<>();
    Set<String> mentioned = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^(#\\s*)?([A-Z][A-Z0-9_]*)=(.*)$").matcher(example);
    while (m.find()) {
      mentioned.add(m.group(2));
      if (m.group(1) == null) {
        set.put(m.group(2), m.group(3));
      }
    }
    // Overlay-only required settings (external S3) are documented, commented out.
    Set<String> overlayOnly = Set.of("CAPSTAN_S3_ENDPOINT", "BACKUP_S3_ENDPOINT");
    used.forEach(
        (name, required) -> {
          assertThat(mentioned).as(".env.example mentions %s", name).contains(name);
          if (required && !overlayOnly.contains(name)) {
            assertThat(set).as(".env.example sets required %s", name).containsKey(name);
          }
        });
    set.forEach(
        (name, value) -> {
          if (name.matches(".*(PASSWORD|SECRET).*")) {
            assertThat(value).as("%s in .env.example", name).isEqualTo("change-me");
          }
        });
  }
}
