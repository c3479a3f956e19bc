package dev.capstan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy/swarm/stack.yml: `docker stack deploy` and `docker service scale` ready. */
class SwarmStackTest {
  private final Map<String, Object> stack = Yamls.load("deploy/swarm/stack.yml");
  private final Map<String, Object> services = Yamls.map(stack, "services");

  @Test
  void every_service_restarts_has_limits_a_health_check_and_a_pullable_image() {
    services.forEach(
        (name, s) -> {
          Map<String, Object> service = Yamls.map(s);
          Manifests.assertHealthCheck(name, service);
          Manifests.assertLimits(name, service);
          Manifests.assertPinnedImage(name, service);
          assertThat(Yamls.at(service, "deploy", "restart_policy", "condition"))
              .as("%s: deploy.restart_policy", name)
              .isNotNull();
          // Swarm cannot build; every node pulls.
          assertThat(service).as(name).doesNotContainKey("build");
        });
  }

  @Test
  void api_and_workers_resolve_to_every_task_for_nginx_and_prometheus() {
    for (Services s : Services.values()) {
      Map<String, Object> service = Yamls.map(services, s.serviceName);
      assertThat(Yamls.at(service, "deploy", "endpoint_mode")).isEqualTo("dnsrr");
      Manifests.assertHealthCheckProbes(service, Services.byName(s.serviceName));
      assertThat(s.knownEnvironment()).containsAll(Manifests.environment(service).keySet());
    }
    assertThat(Yamls.at(services, "api-service", "deploy", "replicas")).isEqualTo(2);
    assertThat(Yamls.at(services, "api-service", "deploy", "update_config", "order"))
        .isEqualTo("start-first");
  }

  @Test
  void the_worker_gets_longer_to_stop_than_it_takes_to_drain() {
    Duration grace =
        Manifests.duration(Yamls.string(services, "media-worker", "stop_grace_period"));
    assertThat(grace).isGreaterThan(Manifests.workerDrain());
    Map<String, Object> compose = Yamls.map(Yamls.load("docker-compose.yml"), "services");
    assertThat(grace)
        .isEqualTo(Manifests.duration(Yamls.string(compose, "media-worker", "stop_grace_period")));
  }

  @Test
  void configs_come_from_the_files_the_compose_stack_mounts() {
    Map<String, Object> configs = Yamls.map(stack, "configs");
    configs.forEach(
        (name, c) ->
            assertThat(Repo.path("deploy/swarm").resolve(Yamls.string(c, "file")).normalize())
                .as("config %s", name)
                .exists());
    services.forEach(
        (name, s) -> {
          Object used = Yamls.at(s, "configs");
          if (used != null) {
            for (Object c : (java.util.List<?>) used) {
              assertThat(configs).as("%s uses config", name).containsKey(Yamls.string(c, "source"));
            }
          }
        });
    assertThat(Yamls.at(configs, "mariadb-follow-primary", "file"))
        .isEqualTo("../mysql/initdb/20-follow-primary.sh");
  }

  @Test
  void shared_services_run_the_same_images_as_the_compose_stack() {
    Map<String, Object> compose = Yamls.map(Yamls.load("docker-compose.yml"), "services");
    services.forEach(
        (name, s) -> {
          if (!name.equals("api-service") && !name.equals("media-worker")) {
            assertThat(Yamls.string(s, "image"))
                .as(name)
                .isEqualTo(Yamls.string(compose, name, "image"));
          }
        });
  }
}
